"""The audit trail in words: field labels, people's names, related records and
choices by name, dates to the minute, the secretariat's comments, the State and
article of each need on /history/; the stale-edit notice with both values."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needs import services
from needs.followup.services import assistance_link_need
from needs.models import FollowUp, Need, NeedType
from reviews.models import Account, Article
from tests.factories import AccountFactory, NeedFactory, make_assistance

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2024, 3, 18, 14, 5, 3, 123456, tzinfo=datetime.UTC)


def text_of(response) -> str:
    """The main content as a person reads it: tags dropped (emphasis without a
    space), spaces collapsed."""
    html = response.getvalue().decode().split("<main", 1)[-1]
    html = re.sub(r"</?strong>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def another(role, username: str, state=None):
    return AccountFactory(role=role, state=state, user__username=username).user


def edit_data(need, **changes) -> dict:
    data = {field: need.proposed(field) for field in services.EDITABLE_FIELDS}
    return data | {"expected_version": need.version} | changes


@pytest.fixture
def round_trip(secretariat, focal_point, own_review):
    """A focal point proposes a need; the secretariat returns it with a comment; the
    focal point revises and resubmits; the secretariat accepts it with a comment,
    links an assistance project to it and changes its priority."""
    named(secretariat, "Sara", "Secretariat")
    named(focal_point, "Farid", "Focal")
    with time_machine.travel(MOMENT):
        need = services.need_create(
            review=own_review,
            user=focal_point,
            article=Article.objects.get(number=15),
            need_type=NeedType.objects.get(slug="on-site-expert"),
            description="First wording",
            priority=Need.Priority.HIGH,
            source=Need.Source.CHECKLIST,
        )
        services.review_submit(review=own_review, user=focal_point)
        services.review_return(
            review=own_review, user=secretariat, comment="Say which agency needs it."
        )
        need.refresh_from_db()
        services.need_update(
            need=need,
            user=focal_point,
            expected_version=need.version,
            description="An expert for the anti-corruption agency",
        )
        services.review_submit(review=own_review, user=focal_point)
        services.review_accept(
            review=own_review, user=secretariat, comment="Clear now, thank you."
        )
        project = make_assistance(title="Expert mission", states=[own_review.state])
        need.refresh_from_db()
        assistance_link_need(
            assistance=project, need=need, coverage="in-part", user=secretariat
        )
        need.refresh_from_db()
        services.need_update(
            need=need,
            user=secretariat,
            expected_version=need.version,
            priority=Need.Priority.MEDIUM,
        )
    return need


# ---------------------------------------------------------------------------
# A record's history
# ---------------------------------------------------------------------------
def test_a_need_history_reads_in_words(client, secretariat, round_trip):
    # given the round trip of a need; when the secretariat reads its history
    client.force_login(secretariat)
    text = text_of(client.get(reverse("needs:need_history", args=[round_trip.pk])))
    # then people are named, the need and its relations too, fields by label
    assert "History of Own State · art. 15 · On-site expert" in text
    assert "Sara Secretariat" in text
    assert "Farid Focal" in text
    assert "Priority: High → Medium" in text
    assert "Coverage: Not yet addressed → Met in part" in text
    assert "Article: Article 15: Bribery of national public officials" in text
    assert "Type of need: On-site expert" in text
    assert "Expert mission → Own State · art. 15 · On-site expert (In part)" in text
    assert (
        "Description: First wording → An expert for the anti-corruption agency" in text
    )
    # what happened, in words, with the secretariat's comments
    for words in ["proposed", "submitted", "returned for revision", "accepted"]:
        assert words in text
    assert "Comment: Say which agency needs it." in text
    assert "Comment: Clear now, thank you." in text
    # dates to the minute
    assert "March 18, 2024, 2:05 p.m." in text
    # and nothing internal: no column names, ids, codes, seconds or microseconds
    for internal in [
        "history_",
        "_id",
        "version",
        "Version",
        "Return comment",
        "Need #",
        f"#{round_trip.pk}",
        "on-site-expert",
        "not-yet-addressed",
        "in-part",
        "None",
    ]:
        assert internal not in text
    assert not re.search(r"\d:\d\d:\d\d", text)
    assert not re.search(r"\.\d{3,6}\b", text)


def test_each_comment_is_shown_once_on_its_step(client, secretariat, round_trip):
    client.force_login(secretariat)
    response = client.get(reverse("needs:need_history", args=[round_trip.pk]))
    entries = response.context["entries"]
    comments = [e.comment for e in entries if e.comment]
    assert comments == ["Clear now, thank you.", "Say which agency needs it."]
    accepted = next(e for e in entries if e.kind == "accepted")
    assert (accepted.model, accepted.comment) == (Need, "Clear now, thank you.")
    returned = next(e for e in entries if e.comment == "Say which agency needs it.")
    assert returned.kind == "returned"


def test_history_dates_follow_the_language(secretariat, round_trip):
    client = Client(headers={"accept-language": "fr"})
    client.force_login(secretariat)
    text = text_of(client.get(reverse("needs:need_history", args=[round_trip.pk])))
    assert "18 mars 2024 14:05" in text
    assert "March" not in text


def test_a_withdrawn_need_keeps_its_name(client, secretariat, own_review):
    # given a need the secretariat withdrew
    need = NeedFactory(review=own_review, need_type=NeedType.objects.get(slug="other"))
    pk = need.pk
    services.need_withdraw(need=need, user=secretariat)
    assert not Need.objects.filter(pk=pk).exists()
    # when the secretariat reads its history
    client.force_login(secretariat)
    text = text_of(client.get(reverse("needs:need_history", args=[pk])))
    # then it still reads as the State's need of that article and type
    assert "History of Own State · art. 15 · Other assistance" in text
    assert "withdrawn" in text
    assert "The record has been deleted." in text


def test_a_follow_up_history_names_people(client, secretariat, own_review):
    # given a follow-up whose responsible officer changes
    named(secretariat, "Sara", "Secretariat")
    colleague = named(
        another(Account.Role.SECRETARIAT, "colleague"), "Colin", "Colleague"
    )
    follow_up = FollowUp.objects.create(review=own_review, responsible=secretariat)
    follow_up.responsible = colleague
    follow_up.letter_sent_on = datetime.date(2024, 3, 18)
    follow_up._history_user = secretariat
    follow_up.save()
    # when the secretariat reads its history
    client.force_login(secretariat)
    url = reverse("needs:record_history", args=["followup", follow_up.pk])
    text = text_of(client.get(url))
    # then the officers are named and the date is in words
    assert "Responsible: Sara Secretariat → Colin Colleague" in text
    assert "Letter sent on: — → March 18, 2024" in text
    assert "Follow-up of Own State — cycle 1, year 1" in text
    assert "responsible_id" not in text
    assert "Review: Own State — cycle 1, year 1" in text  # what the creation set


# ---------------------------------------------------------------------------
# Recent changes
# ---------------------------------------------------------------------------
def test_recent_changes_name_each_need_and_list_what_was_set(
    client, secretariat, round_trip
):
    client.force_login(secretariat)
    response = client.get(reverse("needs:recent_changes"))
    text = text_of(response)
    assert "Own State · art. 15 · On-site expert" in text
    assert "Need #" not in text
    created = next(
        e for e in response.context["entries"] if e.model is Need and e.is_creation
    )
    assert ("Description", None, "First wording") in created.labelled_changes
    assert "Description: First wording" in text
    # every entry says what changed, what it set, or that the record went
    for entry in response.context["entries"]:
        assert (
            entry.labelled_changes
            or entry.comment
            or entry.kind
            in {
                "submitted",
                "returned",
                "accepted",
                "closed",
                "withdrawn",
                "deleted",
            }
        ), entry


def test_recent_changes_name_the_needs_of_an_accepted_withdrawal(
    client, secretariat, focal_point, own_review
):
    # given a focal point's withdrawal of a need, accepted: the need is deleted
    need = NeedFactory(review=own_review, need_type=NeedType.objects.get(slug="other"))
    services.need_withdraw(need=need, user=focal_point)
    services.review_submit(review=own_review, user=focal_point)
    services.review_accept(review=own_review, user=secretariat, comment="Agreed.")
    assert not Need.objects.filter(pk=need.pk).exists()
    # when the secretariat reads the recent changes
    client.force_login(secretariat)
    text = text_of(client.get(reverse("needs:recent_changes")))
    # then the proposal and the need still read as the State's need
    assert "Withdrawal: Own State · art. 15 · Other assistance" in text
    assert "(deleted)" not in text
    assert "withdrawn" in text
    # and the need's own history carries the acceptance comment
    history = client.get(reverse("needs:need_history", args=[need.pk]))
    withdrawn = history.context["entries"][0]
    assert (withdrawn.kind, withdrawn.comment) == ("withdrawn", "Agreed.")


def _record_rounds(rounds: range, review, secretariat, focal_point) -> None:
    """Each round: a need created and changed by the secretariat, a change the
    focal point proposes, and an assistance project linked to it."""
    pairs = [
        (article, need_type)
        for article in Article.objects.filter(number__in=[15, 16])
        for need_type in NeedType.objects.all()
    ]
    for article, need_type in (pairs[i] for i in rounds):
        need = services.need_create(
            review=review, user=secretariat, article=article, need_type=need_type
        )
        need = services.need_update(
            need=need, user=secretariat, expected_version=need.version, priority="high"
        )
        need = services.need_update(
            need=need, user=focal_point, expected_version=need.version, remaining="x"
        )
        project = make_assistance(title=f"Project {need.pk}", states=[review.state])
        assistance_link_need(
            assistance=project, need=need, coverage="in-full", user=secretariat
        )


def _recent_changes_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("needs:recent_changes"))
    assert response.status_code == 200
    return len(response.context["entries"]), len(queries)


def test_recent_changes_cost_the_same_queries_for_5_or_50_entries(
    client, secretariat, focal_point, own_review
):
    client.force_login(secretariat)
    _record_rounds(range(1), own_review, secretariat, focal_point)
    few, few_queries = _recent_changes_queries(client)
    _record_rounds(range(1, 10), own_review, secretariat, focal_point)
    many, many_queries = _recent_changes_queries(client)
    assert few >= 5
    assert many >= 50
    assert many_queries == few_queries


# ---------------------------------------------------------------------------
# The stale-edit notice
# ---------------------------------------------------------------------------
def _notice(response) -> str:
    html = response.getvalue().decode()
    box = html.split('class="error-box"', 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", box).split())


def test_stale_edit_notice_shows_both_values_as_labels(client, secretariat, own_review):
    # given a need with a description and a priority, opened by two editors
    need = NeedFactory(
        review=own_review, description="Original wording", priority="high"
    )
    editor_b = another(Account.Role.SECRETARIAT, "editor-b")
    url = reverse("needs:need_edit", args=[need.pk])
    client.force_login(secretariat)
    seen_by_a = client.get(url).context["form"]["expected_version"].value()
    client.force_login(editor_b)
    seen_by_b = client.get(url).context["form"]["expected_version"].value()
    # when B saves, then A saves what A typed
    response = client.post(
        url,
        edit_data(
            need,
            description="B's wording",
            priority="medium",
            expected_version=seen_by_b,
        ),
    )
    assert response.status_code == 302
    client.force_login(secretariat)
    response = client.post(
        url,
        edit_data(
            need, description="A's wording", priority="low", expected_version=seen_by_a
        ),
    )
    # then A's save is refused, and the notice gives both values, as labels
    assert response.status_code == 409
    assert response.context["stale_changes"] == [
        ("Description", "Original wording", "B's wording"),
        ("Priority", "High", "Medium"),
    ]
    notice = _notice(response)
    assert "Description Original wording B&#x27;s wording" in notice
    assert "Priority High Medium" in notice
    # A's typed text is kept in the form; B's values stand
    form = response.context["form"]
    assert (form["description"].value(), form["priority"].value()) == (
        "A's wording",
        "low",
    )
    assert "A&#x27;s wording</textarea>" in response.getvalue().decode()
    need.refresh_from_db()
    assert (need.description, need.priority) == ("B's wording", "medium")


def test_stale_notice_compares_with_the_proposal_the_editor_saw(
    client, secretariat, focal_point, own_review
):
    # given a focal point's proposed change, then a change of the accepted values
    need = NeedFactory(review=own_review, description="Accepted", priority="high")
    services.need_update(
        need=need, user=focal_point, expected_version=1, description="Proposed"
    )
    need = Need.objects.get(pk=need.pk)
    services.need_update(
        need=need, user=secretariat, expected_version=need.version, priority="medium"
    )
    # when two focal points open the edit page (they see the proposal), and the
    # other one changes its priority first
    need = Need.objects.get(pk=need.pk)
    url = reverse("needs:need_edit", args=[need.pk])
    client.force_login(focal_point)
    opened = client.get(url).context["form"]
    assert opened["description"].value() == "Proposed"
    other = another(Account.Role.FOCAL_POINT, "fp2", state=own_review.state)
    services.need_update(
        need=need, user=other, expected_version=need.version, priority="low"
    )
    response = client.post(
        url,
        edit_data(
            need,
            description="Mine",
            expected_version=opened["expected_version"].value(),
        ),
    )
    # then the notice lists only what changed since: the priority, as labels
    assert response.status_code == 409
    assert response.context["stale_changes"] == [("Priority", "High", "Low")]


def test_stale_edit_after_a_dropped_proposal_lists_the_change(
    secretariat, focal_point, own_review
):
    # given a focal point's proposal, seen by an editor at this version
    need = NeedFactory(review=own_review, description="Accepted")
    services.need_update(
        need=need, user=focal_point, expected_version=1, description="Proposed"
    )
    seen = Need.objects.get(pk=need.pk).version
    # when another focal point changes it back (the proposal is dropped)
    other = another(Account.Role.FOCAL_POINT, "fp2", state=own_review.state)
    services.need_update(
        need=Need.objects.get(pk=need.pk),
        user=other,
        expected_version=seen,
        description="Accepted",
    )
    assert Need.objects.get(pk=need.pk).pending_proposal is None
    # then the editor's save is refused with what changed since they saw it
    with pytest.raises(services.StaleEdit) as refused:
        services.need_update(
            need=Need.objects.get(pk=need.pk),
            user=focal_point,
            expected_version=seen,
            description="Mine",
        )
    assert refused.value.changes == {"description": ("Proposed", "Accepted")}
    assert "Description: “Proposed” → “Accepted”" in str(refused.value)
    assert Need.objects.get(pk=need.pk).description == "Accepted"
