"""The note "Analysis of technical assistance needs emerging from the country reviews",
drafted from the records: numbered paragraphs, the note's sentences, tables and
figures in its numbering and order.

`compose(document, names, sources=...)` writes the `Draft` (`note_blocks`); the page
(`reports/draft_note.html`), Markdown (`to_markdown`), Word (`note_docx`) and PDF
(`note_pdf`) render it. Without sources it is the statistical sections only (what
anyone may read); for an edition (`selectors.edition_sources`) it has the title block,
the introduction's text blocks and paragraph 3, examples quoted from the described
needs, section IV written from the follow-up records, and the considerations for the
Conference; the edition's editor's note goes with the draft, not into it.

The text is in the active language: each sentence is one translatable string with
named placeholders (`note_sentences`), States below ten are written in that
language's words (`note_words.number`), needs always in figures, and the English text
is the note's own, word for word.
"""

import dataclasses
from dataclasses import dataclass, field

from django.utils.translation import gettext, pgettext_lazy

from needs.models.reports import NoteEdition, paragraphs
from needs.reports import note_sentences as say
from needs.reports.followup_summary import FollowUpSummary
from needs.reports.note_blocks import Block, Draft, Figure, FrontMatter
from needs.reports.note_followup import follow_up_blocks
from needs.reports.note_words import long_date, number, roman
from needs.reports.statistics import StatisticsDocument
from needs.reports.tables import (
    Names,
    Table,
    needs_by_article_table,
    numbered_tables,
    states_by_type_table,
    types_table,
)
from reviews.names import heading_label

__all__ = [
    "Block",
    "Draft",
    "Example",
    "Figure",
    "Sources",
    "article_sentence",
    "blocks",
    "compose",
    "number",
    "regions_sentence",
    "to_markdown",
]
article_sentence = say.article_sentence
regions_sentence = say.regions_sentence
MAX_EXAMPLES = 12  # quoted per article, at most
# The units of the figures' text alternatives ("Legislative assistance: 4 needs").
NEEDS = pgettext_lazy("unit of a chart's values", "needs")
STATES = pgettext_lazy("unit of a chart's values", "States parties")


@dataclass(frozen=True)
class Example:
    """A description the note may quote (accepted by the cut-off date, from a State
    that shares its descriptions with the public), and how many States gave it."""

    need_type: str
    description: str
    states: int


@dataclass(frozen=True)
class Sources:
    """What an edition's draft is written from besides the statistics document."""

    edition: NoteEdition | None = None
    chapters: tuple[str, ...] = ()
    cycle_years: tuple[int, ...] = ()
    examples: dict[int, list[Example]] = field(default_factory=dict)
    follow_up: FollowUpSummary | None = None


def blocks(
    document: StatisticsDocument,
    names: Names | None = None,
    *,
    sources: Sources | None = None,
) -> list[Block]:
    return compose(document, names, sources=sources).blocks


def compose(
    document: StatisticsDocument,
    names: Names | None = None,
    *,
    sources: Sources | None = None,
) -> Draft:
    """The draft note of `document` (see the module docstring)."""
    writer = _Writer(document, names or Names(), sources or Sources())
    return writer.draft()


class _Writer:
    """Writes the blocks in the note's order; figures are numbered as they are
    written (I, II, …) and paragraphs once all are written."""

    def __init__(self, document: StatisticsDocument, names: Names, sources: Sources):
        self.document, self.names, self.sources = document, names, sources
        self.edition = sources.edition
        numbered = numbered_tables(document, names)
        self.tables = {t.slug: _for_the_note(t) for t in numbered}
        self.remarks = [note for table in numbered for note in table.notes]
        self.figures = 0
        self.out: list[Block] = []
        wanted = list(sources.chapters) or list(document.chapters)
        self.chapters = [c for c in document.chapters_with_needs() if c in wanted]

    # -- helpers --------------------------------------------------------------
    def figure(self, title: str, table: Table, **options) -> Figure:
        self.figures += 1
        return Figure(title, table, number=roman(self.figures), **options)

    def add(self, kind: str, text: str = "", **parts) -> None:
        self.out.append(Block(kind, text, **parts))

    def add_text_block(self, text: str) -> None:
        for paragraph in paragraphs(text):
            self.add("p", paragraph)

    # -- the note -------------------------------------------------------------
    def draft(self) -> Draft:
        if not self.edition:  # an edition's title is in its title block
            self.add("h1", self._title())
        self._introduction()
        for index, chapter in enumerate(self.chapters, start=2):
            self._chapter(chapter, roman(index))
        self._trends(roman(len(self.chapters) + 2))
        for index, block in enumerate((b for b in self.out if b.kind == "p"), 1):
            block.number = index
        return Draft(
            blocks=self.out,
            front=_front(self.edition),
            editor_note=paragraphs(self.edition.editor_note) if self.edition else [],
            remarks=[] if self.edition else self.remarks,
        )

    def _title(self) -> str:
        if self.edition and self.edition.title:
            return self.edition.title
        return gettext(
            "Analysis of technical assistance needs emerging from the country reviews"
        )

    def _introduction(self) -> None:
        document = self.document
        # Translators: the first section of the note.
        self.add("h2", gettext("I. Introduction"))
        if self.edition:
            self.add_text_block(self.edition.mandate)
            self.add(
                "p",
                say.sources_sentence(
                    chapters=list(self.sources.chapters) or self.chapters,
                    years=list(self.sources.cycle_years),
                    cycle=self.edition.cycle.number,
                    reviewed=document.states_reviewed,
                    cut_off=self.edition.cut_off,
                ),
            )
        if self.chapters:
            text = " ".join(
                say.regions_sentence(document, chapter, first=i == 0)
                for i, chapter in enumerate(self.chapters)
            )
        else:
            text = say.no_needs_sentence(document.states_reviewed)
        self.add("p", text)
        if self.edition:
            self.add_text_block(self.edition.scope)
        if not self.chapters:
            return
        by_type = states_by_type_table(document, self.names)
        figure = self.figure(by_type.title, by_type, unit=STATES)
        self.add("p", say.figure_i_sentence(figure.number))
        self.add("figure", figure=figure)
        by_article = needs_by_article_table(document)
        by_article.rows.sort(key=lambda row: row[0])
        figure = self.figure(by_article.title, by_article, column=3)
        self.add("p", say.figure_ii_sentence(figure.number))
        self.add("figure", figure=figure)

    def _chapter(self, chapter: str, section: str) -> None:
        data = self.document.chapters[chapter]
        table = self.tables[f"chapter-{chapter}"]
        heading = gettext(
            # Translators: a section heading of the note; %(number)s is the section's
            # Roman numeral, %(chapter)s the chapter's.
            "%(number)s. Technical assistance needs identified for the implementation "
            "of chapter %(chapter)s"
        ) % {"number": section, "chapter": chapter}
        self.add("h2", heading)
        by_article = self.figure(
            gettext(
                "Number of States parties identifying technical assistance needs, "
                "by article"
            ),
            table,
            unit=STATES,
        )
        self.add(
            "p",
            say.chapter_distribution_sentence(
                self.document, chapter, by_article.number
            ),
        )
        self.add(
            "p",
            say.chapter_total_sentence(
                data.needs, chapter, table.number, by_article.number
            ),
        )
        self.add("table", table=table)
        self.add("figure", figure=by_article)
        by_type = self.figure(
            gettext("Technical assistance needs, by article and type of need"),
            _article_type_table(data, self.names, chapter),
            stacked=True,
        )
        self.add("p", say.chapter_types_sentence(chapter, by_type.number))
        self.add("figure", figure=by_type)
        self._articles(data.articles)

    def _articles(self, entries) -> None:
        wanted = self.edition.figure_article_numbers if self.edition else None
        section = subsection = None
        for index, entry in enumerate(entries):
            if entry.section and entry.section != section:
                section, subsection = entry.section, None
                self.add("h3", heading_label(section))
            if entry.subsection and entry.subsection != subsection:
                subsection = entry.subsection
                self.add("h4", heading_label(subsection))
            if index == 0 or (entry.section, entry.subsection) != (
                entries[index - 1].section,
                entries[index - 1].subsection,
            ):
                group = [
                    e.article
                    for e in entries[index:]
                    if (e.section, e.subsection) == (entry.section, entry.subsection)
                ]
                self.add("h5", say.articles_heading(group))
            table = self.tables[f"article-{entry.article}"]
            figure = None
            if wanted is None or entry.article in wanted:
                figure = self.figure(table.title, table, unit=STATES)
            self.add(
                "p",
                say.article_sentence(
                    entry, table.number, figure.number if figure else ""
                ),
            )
            self.add("table", table=table)
            if figure:
                self.add("figure", figure=figure)
            self._examples(entry.article)

    def _examples(self, article: int) -> None:
        examples = self.sources.examples.get(article, [])[:MAX_EXAMPLES]
        if examples:
            self.add(
                "p",
                " ".join(
                    say.example_sentence(
                        e.states,
                        self.names.types[e.need_type].lower(),
                        e.description,
                    )
                    for e in examples
                ),
            )

    def _trends(self, section: str) -> None:
        heading = gettext(
            # Translators: a section heading of the note; %(number)s is its Roman
            # numeral.
            "%(number)s. Trends by types of need identified and technical assistance "
            "needs beyond the provisions under review"
        ) % {"number": section}
        self.add("h2", heading)
        self.add(
            "h3",
            gettext(
                "Trends in types of technical assistance needs identified and other "
                "needs emerging from the country reviews"
            ),
        )
        if self.edition:
            self.add_text_block(self.edition.trends)
        figures = []
        for chapter in self.chapters:
            table = types_table(self.document, self.names, chapter)
            title = say.types_figure_title(
                chapter, self.document.chapters[chapter].needs
            )
            figures.append(self.figure(title, table, unit=NEEDS))
        if figures:
            numbers = [f.number for f in figures]
            self.add("p", say.types_figures_sentence(numbers, self.chapters))
            for figure in figures:
                self.add("figure", figure=figure)
        if self.edition:
            self.add_text_block(self.edition.other_needs)
        self._follow_up()
        if self.edition:
            self.add(
                "h3",
                gettext(
                    "Areas for further consideration to enhance the identification of "
                    "technical assistance needs and to strengthen responses"
                ),
            )
            self.add_text_block(self.edition.considerations)

    def _follow_up(self) -> None:
        if not self.sources.follow_up:
            return
        self.add(
            "h3",
            gettext(
                "Information on needs already being addressed and national mechanisms "
                "for follow-up"
            ),
        )
        if self.edition:
            self.add_text_block(self.edition.follow_up)
        self.out += follow_up_blocks(
            self.sources.follow_up,
            self.document,
            self.names,
            first_table=len(self.tables) + 1,
        )


def _for_the_note(table: Table) -> Table:
    """A table as the note prints it: a chapter's articles in numeric order (Tables 1
    and 30), and no remark for the reader of the reports (those go with the draft)."""
    rows = table.rows
    if table.slug.startswith("chapter-"):
        rows = sorted(rows, key=lambda row: row[0])
    return dataclasses.replace(table, rows=rows, notes=[])


def _article_type_table(data, names: Names, chapter: str) -> Table:
    """Needs by article (rows, numeric order) and type (columns, the chapter's order
    of types): one need is one State's type under an article."""
    types = list(data.needs_by_type)
    entries = sorted(data.articles, key=lambda e: e.article)
    return Table(
        slug=f"article-types-{chapter}",
        title=gettext("Technical assistance needs, by article and type of need"),
        columns=[gettext("Article"), *[names.types[slug] for slug in types]],
        rows=[
            [e.article, *[e.by_type.get(slug, 0) for slug in types]] for e in entries
        ],
    )


def _front(edition: NoteEdition | None) -> FrontMatter | None:
    if edition is None:
        return None
    return FrontMatter(
        body=edition.body,
        symbol=edition.symbol,
        distribution=edition.distribution,
        issued_on=edition.issued_on,
        original_language=edition.original_language,
        session=edition.session,
        venue=edition.venue,
        agenda_item=edition.agenda_item,
        agenda_symbol=edition.agenda_symbol,
        agenda_title=edition.agenda_title,
        title=edition.title,
        summary=paragraphs(edition.summary),
    )


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------
MARKS = {"h1": "#", "h2": "##", "h3": "###", "h4": "####", "h5": "#####"}


def to_markdown(items: list[Block] | Draft) -> str:
    """The draft as Markdown: numbered paragraphs, tables, and each figure as its
    title and the values it draws."""
    draft = items if isinstance(items, Draft) else Draft(blocks=items)
    lines = front_markdown(draft.front) if draft.front else []
    for block in draft.blocks:
        if block.kind in MARKS:
            lines += [f"{MARKS[block.kind]} {block.text}", ""]
        elif block.kind == "p":
            prefix = f"{block.number}. " if block.number else ""
            lines += [f"{prefix}{block.text}", ""]
        elif block.kind == "figure":
            lines += _markdown_figure(block.figure)
        else:
            lines += _markdown_table(block.table, heading=block.table.heading)
    return "\n".join(lines).rstrip() + "\n"


def front_lines(front: FrontMatter) -> list[tuple[str, str]]:
    """The title block as (role, text) lines, in the note's order; the renderers lay
    them out."""
    issued = long_date(front.issued_on) if front.issued_on else ""
    lines = [("symbol", front.symbol), ("body", front.body)]
    if front.distribution:
        # Translators: the distribution of a UN document: "Distr.: General".
        distribution = gettext("Distr.: %(distribution)s")
        lines.append(("meta", distribution % {"distribution": front.distribution}))
    if issued:
        lines.append(("meta", issued))
    if front.original_language:
        # Translators: the original language of a UN document: "Original: English".
        original = gettext("Original: %(language)s")
        lines.append(("meta", original % {"language": front.original_language}))
    lines += [
        ("session", front.session),
        ("venue", front.venue),
        (
            "agenda",
            f"{front.agenda_item}*" if front.agenda_symbol else front.agenda_item,
        ),
        ("agenda-title", front.agenda_title),
        ("title", front.title),
        # Translators: under the title of the note.
        ("subtitle", gettext("Note by the Secretariat")),
    ]
    if front.summary:
        # Translators: the heading of the summary on the note's first page.
        lines.append(("summary-heading", gettext("Summary")))
        lines += [("summary", paragraph) for paragraph in front.summary]
    if front.agenda_symbol:
        lines.append(("footnote", f"* {front.agenda_symbol}."))
    return [(role, text) for role, text in lines if text]


def front_markdown(front: FrontMatter) -> list[str]:
    lines = []
    for role, text in front_lines(front):
        if role in {"title", "summary-heading"}:
            lines += [f"**{text}**", ""]
        elif role == "subtitle":
            lines += [f"*{text}*", ""]
        else:
            lines += [f"{text}  ", ""]
    return [*lines, "---", ""]


def _markdown_figure(figure: Figure) -> list[str]:
    """A figure's number and title, and its values (unless they are a table of the
    note's, printed just before)."""
    if not figure.table.number:
        return _markdown_table(figure.table, heading=figure.heading, title=figure.title)
    # Translators: in place of a figure's values in a text version of the note;
    # %(table)s is a table's number.
    values = gettext("The values of table %(table)s.") % {"table": figure.table.number}
    return [f"{figure.heading}  ", f"**{figure.title}**", "", f"*{values}*", ""]


def _markdown_table(table: Table, *, heading: str = "", title: str = "") -> list[str]:
    lines = [f"{heading}  "] if heading else []
    lines += [f"**{title or table.title}**", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(table.columns) - 1)) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    if table.total:
        lines.append("| " + " | ".join(f"**{cell}**" for cell in table.total) + " |")
    lines.append("")
    lines += [line for note in table.notes for line in (f"*{note}*", "")]
    return lines
