"""Records and report tables as CSV (and needs as XLSX): what spreadsheet users
download.

Every cell that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`,
`@`, a tab or a carriage return) is neutralised with a leading apostrophe, as OWASP
recommends; numbers, negative ones included, are written as numbers. Needs are
streamed row by row, so that an export of any size holds one row in memory (the XLSX
workbook is written row by row to a temporary file, then sent from it).
"""

import csv
import datetime
import itertools
import tempfile
from collections.abc import Iterable, Iterator

from django import forms
from django.db import transaction
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

NEED_COLUMNS = [
    "id",
    "state",
    "state_code",
    "regional_group",
    "cycle",
    "review_year",
    "chapter",
    "article",
    "type",
    "description",
    "priority",
    "source",
    "coverage",
    "remaining",
    "status",
    "updated_at",
]
WITHHELD = "[withheld]"
# The status a viewer reads (`NeedQuerySet.with_sharing`: `workflow_shown`).
ACCEPTED = "accepted"


def safe_cell(value):
    """The value as a spreadsheet may read it without running it.

    Numbers (int, float; bool and None as they are) are written as numbers, negative
    ones included: `-1` is not a formula. Any other value is text, and text that
    begins with a formula character gets the apostrophe even when it looks like a
    number ("-12.5", "+41 22 917"), as OWASP's rule is about the cell ("no cell
    begins with"), not about what the text means. Telling a harmless number from a
    formula would take a parser agreeing with every spreadsheet in every locale
    ("-12,5", "-1e3", "-2+3" is a formula); and the value comes from a text field,
    so read as text it is the data as recorded (a code "-001" keeps its zeros).
    """
    if type(value) is str:  # most cells: no isinstance chain
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns what it is given (for streaming)."""

    def write(self, value: str) -> str:
        return value


# Lines handed to the server at a time: a write per line would cost a million
# writes for a million rows.
LINES_PER_CHUNK = 200


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """The rows as CSV text, LINES_PER_CHUNK lines at a time (the first line, the
    header, at once)."""
    writer = csv.writer(_Echo())
    rows = iter(rows)
    for header in itertools.islice(rows, 1):
        yield writer.writerow([safe_cell(cell) for cell in header])
    lines = []
    for row in rows:
        lines.append(writer.writerow([safe_cell(cell) for cell in row]))
        if len(lines) >= LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_text(rows: Iterable[Iterable]) -> str:
    return "".join(csv_lines(rows))


def csv_response(filename: str, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_cell(value):
    """`safe_cell`, without the control characters that XLSX cannot hold (a vertical
    tab pasted from a word processor would otherwise fail the whole download)."""
    value = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_file(rows: Iterable[Iterable], *, title: str = "Sheet1"):
    """A workbook of one sheet holding `rows`, written row by row (openpyxl's
    write-only mode) to a temporary file; returned open, at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def xlsx_response(filename: str, rows: Iterable[Iterable]) -> FileResponse:
    return FileResponse(
        xlsx_file(rows, title=filename.rsplit(".", 1)[0]),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_TYPE,
    )


# What each column of NEED_COLUMNS is read from, and whether the user may read the
# description (`NeedQuerySet.with_sharing`).
NEED_VALUES = [
    "id",
    "review__state__name",
    "review__state__code",
    "review__state__regional_group__slug",
    "review__cycle__number",
    "review__cycle_year",
    "article__chapter__number",
    "article__number",
    "need_type__slug",
    "description",
    "priority",
    "source",
    "coverage",
    "remaining",
    "status",
    "updated_at",
    "accepted_changed_at",
    "description_shared",
    "workflow_shown",
]
DESCRIPTION, REGIONAL_GROUP, REMAINING, STATUS, UPDATED_AT = 9, 3, 13, 14, 15
# Rows fetched at a time from the database's cursor.
CHUNK_SIZE = 2000


def need_rows(needs) -> Iterator[list]:
    """The header, then one row per need of `needs`, a queryset annotated with
    `description_shared` (`NeedQuerySet.with_sharing`): descriptions and what remains
    that the user may not read are written as withheld.

    The rows are read as values (no model per row) through a server-side cursor, a
    chunk at a time, in a transaction of their own: PostgreSQL then sends the first
    rows as soon as it has them (outside a transaction Django declares the cursor
    WITH HOLD, which runs the whole query before the first row), and memory holds
    one chunk whatever the number of needs."""
    yield NEED_COLUMNS
    rows = needs.values_list(*NEED_VALUES)
    with transaction.atomic(using=rows.db):
        for *row, accepted_changed_at, shared, workflow_shown in rows.iterator(
            chunk_size=CHUNK_SIZE
        ):
            if not shared:
                row[DESCRIPTION] = row[REMAINING] = WITHHELD
            if not workflow_shown:  # a viewer sees the need as accepted, and
                row[STATUS] = ACCEPTED  # changed when its accepted values did
                row[UPDATED_AT] = accepted_changed_at
            row[REGIONAL_GROUP] = row[REGIONAL_GROUP] or ""
            row[UPDATED_AT] = row[UPDATED_AT].isoformat()
            yield row


def table_rows(tables: list) -> Iterator[list]:
    """One CSV for several report tables (`needs.reports.tables.Table`): for each
    a title line, its header, its rows and its total."""
    for index, table in enumerate(tables):
        if index:
            yield []
        if len(tables) > 1:
            yield [f"{table.heading}: {table.title}".lstrip(": ")]
        yield table.columns
        yield from table.rows
        if table.total:
            yield table.total


def tables_csv(tables: list) -> str:
    return csv_text(table_rows(tables))


def matrix_rows(matrix) -> Iterator[list]:
    """Donor mapping as its page shows it: one row per donor and column with
    projects, and one for each donor with none (its column empty)."""
    yield [
        "donor",
        matrix.dimension,
        "projects",
        "needs addressed in full",
        "needs addressed in part",
    ]
    for row in matrix.rows:
        if not row.cells:
            yield [row.donor, "", 0, 0, 0]
        for key, label in matrix.columns:
            cell = row.cells.get(key)
            if cell:
                yield [row.donor, label, cell.projects, cell.in_full, cell.in_part]


# Characters a sheet name cannot hold, and its length in Excel.
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
SHEET_NAME_LENGTH = 31


def _sheet_name(table, taken: set[str]) -> str:
    base = (table.heading or table.slug).translate(SHEET_NAME_FORBIDDEN)
    base = base[:SHEET_NAME_LENGTH].strip() or "Table"
    name, counter = base, 2
    while name.casefold() in taken:
        suffix = f" ({counter})"
        name, counter = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix, counter + 1
    taken.add(name.casefold())
    return name


def tables_workbook(tables: list, *, about: list[tuple[str, object]]):
    """A workbook of report tables (`needs.reports.tables.Table`): first a sheet
    stating `about` (the filters and the date, as label and value), then one sheet
    per table, named by its number in the note (else its slug), with the number and
    title, the header, the rows (numbers as numbers) and the total. Returned open,
    at its start."""
    workbook = Workbook(write_only=True)
    about_sheet = workbook.create_sheet(title=gettext("About"))
    for label, value in about:
        about_sheet.append([xlsx_cell(str(label)), xlsx_cell(value)])
    taken = {about_sheet.title.casefold()}
    for table in tables:
        sheet = workbook.create_sheet(title=_sheet_name(table, taken))
        sheet.append([xlsx_cell(f"{table.heading}: {table.title}".lstrip(": "))])
        sheet.append([xlsx_cell(str(column)) for column in table.columns])
        for row in table.rows:
            sheet.append([xlsx_cell(_plain(cell)) for cell in row])
        if table.total:
            sheet.append([xlsx_cell(_plain(cell)) for cell in table.total])
        for note in table.notes:
            sheet.append([xlsx_cell(str(note))])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _plain(cell):
    """Numbers stay numbers; lazy translations and other objects become text."""
    if cell is None or isinstance(cell, (bool, int, float, datetime.date)):
        return cell
    return str(cell)


def workbook_response(filename: str, handle) -> FileResponse:
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE
    )


def about_rows(form) -> list[tuple[str, object]]:
    """What a workbook of statistics states: when, and with which filters."""
    rows = [
        (gettext("Statistics of technical assistance needs"), ""),
        (gettext("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if type(field) is forms.ChoiceField and value:
            value = dict(field.choices).get(value, value)
        rows.append((str(field.label), str(value) if value else gettext("All")))
    return rows
