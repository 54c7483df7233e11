"""Follow-up reads: the desk, donor mapping, unmet needs, clusters, a State's gaps and
the reminders due."""

import datetime

import pytest

from needs.followup import selectors
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Donor,
    FollowUp,
    Need,
)
from reviews.models import Article, RegionalGroup
from tests.factories import (
    CountryReviewFactory,
    NeedFactory,
    make_assistance,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2014, 6, 1)


def keys(section):
    return {row.pk for row in section.rows}


def test_desk_lists_exactly_the_records_meeting_each_condition(secretariat):
    no_letter = CountryReviewFactory()
    with_letter = CountryReviewFactory()
    FollowUp.objects.create(
        review=with_letter, letter_sent_on=datetime.date(2014, 1, 2)
    )
    recent_letter = CountryReviewFactory()
    FollowUp.objects.create(
        review=recent_letter, letter_sent_on=datetime.date(2014, 5, 20)
    )
    planned = CountryReviewFactory()
    FollowUp.objects.create(review=planned, letter_sent_on=datetime.date(2013, 1, 2))
    plan = ActionPlan.objects.create(state=planned.state, title="Plan A")
    integrated = ActionPlan.objects.create(
        state=with_letter.state, title="Plan B", status=ActionPlan.Status.SUPERSEDED
    )
    kept = ActionPlan.objects.create(state=recent_letter.state, title="Plan C")
    ActionPlanItem.objects.create(
        plan=kept,
        rank=1,
        responsible_authority="Ministry",
        integration="undaf",
        integration_reference="UNDAF 2014-2018",
    )
    unaddressed = NeedFactory(review=no_letter)
    addressed = NeedFactory(review=with_letter)
    in_part = NeedFactory(review=planned, coverage=Need.Coverage.MET_IN_PART)
    project = make_assistance(states=[with_letter.state])
    AssistanceNeed.objects.create(
        assistance=project, need=addressed, coverage="in-part"
    )
    ended = make_assistance(status=Assistance.Status.ENDED, title="Ended 2003-2007")

    sections = {
        s.key: s
        for s in selectors.desk(user=secretariat, today=TODAY, days_without_plan=90)
    }

    assert keys(sections["no-letter"]) == {no_letter.pk}
    assert keys(sections["no-plan"]) == {with_letter.follow_up.pk}  # superseded plan
    assert keys(sections["not-integrated"]) == {plan.pk}
    assert integrated.pk not in keys(sections["not-integrated"])
    assert keys(sections["unaddressed"]) == {unaddressed.pk}
    assert keys(sections["in-part"]) == {in_part.pk}
    assert keys(sections["ended"]) == {ended.pk}


def test_desk_query_count_is_bounded(secretariat, django_assert_max_num_queries):
    for _ in range(10):
        NeedFactory(review=CountryReviewFactory())
    with django_assert_max_num_queries(17):  # the imported projects' section: 3
        selectors.desk(user=secretariat, today=TODAY)


def test_donor_mapping_totals_equal_the_recorded_links(secretariat):
    eu = Donor.objects.create(name="European Union", kind="regional")
    coe = Donor.objects.create(name="Council of Europe", kind="regional")
    needs = [NeedFactory(), NeedFactory(), NeedFactory(need_type_id=6)]
    joint = make_assistance(donors=[eu, coe])
    solo = make_assistance(donors=[eu])
    AssistanceNeed.objects.create(assistance=joint, need=needs[0], coverage="in-part")
    AssistanceNeed.objects.create(assistance=solo, need=needs[0], coverage="in-part")
    AssistanceNeed.objects.create(assistance=solo, need=needs[2], coverage="in-full")
    NeedFactory()  # unaddressed

    matrix = selectors.donor_matrix(user=secretariat, dimension="type")
    cells = {row.donor: row.cells for row in matrix.rows}
    # (projects, needs addressed in full, distinct needs addressed only in part)
    assert cells["European Union"]["good-practices"] == selectors.Cell(2, 0, 1)
    assert cells["European Union"]["capacity-building"] == selectors.Cell(1, 1, 0)
    assert cells["Council of Europe"] == {"good-practices": selectors.Cell(1, 0, 1)}
    unmet = set(selectors.unmet_needs(user=secretariat).values_list("pk", flat=True))
    assert needs[0].pk not in unmet
    assert needs[1].pk in unmet


def test_a_regional_cluster_appears_only_at_the_threshold(secretariat):
    asia = RegionalGroup.objects.get(slug="asia-pacific")
    article = Article.objects.get(number=32)
    for _ in range(2):
        NeedFactory(review__state__regional_group=asia, article=article, need_type_id=6)
    NeedFactory(article=article, need_type_id=6)  # another group
    assert selectors.regional_clusters(user=secretariat, threshold=3) == []
    NeedFactory(review__state__regional_group=asia, article=article, need_type_id=6)
    [cluster] = selectors.regional_clusters(user=secretariat, threshold=3)
    assert (cluster["region"], cluster["article"], cluster["states"]) == (
        "asia-pacific",
        32,
        3,
    )


def test_gaps_show_what_is_stale(own_review, secretariat):
    fresh = NeedFactory(review=own_review)
    met = NeedFactory(
        review=own_review,
        article_id=Article.objects.get(number=16).pk,
        coverage=Need.Coverage.MET_FULLY,
    )
    plan = ActionPlan.objects.create(state=own_review.state, title="Plan")
    late = ActionPlanItem.objects.create(
        plan=plan,
        rank=1,
        responsible_authority="Ministry",
        due_on=TODAY - datetime.timedelta(1),
    )
    ActionPlanItem.objects.create(
        plan=plan, rank=2, responsible_authority="Court", due_on=TODAY, completed=True
    )
    report = selectors.state_gaps(user=secretariat, state=own_review.state, today=TODAY)
    assert [n.pk for n in report.no_coverage_information] == [fresh.pk]
    assert [n.pk for n in report.met_without_assistance] == [met.pk]
    assert [i.pk for i in report.items_past_timeline] == [late.pk]


def test_reminders_cost_the_same_queries_for_1_or_10_states(
    django_assert_max_num_queries,
):
    def plans(count):
        for _ in range(count):
            review = CountryReviewFactory()
            plan = ActionPlan.objects.create(state=review.state, title="Plan")
            ActionPlanItem.objects.create(
                plan=plan, rank=1, responsible_authority="M", due_on=TODAY
            )
            FollowUp.objects.create(
                review=review, next_step="Visit", next_step_due=TODAY
            )

    plans(1)
    with django_assert_max_num_queries(4):
        assert len(selectors.reminders_due(today=TODAY)) == 2
    plans(9)
    with django_assert_max_num_queries(4):
        assert len(selectors.reminders_due(today=TODAY)) == 20
