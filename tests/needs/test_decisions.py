"""The secretariat's queue of submissions, its decisions need by need, the e-mails
of each step, and the entry page's warning about a description without a tick."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from needs import selectors, services
from needs.models import EntryDecision, EntryEvent, Need, NeedProposal, NeedType
from reviews.models import Account, Article
from tests.factories import AccountFactory, CountryReviewFactory, NeedFactory
from tests.needs.test_entry_workflow import decide, decide_url, entry_url, form_data

pytestmark = pytest.mark.django_db


def propose(review, focal_point, article, slug, description="Proposed"):
    return services.need_create(
        review=review,
        user=focal_point,
        article=Article.objects.get(number=article),
        need_type=NeedType.objects.get(slug=slug),
        description=description,
    )


def focal_point_of(review, username):
    return AccountFactory(
        role=Account.Role.FOCAL_POINT, state=review.state, user__username=username
    ).user


@pytest.fixture
def submission(own_review, focal_point, django_capture_on_commit_callbacks):
    """A submission of the focal point's State: one new need, one change of an
    accepted need and one withdrawal."""
    changed = NeedFactory(review=own_review, description="Accepted wording")
    withdrawn = NeedFactory(
        review=own_review, need_type=NeedType.objects.get(slug="other")
    )
    new = propose(own_review, focal_point, 23, "on-site-expert", "A new need")
    services.need_update(
        need=changed,
        user=focal_point,
        expected_version=changed.version,
        description="Proposed wording",
    )
    services.need_withdraw(need=withdrawn, user=focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_submit(review=own_review, user=focal_point)
    return {"new": new, "changed": changed, "withdrawn": withdrawn}


def proposal_of(need) -> NeedProposal:
    return NeedProposal.objects.get(need=need)


# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------
def test_queue_lists_submissions_oldest_first_with_what_changed(
    client, secretariat, submission, own_review, other_review
):
    # Given a second State that submitted later
    later = focal_point_of(other_review, "fp-other")
    propose(other_review, later, 15, "other")
    services.review_submit(review=other_review, user=later)
    NeedProposal.objects.filter(need__review=own_review).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )

    # When the secretariat opens the queue
    client.force_login(secretariat)
    response = client.get(reverse("needs:submission_list"))

    # Then the oldest comes first, with its counts and age
    queue = response.context["queue"]
    assert [item.review for item in queue] == [own_review, other_review]
    first = queue[0]
    assert (first.new, first.changed, first.withdrawn, first.age_days) == (1, 1, 1, 3)
    assert decide_url(own_review).encode() in response.content


def test_queue_is_on_the_home_page_of_the_secretariat_only(
    client, secretariat, focal_point, submission
):
    client.force_login(secretariat)
    assert b"Submissions awaiting a decision" in client.get("/").content
    client.force_login(focal_point)
    home = client.get("/")
    assert home.context["queue"] is None
    assert b"Submissions awaiting a decision" not in home.content


def test_queue_is_the_secretariats(client, focal_point, viewer, submission):
    for user in (focal_point, viewer):
        client.force_login(user)
        assert client.get(reverse("needs:submission_list")).status_code == 403


def test_queue_takes_two_queries_whatever_the_number_of_submissions(secretariat):
    def queries_for(count: int) -> int:
        for _ in range(count):
            review = CountryReviewFactory()
            fp = focal_point_of(review, f"fp-{review.state.code}")
            propose(review, fp, 15, "other")
            services.review_submit(review=review, user=fp)
        with CaptureQueriesContext(connection) as queries:
            queue = selectors.submissions_queue(user=secretariat)
            assert all(item.review.state.name for item in queue)
        return len(queries)

    assert queries_for(1) == queries_for(5) == 2


# ---------------------------------------------------------------------------
# Deciding need by need
# ---------------------------------------------------------------------------
def test_decision_page_shows_only_the_proposals_with_their_differences(
    client, secretariat, submission, own_review
):
    # Given an accepted need that nobody proposed to change
    untouched = NeedFactory(
        review=own_review,
        need_type=NeedType.objects.get(slug="model-treaties"),
        description="Nobody touched this",
    )
    client.force_login(secretariat)
    response = client.get(decide_url(own_review))
    pending = response.context["form"].pending
    assert {item.need for item in pending} == set(submission.values())
    assert untouched not in {item.need for item in pending}
    change = next(i for i in pending if i.need == submission["changed"])
    assert [c[1:] for c in change.changes] == [("Accepted wording", "Proposed wording")]
    assert b"The State asks that this need be withdrawn." in response.content
    assert b"Nobody touched this" not in response.content


def test_secretariat_accepts_one_need_and_returns_another_with_its_own_comment(
    client, secretariat, focal_point, submission, own_review
):
    new, changed = submission["new"], submission["changed"]
    client.force_login(secretariat)
    response = decide(
        client,
        own_review,
        comment="Thank you.",
        **{
            f"p{proposal_of(new).pk}": ("accepted", ""),
            f"p{proposal_of(changed).pk}": ("returned", "Say which courts."),
        },
    )
    assert response.status_code == 302

    new.refresh_from_db()
    changed.refresh_from_db()
    assert (new.status, new.accepted_at is not None) == ("accepted", True)
    assert changed.status == "returned"
    assert changed.description == "Accepted wording"  # accepted values unchanged
    assert proposal_of(changed).return_comment == "Say which courts."
    # the withdrawal was left waiting
    assert proposal_of(submission["withdrawn"]).status == "submitted"
    decisions = EntryDecision.objects.order_by("outcome")
    assert [(d.outcome, d.comment) for d in decisions] == [
        ("accepted", ""),
        ("returned", "Say which courts."),
    ]
    assert {e.action for e in EntryEvent.objects.filter(decisions__isnull=False)} == {
        "accepted",
        "returned",
    }

    # The focal point reads the comment on the entry page
    client.force_login(focal_point)
    assert b"Say which courts." in client.get(entry_url(own_review)).content


def test_returning_without_any_comment_records_nothing(
    client, secretariat, submission, own_review
):
    changed = submission["changed"]
    client.force_login(secretariat)
    response = decide(
        client, own_review, **{f"p{proposal_of(changed).pk}": ("returned", "")}
    )
    assert response.status_code == 400
    assert b"Say what should be revised" in response.content
    assert proposal_of(changed).status == "submitted"
    assert not EntryDecision.objects.exists()


def test_a_decision_on_a_proposal_changed_meanwhile_is_refused(
    client, secretariat, submission, own_review
):
    new = submission["new"]
    client.force_login(secretariat)
    form = client.get(decide_url(own_review)).context["form"]
    # Meanwhile the proposal moves on (e.g. another officer returned and the State
    # resubmitted it)
    NeedProposal.objects.filter(need=new).update(version=99)
    pk = proposal_of(new).pk
    data = {
        f"decision-{pk}": "accepted",
        f"comment-{pk}": "",
        **{n: form[n].value() for n in form.fields if n.startswith("version-")},
    }
    response = client.post(decide_url(own_review), data)
    assert response.status_code == 400
    assert b"was changed since you opened the page" in response.content
    new.refresh_from_db()
    assert new.status == "submitted"


def test_accepting_the_withdrawal_removes_the_need(
    client, secretariat, submission, own_review
):
    withdrawn = submission["withdrawn"]
    client.force_login(secretariat)
    decide(client, own_review, **{f"p{proposal_of(withdrawn).pk}": ("accepted", "")})
    assert not Need.objects.filter(pk=withdrawn.pk).exists()
    decision = EntryDecision.objects.get()
    assert (decision.kind, decision.need, decision.article.number) == (
        "withdrawal",
        None,
        15,
    )


# ---------------------------------------------------------------------------
# E-mails
# ---------------------------------------------------------------------------
def test_submission_tells_the_officer_responsible_for_the_state(
    own_review, focal_point, secretariat, django_capture_on_commit_callbacks
):
    officer = AccountFactory(
        role=Account.Role.SECRETARIAT, user__username="officer"
    ).user
    own_review.state.secretariat_officer = officer
    own_review.state.save()
    propose(own_review, focal_point, 15, "other")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_submit(review=own_review, user=focal_point)
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "Own State" in mail.outbox[0].subject
    assert decide_url(own_review) in mail.outbox[0].body
    assert "1 new need" in mail.outbox[0].body


def test_without_an_officer_the_whole_secretariat_is_told(
    own_review, focal_point, secretariat, django_capture_on_commit_callbacks
):
    colleague = AccountFactory(
        role=Account.Role.SECRETARIAT, user__username="colleague"
    ).user
    propose(own_review, focal_point, 15, "other")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_submit(review=own_review, user=focal_point)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [secretariat.email, colleague.email]
    )


def test_decisions_are_sent_to_the_states_focal_points(
    own_review, focal_point, secretariat, submission, django_capture_on_commit_callbacks
):
    # Given a second focal point of the State, and one of another State
    colleague = focal_point_of(own_review, "fp-colleague")
    focal_point_of(CountryReviewFactory(), "fp-elsewhere")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_return(
            review=own_review, user=secretariat, comment="Add the courts concerned."
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [focal_point.email, colleague.email]
    )
    body = mail.outbox[0].body
    assert "Add the courts concerned." in body
    assert "Returned for revision" in body
    assert reverse("needs:review_entry", args=[own_review.pk]) in body


# ---------------------------------------------------------------------------
# The entry page's warning
# ---------------------------------------------------------------------------
def test_a_description_without_a_tick_is_refused_and_kept(
    client, focal_point, own_review
):
    client.force_login(focal_point)
    data = form_data(client.get(entry_url(own_review)))
    data["a15-other-description"] = "Typed but not ticked"
    response = client.post(entry_url(own_review), data)
    assert response.status_code == 400
    assert b"did not tick it" in response.content
    assert b"Typed but not ticked" in response.content
    assert not Need.objects.filter(review=own_review).exists()


def test_unticking_a_recorded_need_with_its_description_is_a_withdrawal(
    client, focal_point, own_review
):
    need = propose(own_review, focal_point, 15, "other", "Recorded text")
    client.force_login(focal_point)
    data = form_data(client.get(entry_url(own_review)))
    data.pop("a15-other-on")
    response = client.post(entry_url(own_review), data)
    assert response.status_code == 302
    assert not Need.objects.filter(pk=need.pk).exists()


def test_queue_is_on_the_follow_up_desk(client, secretariat, submission, own_review):
    client.force_login(secretariat)
    response = client.get(reverse("followup:desk"))
    assert [item.review for item in response.context["queue"]] == [own_review]
    assert decide_url(own_review).encode() in response.content


def test_a_needs_history_shows_the_comment_on_that_need(
    client, secretariat, submission, own_review
):
    changed = submission["changed"]
    client.force_login(secretariat)
    decide(
        client,
        own_review,
        comment="On the whole submission.",
        **{f"p{proposal_of(changed).pk}": ("returned", "On this need only.")},
    )
    history = client.get(reverse("needs:need_history", args=[changed.pk]))
    assert b"On this need only." in history.content
