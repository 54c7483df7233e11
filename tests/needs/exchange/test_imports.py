"""Bulk import of needs: round trip, outcomes, bad input, all-or-nothing."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import Workbook

from needs import services
from needs.exchange import bulk, imports
from needs.exchange.imports import (
    ImportRefused,
    RowOutcome,
    needs_import,
    needs_preview,
)
from needs.models import EntryDecision, EntryEvent, Need, NeedProposal, NeedType
from reviews.models import Article
from tests.conftest import client_for
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db

NEEDS = reverse("needs:need_list")
HEADER = "state_code,cycle,article,type,description,priority,source,remaining\n"


def csv_file(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "".join(f"{line}\n" for line in lines)).encode())


def xlsx_file(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    return handle


def snapshot():
    return sorted(
        Need.objects.values_list(
            "pk", "description", "priority", "source", "remaining", "status", "version"
        )
    )


@pytest.fixture
def needs(own_review, other_review):
    """Needs of two States, with text a spreadsheet would run if not escaped."""
    return [
        NeedFactory(review=own_review, description="=SUM(A1) is text", priority="high"),
        NeedFactory(
            review=own_review,
            article=Article.objects.get(number=30),
            need_type=NeedType.objects.get(slug="other"),
            description="- a list, “quoted”, with, commas\nand a second line",
            remaining="+41 22 917",
        ),
        NeedFactory(review=other_review, description="Other's need"),
    ]


# ---------------------------------------------------------------------------
# Round trip
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(client, secretariat, needs, file_format):
    # given the needs list exported by the secretariat
    response = client_for(client, secretariat).get(NEEDS, {"format": file_format})
    exported = io.BytesIO(b"".join(response.streaming_content))
    before = snapshot()

    # when it is previewed and imported back
    preview = needs_preview(exported, user=secretariat)
    exported.seek(0)
    result = needs_import(exported, user=secretariat)

    # then every row is unchanged and nothing was written
    assert [row.outcome for row in preview.rows] == [RowOutcome.UNCHANGED] * 3
    assert (result.created, result.changed, result.unchanged) == (0, 0, 3)
    assert snapshot() == before
    assert not NeedProposal.objects.exists()


def test_preview_says_new_changed_unchanged_and_refused(secretariat, needs):
    file = csv_file(
        "OWN,1,15,good-practices,=SUM(A1) is text,high,executive-summary,",
        "OWN,1,15,Legislative drafting and legal advice,A new one,low,,",
        "OTH,1,15,Summary of good practices or lessons learned,Changed,,,",
        "OWN,1,99,other,,,,",
    )
    before = snapshot()

    preview = needs_preview(file, user=secretariat)

    assert [(r.number, r.outcome) for r in preview.rows] == [
        (2, "refused"),  # the formula cell
        (3, "new"),
        (4, "changed"),
        (5, "refused"),
    ]
    assert "formula" in preview.rows[0].reason
    assert ("description", "Other's need", "Changed") in preview.rows[2].differences
    assert "unknown article '99'" in preview.rows[3].reason
    assert snapshot() == before


def test_types_by_slug_name_variant_and_translated_name(secretariat, own_review):
    spanish = NeedType.objects.get(slug="other").names["es"]
    file = csv_file(
        "OWN,1,15,model-legislation,,,,",
        "OWN,1,16,  implementation ACTION plan ,,,,",
        "OWN,1,17,Capacity-building programmes,,,,",
        f"OWN,1,18,{spanish},,,,",
    )

    rows = needs_preview(file, user=secretariat).rows

    assert [row.values["need_type"].slug for row in rows] == [
        "model-legislation",
        "action-plan",
        "capacity-building",
        "other",
    ]


# ---------------------------------------------------------------------------
# Into the workflow
# ---------------------------------------------------------------------------
def test_focal_point_import_is_draft_proposals(focal_point, own_review):
    needs_import(csv_file("OWN,1,15,other,Ours,medium,,"), user=focal_point)

    need = own_review.needs.get()
    assert need.accepted_at is None
    assert need.status == Need.Status.DRAFT
    assert need.proposal.kind == NeedProposal.Kind.NEW
    assert need.proposal.description == "Ours"
    assert need.accepted_version == 0  # as a typed proposal: others see none yet


def test_secretariat_import_is_submitted_unless_accepted(secretariat, own_review):
    needs_import(csv_file("OWN,1,15,other,Waits,,,"), user=secretariat)

    need = own_review.needs.get()
    assert need.status == Need.Status.SUBMITTED
    assert need.accepted_at is None


def test_secretariat_import_accepted_is_recorded_as_its_decision(
    secretariat, own_review, needs
):
    file = csv_file("OWN,1,15,other,Accepted now,,,", "OWN,1,15,good-practices,New,,,")

    result = needs_import(file, user=secretariat, accept=True, filename="x.csv")

    assert result.accepted
    assert own_review.needs.get(need_type__slug="other", article__number=15).status == (
        Need.Status.ACCEPTED
    )
    changed = own_review.needs.get(need_type__slug="good-practices")
    assert changed.description == "New"
    assert changed.accepted_version == 2  # the factory's, then this change
    new = own_review.needs.get(need_type__slug="other", article__number=15)
    assert (new.accepted_version, new.accepted_changed_at) == (1, new.accepted_at)
    assert not NeedProposal.objects.exists()
    event = EntryEvent.objects.get(action=EntryEvent.Action.ACCEPTED)
    assert event.user == secretariat
    assert event.comment == "Imported from x.csv."
    assert event.decisions.filter(outcome=EntryDecision.Outcome.ACCEPTED).count() == 2


def test_focal_point_cannot_import_another_states_needs(focal_point, needs):
    before = snapshot()
    file = csv_file("OWN,1,16,other,Ours,,,", "OTH,1,15,other,Theirs,,,")

    with pytest.raises(ImportRefused, match="Other State"):
        needs_import(file, user=focal_point)
    file.seek(0)
    with pytest.raises(ImportRefused, match="your own State"):
        needs_preview(file, user=focal_point)

    assert snapshot() == before
    assert not NeedProposal.objects.exists()


# ---------------------------------------------------------------------------
# Bad input: a clear message, nothing written
# ---------------------------------------------------------------------------
def xlsx_with_formula():
    return xlsx_file(
        [
            ["state_code", "cycle", "article", "type", "description"],
            ["OWN", 1, 15, "other", "=1+1"],
        ]
    )


BAD_FILES = {
    "empty": (lambda: io.BytesIO(b""), "empty"),
    "header only": (lambda: csv_file(), "only its first row"),
    "not csv or xlsx": (
        lambda: io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "neither CSV nor XLSX",
    ),
    "a zip that is no workbook": (
        lambda: io.BytesIO(b"PK\x03\x04garbage"),
        "neither CSV nor XLSX",
    ),
    "wrong encoding": (
        lambda: io.BytesIO((HEADER + "OWN,1,15,other,Côte,,,\n").encode("latin-1")),
        "not encoded in UTF-8",
    ),
    "missing column": (
        lambda: csv_file("OWN,1,other", header="state_code,cycle,type\n"),
        "missing columns: article",
    ),
    "unknown column": (
        lambda: csv_file(
            "OWN,1,15,other,x", header="state_code,cycle,article,type,country\n"
        ),
        "unknown columns: country",
    ),
    "unknown State": (lambda: csv_file("ZZZ,1,15,other,,,,"), "unknown State 'ZZZ'"),
    "unknown article": (lambda: csv_file("OWN,1,99,other,,,,"), "unknown article"),
    "unknown type": (lambda: csv_file("OWN,1,15,Training,,,,"), "unknown type"),
    "article outside the cycle": (
        lambda: csv_file("OWN,1,5,other,,,,"),
        "which cycle 1 does not review",
    ),
    "duplicate row": (
        lambda: csv_file("OWN,1,15,other,a,,,", "OWN,1,15,Other assistance,b,,,"),
        "the same need as row 2",
    ),
    "text too long": (
        lambda: csv_file(f"OWN,1,15,other,{'x' * 10_001},,,"),
        "more than 10000",
    ),
    "formula in csv": (lambda: csv_file("OWN,1,15,other,=HYPERLINK(1),,,"), "formula"),
    "formula in xlsx": (xlsx_with_formula, "formula"),
    "unknown priority": (lambda: csv_file("OWN,1,15,other,,urgent,,"), "priority"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_input_is_refused_with_its_message_and_writes_nothing(
    secretariat, needs, case
):
    make, message = BAD_FILES[case]
    before = snapshot()

    preview_error = ""
    try:
        preview = needs_preview(make(), user=secretariat)
        preview_error = " ".join(row.reason for row in preview.refused)
    except ImportRefused as refused:
        preview_error = str(refused)
    with pytest.raises(ImportRefused) as refused:
        needs_import(make(), user=secretariat, accept=True)

    assert message in preview_error
    assert message in str(refused.value)
    assert snapshot() == before
    assert not NeedProposal.objects.exists()
    assert not EntryEvent.objects.exists()


# ---------------------------------------------------------------------------
# All or nothing at write time
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fault_at", [1, 3, 5])
def test_fault_at_any_row_of_a_confirmed_import_writes_no_row(
    secretariat, own_review, monkeypatch, fault_at
):
    # given five new needs, written two at a time (the rows before the fault are
    # in the database when it happens)
    file = csv_file(*(f"OWN,1,{article},other,Row,,," for article in range(15, 20)))
    monkeypatch.setattr(bulk.NewNeeds, "BATCH", 2)
    calls = []
    real_add = bulk.NewNeeds.add

    def failing_add(self, **values):
        calls.append(values)
        if len(calls) == fault_at:
            raise RuntimeError("disk full")
        return real_add(self, **values)

    monkeypatch.setattr(bulk.NewNeeds, "add", failing_add)

    # when the import meets the fault
    with pytest.raises(RuntimeError):
        needs_import(file, user=secretariat, accept=True)

    # then nothing of the file is left
    assert len(calls) == fault_at
    assert not Need.objects.exists()
    assert not NeedProposal.objects.exists()
    assert not EntryEvent.objects.exists()
    assert not Need.history.exists()


def test_a_fault_of_the_last_batch_writes_no_row(secretariat, own_review, monkeypatch):
    file = csv_file(*(f"OWN,1,{article},other,Row,,," for article in range(15, 20)))
    monkeypatch.setattr(bulk.NewNeeds, "BATCH", 2)
    monkeypatch.setattr(bulk.EntryEvent.objects, "bulk_create", fail)

    with pytest.raises(RuntimeError):
        needs_import(file, user=secretariat)

    assert not Need.objects.exists()
    assert not NeedProposal.objects.exists()


def fail(*args, **kwargs):
    raise RuntimeError("disk full")


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (1000, "Row 4: the same need as row 2"),  # one batch
        (1, "Row 4: the same need as row 2"),  # staged a row at a time
    ],
)
def test_a_need_given_twice_is_refused_when_its_review_was_let_go(
    secretariat, own_review, other_review, monkeypatch, batch, message
):
    # given an import that keeps one review at a time, and a file that comes back
    # to a review after another, with a need it gave already
    monkeypatch.setattr(imports._Planner, "REVIEWS_KEPT", 1)
    monkeypatch.setattr(bulk.NewNeeds, "BATCH", batch)
    file = csv_file("OWN,1,15,other,A,,,", "OTH,1,15,other,B,,,", "OWN,1,15,other,C,,,")

    with pytest.raises(ImportRefused, match=message):
        needs_import(file, user=secretariat)

    assert not Need.objects.exists()


def test_many_new_needs_of_several_reviews_are_written_in_batches(
    secretariat, own_review, other_review, monkeypatch, django_assert_max_num_queries
):
    # given 40 new needs of two reviews, accepted on import, in batches of 7
    monkeypatch.setattr(bulk.NewNeeds, "BATCH", 7)
    articles = Article.objects.filter(chapter__number="III").order_by("number")[:20]
    lines = [
        f"{code},1,{article.number},other,Need {article.number},,,"
        for code in ("OWN", "OTH")
        for article in articles
    ]

    # when imported: a bounded number of queries, not one per need
    with django_assert_max_num_queries(60):
        result = needs_import(
            csv_file(*lines), user=secretariat, accept=True, filename="x.csv"
        )

    # then every need is accepted with its history, one decision each, and one
    # submitted and one accepted step per review
    assert result.created == 40
    accepted = Need.objects.filter(status=Need.Status.ACCEPTED, version=2)
    assert accepted.exclude(accepted_at=None).count() == 40
    assert Need.history.count() == 40
    assert not NeedProposal.objects.exists()
    for review in (own_review, other_review):
        steps = dict(review.entry_events.values_list("action", "need_count"))
        assert steps == {"submitted": 20, "accepted": 20}
    assert EntryDecision.objects.filter(need__isnull=False).count() == 40


def test_an_accepted_import_tells_the_secretariat_and_the_focal_points(
    secretariat, focal_point, own_review, django_capture_on_commit_callbacks
):
    # given two new needs of the focal point's State, imported and accepted by the
    # secretariat
    file = csv_file("OWN,1,15,other,A,,,", "OWN,1,16,other,B,,,")

    # when the import commits
    with django_capture_on_commit_callbacks(execute=True):
        needs_import(file, user=secretariat, accept=True, filename="x.csv")

    # then the secretariat hears of the submission, the focal point of the decision
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {secretariat.email, focal_point.email}
    assert "2 new needs" in by_recipient[secretariat.email].body
    decided = by_recipient[focal_point.email].body
    assert decided.count("Accepted") == 2
    assert "Imported from x.csv." in decided


def test_a_reviews_new_and_changed_needs_are_told_in_one_submission(
    secretariat, needs, own_review, django_capture_on_commit_callbacks
):
    # given a file that changes a need of a review and gives it a new one
    changed = needs[0]
    key = f"OWN,1,{changed.article.number},{changed.need_type.slug}"
    assert (changed.article.number, changed.need_type.slug) != (18, "other")
    file = csv_file(f"{key},Changed,high,,", "OWN,1,18,other,New,,,")

    # when the secretariat imports it
    with django_capture_on_commit_callbacks(execute=True):
        result = needs_import(file, user=secretariat, filename="x.csv")

    # then one submission counts both, and its e-mail tells both
    assert (result.created, result.changed) == (1, 1)
    assert own_review.entry_events.get(action="submitted").need_count == 2
    [message] = [m for m in mail.outbox if m.to == [secretariat.email]]
    assert "1 new need" in message.body
    assert "1 changed need" in message.body


def test_a_secretariat_import_does_not_replace_a_change_the_state_is_preparing(
    secretariat, focal_point, needs
):
    # given a focal point drafting a change of one of its State's needs
    need = needs[0]
    services.need_update(
        need=need,
        user=focal_point,
        expected_version=need.version,
        propose=True,
        description="The State's draft",
    )
    key = f"OWN,1,{need.article.number},{need.need_type.slug}"
    file = csv_file(f"{key},The secretariat's text,high,,")

    # when the secretariat previews and imports a change of the same need
    [row] = needs_preview(file, user=secretariat).rows
    file.seek(0)
    with pytest.raises(ImportRefused, match="Row 2: the State is preparing a change"):
        needs_import(file, user=secretariat, accept=True)

    # then the row is refused, naming the need and saying why; the draft is kept
    assert row.outcome == RowOutcome.REFUSED
    assert row.label == key.replace(",", " · ")
    assert "leave the row out until the State submits it" in row.reason
    need.refresh_from_db()
    assert need.proposal.description == "The State's draft"
    assert need.proposal.proposed_by == focal_point


def test_a_file_not_in_utf8_is_refused_naming_its_first_bad_line(
    secretariat, own_review
):
    lines = [HEADER.strip(), "OWN,1,15,other,Plain,,,", "OWN,1,16,other,Côte,,,"]
    file = io.BytesIO("\n".join([*lines, ""]).encode("latin-1"))

    with pytest.raises(ImportRefused, match=r"not encoded in UTF-8 \(line 3\)"):
        needs_preview(file, user=secretariat)
