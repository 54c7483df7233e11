"""Excel workbooks of the report tables and of the mapping pages."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from needs.reports import tables
from needs.reports.forms import OPERATOR, StatisticsFilterForm
from tests.conftest import client_for
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_all_tables_workbook_has_a_sheet_per_table_and_one_of_filters(
    client, note_2013
):
    # given the note's tables filtered by chapter
    url = reverse("reports:table_xlsx", args=["all"])

    # when the workbook is downloaded
    response = client.get(url, {"chapter": "III"})
    book = workbook(response)

    # then the first sheet states the filters and the date, then one sheet a table
    form = StatisticsFilterForm({"chapter": "III"}, user=OPERATOR)
    assert form.is_valid()
    # (regional breakdowns are withheld from an anonymous chapter's document)
    expected = [t for t in tables.all_tables(form.document()) if t.slug != "regions"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(book.sheetnames) == len(expected) + 1
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert "Generated" in about
    assert "III" in about["Chapter"]
    assert about["Type of need"] == "All"
    first = expected[0]
    sheet = book.worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{first.heading}: {first.title}".lstrip(": ")
    assert list(rows[1]) == first.columns
    numbered = next(t for t in expected if t.number)
    assert numbered.heading in book.sheetnames


def test_numbers_are_stored_as_numbers(client, note_2013):
    response = client.get(reverse("reports:table_xlsx", args=["article-15"]))
    sheet = workbook(response).worksheets[1]
    values = [
        cell for row in sheet.iter_rows(min_row=3, values_only=True) for cell in row
    ]
    assert any(isinstance(value, int) for value in values)
    assert not any(isinstance(v, str) and v.isdigit() for v in values)


def test_unknown_table_is_404(client, note_2013):
    response = client.get(reverse("reports:table_xlsx", args=["no-such-table"]))
    assert response.status_code == 404


def test_statistics_command_writes_a_workbook(tmp_path, note_2013):
    target = tmp_path / "tables.xlsx"
    call_command("statistics", "--format", "xlsx", "--output", str(target))
    assert load_workbook(target).sheetnames[0] == "About"


@pytest.mark.parametrize("page", ["followup:unmet_needs", "followup:donor_mapping"])
def test_mapping_pages_download_as_xlsx(client, secretariat, own_review, page):
    NeedFactory(review=own_review)
    response = client_for(client, secretariat).get(reverse(page), {"format": "xlsx"})
    assert response.status_code == 200
    assert len(list(workbook(response).active.iter_rows())) >= 1
