"""The follow-up desk and paragraph 72: the letter, then the action plan, are expected
once a completed review has at least one accepted need; completed reviews without one
are listed apart, never as overdue."""

import datetime

import pytest
from django.urls import reverse

from needs.followup import selectors
from needs.models import ActionPlan, AssistanceNeed, FollowUp, Need, NeedProposal
from reviews.models import CountryReview
from tests.factories import CountryReviewFactory, NeedFactory, make_assistance

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2014, 6, 1)


def sections(user, days=90) -> dict:
    found = selectors.desk(user=user, today=TODAY, days_without_plan=days)
    return {section.key: section for section in found}


def keys(section) -> set:
    return {row.pk for row in section.rows}


def proposed_need(review) -> Need:
    """A need the State proposed and the secretariat has not accepted yet."""
    need = NeedFactory(review=review, status=Need.Status.SUBMITTED, accepted_at=None)
    NeedProposal.objects.create(
        need=need, kind=NeedProposal.Kind.NEW, status=NeedProposal.Status.SUBMITTED
    )
    return need


def test_a_review_with_only_proposals_is_not_overdue_but_listed_apart(secretariat):
    # Given a completed review whose only need awaits the secretariat's decision
    review = CountryReviewFactory()
    proposed_need(review)

    # When the desk is read
    desk = sections(secretariat)

    # Then no letter is expected of it: it is in the separate list, with its proposals
    assert review.pk not in keys(desk["no-letter"])
    assert keys(desk["no-needs"]) == {review.pk}
    assert desk["no-needs"].rows[0].has_proposals is True


def test_a_completed_review_with_no_need_at_all_is_listed_apart(secretariat):
    review = CountryReviewFactory()

    desk = sections(secretariat)

    assert keys(desk["no-letter"]) == set()
    assert keys(desk["no-needs"]) == {review.pk}
    assert desk["no-needs"].rows[0].has_proposals is False


def test_one_accepted_need_makes_the_letter_expected(secretariat):
    # Given a completed review with one accepted need among proposals
    review = CountryReviewFactory()
    proposed_need(review)
    NeedFactory(review=review, need_type_id=6)

    desk = sections(secretariat)

    assert keys(desk["no-letter"]) == {review.pk}
    assert keys(desk["no-needs"]) == set()


def test_a_need_accepted_once_and_changed_since_still_counts(secretariat):
    # A change under way (status draft) does not undo the first acceptance.
    review = CountryReviewFactory()
    NeedFactory(review=review, status=Need.Status.DRAFT)

    assert keys(sections(secretariat)["no-letter"]) == {review.pk}


@pytest.mark.parametrize(
    "status",
    [CountryReview.Status.UNDER_WAY, CountryReview.Status.CLOSE_TO_COMPLETION],
)
def test_a_review_in_progress_expects_nothing(secretariat, status):
    # Given a review not yet completed, with an accepted need
    review = CountryReviewFactory(status=status, completed_on=None)
    NeedFactory(review=review)

    desk = sections(secretariat)

    # Then it is neither expected to have a letter nor listed as without needs
    assert review.pk not in keys(desk["no-letter"])
    assert review.pk not in keys(desk["no-needs"])


def test_a_sent_letter_removes_the_review_from_the_letters_expected(secretariat):
    review = CountryReviewFactory()
    NeedFactory(review=review)
    FollowUp.objects.create(review=review)  # recorded, letter not sent yet
    assert keys(sections(secretariat)["no-letter"]) == {review.pk}

    FollowUp.objects.filter(review=review).update(
        letter_sent_on=datetime.date(2014, 1, 1)
    )

    assert keys(sections(secretariat)["no-letter"]) == set()


def test_the_action_plan_is_expected_only_where_needs_were_identified(secretariat):
    # Given two letters sent long ago, no action plan, one review with an accepted
    # need and one with only a proposal
    with_needs = CountryReviewFactory()
    NeedFactory(review=with_needs)
    without = CountryReviewFactory()
    proposed_need(without)
    for review in (with_needs, without):
        FollowUp.objects.create(review=review, letter_sent_on=datetime.date(2013, 1, 1))

    desk = sections(secretariat)

    # Then only the first is listed as lacking an action plan
    assert keys(desk["no-plan"]) == {with_needs.follow_up.pk}
    # and a current plan ends the expectation
    ActionPlan.objects.create(state=with_needs.state, title="Plan")
    assert keys(sections(secretariat)["no-plan"]) == set()


def test_the_desk_costs_the_same_queries_for_2_or_20_states(
    secretariat, django_assert_num_queries
):
    def world(count):
        for index in range(count):
            review = CountryReviewFactory()
            if index % 2:
                NeedFactory(review=review)
                FollowUp.objects.create(
                    review=review, letter_sent_on=datetime.date(2013, 1, 1)
                )
            else:
                proposed_need(review)

    world(2)
    with django_assert_num_queries(16) as few:
        sections(secretariat)
    world(18)
    with django_assert_num_queries(len(few)):
        desk = sections(secretariat)
    assert desk["no-needs"].total == 10
    assert desk["no-plan"].total == 10


def test_the_desk_page_lists_the_reviews_without_needs_apart(client, secretariat):
    # Given a State whose completed review has only a proposal
    review = CountryReviewFactory(state__name="Proposing State")
    proposed_need(review)
    client.force_login(secretariat)

    # When the secretariat opens the desk
    html = client.get(reverse("followup:desk")).getvalue().decode()

    # Then the State is in the section of reviews with no needs identified, with
    # a link to its proposals, and not among the letters expected
    no_needs = html.split('id="no-needs"')[1].split("</section>")[0]
    no_letter = html.split('id="no-letter"')[1].split("</section>")[0]
    assert "Proposing State" in no_needs
    assert review.get_absolute_url() in no_needs
    assert "Proposing State" not in no_letter


@pytest.mark.parametrize("role", ["focal_point", "viewer"])
def test_the_desk_is_the_secretariats(client, request, role):
    CountryReviewFactory(state__name="Hidden State")
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("followup:desk"))

    assert response.status_code == 404
    assert b"Hidden State" not in response.getvalue()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("followup:desk"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# ---------------------------------------------------------------------------
# Projects imported from IATI that address no need yet
# ---------------------------------------------------------------------------
def imported(title, states=(), **values):
    return make_assistance(
        title=title, states=states, iati_identifier=f"XM-{title}", **values
    )


def test_imported_projects_without_needs_are_listed_by_state(secretariat):
    # given two States, projects imported for one, both or none of them, one
    # imported project already linked to a need, and one typed project
    first = CountryReviewFactory(state__name="Alpha State").state
    second_review = CountryReviewFactory(state__name="Beta State")
    second = second_review.state
    imported("Courts", states=[first])
    imported("Shared", states=[first, second])
    imported("Regional network")
    linked = imported("Linked", states=[second])
    AssistanceNeed.objects.create(
        assistance=linked, need=NeedFactory(review=second_review)
    )
    make_assistance(title="Typed", states=[first])

    section = sections(secretariat)["imported-unlinked"]

    # then each State lists its unlinked imported projects, regional ones last
    listed = [
        (state.name if state else None, [p.title for p in projects])
        for state, projects in section.rows
    ]
    assert listed == [
        ("Alpha State", ["Courts", "Shared"]),
        ("Beta State", ["Shared"]),
        (None, ["Regional network"]),
    ]
    assert section.total == 3


def test_the_imported_section_costs_the_same_queries_for_2_or_20_projects(
    secretariat, django_assert_num_queries
):
    def world(count):
        for index in range(count):
            state = CountryReviewFactory().state
            imported(f"Project {index} {state.code}", states=[state])

    world(2)
    with django_assert_num_queries(3) as few:
        selectors._imported_section(secretariat)
    world(18)
    with django_assert_num_queries(len(few)):
        section = selectors._imported_section(secretariat)
    assert section.total == 20


def test_the_desk_page_links_imported_projects_to_their_assistance_form(
    client, secretariat
):
    state = CountryReviewFactory(state__name="Alpha State").state
    project = imported("Courts", states=[state])
    client.force_login(secretariat)

    html = client.get(reverse("followup:desk")).getvalue().decode()

    part = html.split('id="imported-unlinked"')[1].split("</section>")[0]
    assert "Alpha State" in part
    assert reverse("followup:assistance_edit", args=[project.pk]) in part
    assert reverse("exchange:iati_import") in html
