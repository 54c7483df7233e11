"""The parts of a drafted note: blocks (headings, numbered paragraphs, tables,
figures), its title block, and the whole draft. The page, Markdown, Word and PDF all
render the same parts (`draft_note.compose`)."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext

from needs.reports.tables import Table


@dataclass
class Figure:
    """A figure of the note: its title, the values it draws (a table), and how.

    `column` is the table's column drawn as bars; `stacked` draws every column but
    the first as the parts of one bar per row (needs by article and type)."""

    title: str
    table: Table
    column: int = 1
    unit: str = ""
    stacked: bool = False
    number: str = ""  # its Roman numeral in the note

    @property
    def heading(self) -> str:
        # Translators: the number of a figure of the note: "Figure XXIII".
        return gettext("Figure %(number)s") % {"number": self.number}


@dataclass
class Block:
    kind: str  # "h1" … "h5", "p", "table" or "figure"
    text: str = ""
    table: Table | None = None
    figure: Figure | None = None
    number: int | None = None  # a paragraph's number in the note

    @property
    def is_heading(self) -> bool:
        return self.kind.startswith("h")


@dataclass(frozen=True)
class FrontMatter:
    """The title block of an edition, as the first page of the note shows it."""

    body: str
    symbol: str
    distribution: str
    issued_on: datetime.date | None
    original_language: str
    session: str
    venue: str
    agenda_item: str
    agenda_symbol: str
    agenda_title: str
    title: str
    summary: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """A drafted note: its blocks, its title block (editions only), and what goes
    with the document but not into it: the editor's note and the remarks that
    tables carry for the reader of the reports (Figure XXX's 623 against 616)."""

    blocks: list[Block]
    front: FrontMatter | None = None
    editor_note: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Block]:
        return [block for block in self.blocks if block.kind == "p"]

    @property
    def tables(self) -> list[Table]:
        return [block.table for block in self.blocks if block.kind == "table"]

    @property
    def figures(self) -> list[Figure]:
        return [block.figure for block in self.blocks if block.kind == "figure"]
