"""CSV exports are neutralised against formula injection, everywhere.

`safe_cell` on its own, then every door that writes CSV: the needs list, the unmet
needs, the donor mapping, the report tables, the `statistics` command and the 2013
data set's export. Each output is parsed with the csv module and checked cell by
cell, with formulas planted in every text that reaches it.
"""

import csv
import dataclasses
import datetime
import io

import pytest
from django.core.management import call_command

from needs.exchange import note_2013
from needs.exchange.spreadsheets import csv_text, safe_cell
from needs.models import AssistanceNeed, Donor, NeedType
from reviews.models import RegionalGroup
from tests.factories import (
    SHARES_REPORT,
    CountryReviewFactory,
    NeedFactory,
    make_assistance,
)

FORMULA = '=HYPERLINK("http://x","y")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        (FORMULA, "'" + FORMULA),
        ("+41 22 917 1234", "'+41 22 917 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        # Text that looks like a number is still text from a text field (OWASP).
        ("-1", "'-1"),
        ("-12.5", "'-12.5"),
        # Harmless text as it is.
        ("Legislative drafting", "Legislative drafting"),
        ("a=b", "a=b"),
        ("'=already text", "'=already text"),
        ("", ""),
        ("صياغة التشريعات", "صياغة التشريعات"),
        ("立法起草", "立法起草"),
        # Numbers stay numbers, negative ones included.
        (-1, -1),
        (0, 0),
        (-12.5, -12.5),
        (True, True),
        (None, None),
        (datetime.date(2013, 6, 1), "2013-06-01"),
    ],
)
def test_safe_cell(value, expected):
    result = safe_cell(value)
    assert result == expected
    assert type(result) is type(expected)


def test_a_negative_number_is_written_as_a_number():
    assert csv_text([[-1, -12.5, "-1"]]) == "-1,-12.5,'-1\r\n"


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_neutralised(text: str, planted: str = FORMULA):
    """No cell begins with a formula character, and the planted one is there
    (neutralised), so that the check was not made on an empty file."""
    found = cells(text)
    assert [cell for cell in found if cell.startswith(TRIGGERS)] == []
    assert "'" + planted in found


@pytest.fixture
def planted(db):
    """Formulas in every text an export writes: descriptions, what remains, names of
    States, regional groups, types of need and donors. One need is addressed by a
    donor (donor mapping), one by no one (unmet needs); both count."""
    accepted = datetime.datetime(2013, 7, 1, tzinfo=datetime.UTC)
    RegionalGroup.objects.filter(slug="african").update(name="@SUM(1,2)")
    NeedType.objects.filter(slug="good-practices").update(name=FORMULA)
    review = CountryReviewFactory(state__name="-2+3", shares=SHARES_REPORT)
    addressed = NeedFactory(
        review=review, description=FORMULA, remaining="+1", accepted_at=accepted
    )
    NeedFactory(
        review=review,
        article_id=addressed.article_id + 1,
        description=FORMULA,
        remaining="-1",
        accepted_at=accepted,
    )
    project = make_assistance(donors=[Donor.objects.create(name=FORMULA)])
    AssistanceNeed.objects.create(assistance=project, need=addressed)


@pytest.mark.parametrize(
    "url",
    [
        "/needs/?format=csv",
        "/follow-up/unmet/?format=csv",
        "/follow-up/donors/?format=csv&by=type",
        "/follow-up/donors/?format=csv&by=article",
        "/follow-up/donors/?format=csv&by=region",
        "/follow-up/donors/?format=csv&by=state",
        "/reports/tables/all.csv",
    ],
)
def test_no_cell_of_a_downloaded_csv_begins_a_formula(
    client, secretariat, planted, url
):
    client.force_login(secretariat)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_neutralised(b"".join(response).decode())


def test_no_cell_of_the_statistics_command_csv_begins_a_formula(planted):
    out = io.StringIO()
    call_command("statistics", "--format", "csv", stdout=out)
    assert_neutralised(out.getvalue())


def test_no_cell_of_the_2013_export_begins_a_formula(tmp_path, monkeypatch):
    # given the generated data set with a formula planted in one description
    states, needs = note_2013.plan()
    needs[0] = dataclasses.replace(needs[0], description=FORMULA)
    monkeypatch.setattr(note_2013, "plan", lambda: (states, needs))
    path = tmp_path / "needs.csv"
    # when it is exported
    call_command("load_note_2013", "--export", str(path), stdout=io.StringIO())
    # then every row is there, and no cell runs
    text = path.read_text(encoding="utf-8")
    assert len(list(csv.reader(io.StringIO(text, newline="")))) == len(needs) + 1
    assert_neutralised(text)
