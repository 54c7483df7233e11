"""The drafted note as a Word document (.docx), for the secretariat to edit.

The same draft as the page (`draft_note.compose`): the title block, headings in Word's
heading styles (sections Heading 1, their parts Heading 2-4), the numbered paragraphs
in the "List Number" style (Word numbers them, and renumbers them when a paragraph is
added), tables with their number and title, and each figure as a picture of its chart
(the SVG converted to PNG) with its number and title. Where the chart cannot be
converted (no cairo library), the figure's values are given as a table instead.
"""

import io
import zipfile

from django.utils.translation import gettext, pgettext
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Inches, Pt

from needs.reports.draft_note import front_lines
from needs.reports.note_blocks import Draft, Figure, FrontMatter
from needs.reports.note_charts import figure_png
from needs.reports.tables import Table

HEADING_LEVELS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 4}
NUMBERED = "List Number"
FIGURE_WIDTH = Inches(6)


def to_docx(draft: Draft, *, language: str = "en") -> bytes:
    document = Document()
    _styles(document, language)
    if draft.front:
        _front(document, draft.front)
    for block in draft.blocks:
        if block.is_heading:
            document.add_heading(block.text, level=HEADING_LEVELS[block.kind])
        elif block.kind == "p":
            document.add_paragraph(block.text, style=NUMBERED)
        elif block.kind == "table":
            _caption(document, block.table.heading, block.table.title)
            _table(document, block.table)
        else:
            _figure(document, block.figure)
    buffer = io.BytesIO()
    document.save(buffer)
    return _stable(buffer.getvalue())


def _stable(content: bytes) -> bytes:
    """The same package with every member dated alike, so that the same draft gives
    the same bytes (python-docx dates each member with the time of saving)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member.filename))
    return buffer.getvalue()


def _styles(document, language: str) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10)
    properties = document.core_properties
    properties.title = gettext(
        "Analysis of technical assistance needs emerging from the country reviews"
    )
    properties.language = language
    properties.author = gettext("Secretariat")


def _front(document, front: FrontMatter) -> None:
    """The first page: symbol and distribution at the right, the body, session and
    item, then the title, "Note by the Secretariat" and the summary."""
    for role, text in front_lines(front):
        if role == "title":
            document.add_heading(text, level=0)
            continue
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        if role in {"symbol", "meta"}:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if role in {"symbol", "body", "session", "agenda-title", "subtitle"}:
            run.bold = True
        if role in {"summary-heading", "footnote"}:
            run.italic = True
        if role in {"subtitle", "summary-heading"}:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if role == "footnote":
            run.font.size = Pt(8)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _caption(document, heading: str, title: str) -> None:
    if heading:
        document.add_paragraph(heading)
    document.add_paragraph().add_run(title).bold = True


def _table(document, table: Table) -> None:
    rows = [table.columns, *table.rows] + ([table.total] if table.total else [])
    grid = document.add_table(rows=len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    last = len(rows) - 1
    for index, values in enumerate(rows):
        for column, value in enumerate(values):
            paragraph = grid.rows[index].cells[column].paragraphs[0]
            run = paragraph.add_run(str(value))
            header, total = index == 0, bool(table.total) and index == last
            run.bold = header or total
            run.italic = header
            if column and not header:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _figure(document, figure: Figure) -> None:
    _caption(document, figure.heading, figure.title)
    image = figure_png(figure)
    if image is None:
        # Translators: under a figure's title in a Word document where the chart
        # could not be drawn.
        note = pgettext("figure", "The values of the figure:")
        document.add_paragraph(note)
        _table(document, figure.table)
        return
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    shape = paragraph.add_run().add_picture(io.BytesIO(image), width=FIGURE_WIDTH)
    shape._inline.docPr.set("descr", figure.title)  # the picture's alternative text
