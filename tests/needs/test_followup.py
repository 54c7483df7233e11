"""Follow-up (paragraphs 72-79): desk, coverage, donor mapping, consent, clusters,
completeness and reminders."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from needs import followup
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Consent,
    Donor,
    FollowUp,
    Need,
    Reminder,
)
from needs.statistics import compute
from reviews.models import Account, Article, RegionalGroup
from tests.factories import (
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
    StatePartyFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2014, 6, 1)


def assistance(status=Assistance.Status.ONGOING, donors=(), states=(), **values):
    item = Assistance.objects.create(
        title=values.pop("title", "Project"), status=status, **values
    )
    item.donors.set(donors)
    item.beneficiaries.set(states)
    return item


# ---------------------------------------------------------------------------
# The desk
# ---------------------------------------------------------------------------
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
    project = assistance(states=[with_letter.state])
    AssistanceNeed.objects.create(
        assistance=project, need=addressed, coverage="in-part"
    )
    ended = assistance(status=Assistance.Status.ENDED, title="Ended 2003-2007")

    sections = {s.key: s for s in followup.desk(today=TODAY, days_without_plan=90)}

    assert keys(sections["no-letter"]) == {no_letter.pk}
    assert keys(sections["no-plan"]) == {with_letter.follow_up.pk}  # superseded plan
    assert keys(sections["not-integrated"]) == {plan.pk}
    assert integrated.pk not in keys(sections["not-integrated"])
    assert keys(sections["unaddressed"]) == {unaddressed.pk}
    assert keys(sections["in-part"]) == {in_part.pk}
    assert keys(sections["ended"]) == {ended.pk}


def test_desk_page_is_for_the_secretariat(client, secretariat, focal_point, viewer):
    client.force_login(secretariat)
    response = client.get(reverse("needs:desk"), {"days": 30})
    assert response.status_code == 200
    assert response.context["days"] == 30
    for user in (focal_point, viewer):
        client.force_login(user)
        assert client.get(reverse("needs:desk")).status_code == 404


def test_desk_query_count_is_bounded(secretariat, django_assert_max_num_queries):
    for _ in range(10):
        NeedFactory(review=CountryReviewFactory())
    with django_assert_max_num_queries(14):
        followup.desk(today=TODAY)


# ---------------------------------------------------------------------------
# Coverage follows the assistance and respects an explicit correction
# ---------------------------------------------------------------------------
def test_coverage_follows_assistance(secretariat):
    need = NeedFactory()
    project = assistance(status=Assistance.Status.PLANNED, states=[need.review.state])
    followup.assistance_link_need(
        assistance=project, need=need, coverage="in-full", user=secretariat
    )
    need.refresh_from_db()
    assert need.coverage == Need.Coverage.NOT_YET_ADDRESSED  # planned does not count
    project.status = Assistance.Status.ONGOING
    project.save()
    followup.assistance_refresh_needs(assistance=project, user=secretariat)
    need.refresh_from_db()
    assert (need.coverage, need.coverage_basis) == ("met-fully", "derived")
    project.status = Assistance.Status.ENDED
    project.save()
    followup.assistance_refresh_needs(assistance=project)
    need.refresh_from_db()
    assert need.coverage == "met-in-part"


def test_an_explicit_correction_is_respected_until_cleared(
    secretariat, focal_point, own_review
):
    need = NeedFactory(review=own_review)
    followup.need_set_coverage(
        need=need,
        user=focal_point,
        coverage="met-in-part",
        reason="Training delivered by a bilateral donor",
        remaining="Prosecutors",
    )
    need.refresh_from_db()
    assert (need.coverage_basis, need.coverage_set_by) == ("corrected", focal_point)
    project = assistance(states=[own_review.state])
    followup.assistance_link_need(
        assistance=project, need=need, coverage="in-full", user=secretariat
    )
    need.refresh_from_db()
    assert need.coverage == "met-in-part"  # the correction stands
    followup.need_clear_coverage(need=need, user=secretariat)
    need.refresh_from_db()
    assert (need.coverage, need.coverage_basis) == ("met-fully", "derived")


def test_correction_needs_a_reason_and_a_right(
    client, viewer, other_review, secretariat
):
    need = NeedFactory(review=other_review)
    client.force_login(secretariat)
    client.post(
        reverse("needs:need_coverage", args=[need.pk]), {"coverage": "met-fully"}
    )
    need.refresh_from_db()
    assert need.coverage == "not-yet-addressed"
    client.force_login(viewer)
    response = client.post(
        reverse("needs:need_coverage", args=[need.pk]),
        {"coverage": "met-fully", "reason": "x"},
    )
    assert response.status_code == 403
    need.refresh_from_db()
    assert need.coverage == "not-yet-addressed"


def test_page_shows_which_basis(client, secretariat):
    need = NeedFactory()
    client.force_login(secretariat)
    client.post(
        reverse("needs:need_coverage", args=[need.pk]),
        {"coverage": "met-fully", "reason": "Reported at the IRG", "remaining": ""},
    )
    content = client.get(need.get_absolute_url()).content.decode()
    assert "corrected by sec" in content
    assert "Reported at the IRG" in content


# ---------------------------------------------------------------------------
# Donor mapping
# ---------------------------------------------------------------------------
def test_donor_mapping_totals_equal_the_recorded_links(secretariat):
    eu = Donor.objects.create(name="European Union", kind="regional")
    coe = Donor.objects.create(name="Council of Europe", kind="regional")
    needs = [NeedFactory(), NeedFactory(), NeedFactory(need_type_id=6)]
    joint = assistance(donors=[eu, coe])
    solo = assistance(donors=[eu])
    AssistanceNeed.objects.create(assistance=joint, need=needs[0], coverage="in-part")
    AssistanceNeed.objects.create(assistance=solo, need=needs[0], coverage="in-part")
    AssistanceNeed.objects.create(assistance=solo, need=needs[2], coverage="in-full")
    NeedFactory()  # unaddressed

    matrix = followup.donor_matrix(dimension="type")
    cells = {row["donor"]: row["cells"] for row in matrix.rows}
    assert cells["European Union"]["good-practices"] == {"in-part": 1}  # distinct needs
    assert cells["European Union"]["capacity-building"] == {"in-full": 1}
    assert cells["Council of Europe"] == {"good-practices": {"in-part": 1}}
    expected = {
        (donor.name, link.need_id, link.coverage)
        for link in AssistanceNeed.objects.all()
        for donor in link.assistance.donors.all()
    }
    assert sum(
        matrix.total(row, key) for row in matrix.rows for key, _ in matrix.columns
    ) == len(expected)
    unmet = set(followup.unmet_needs().values_list("pk", flat=True))
    assert needs[0].pk not in unmet
    assert needs[1].pk in unmet


def test_mapping_and_unmet_pages_with_csv(client, secretariat):
    need = NeedFactory()
    client.force_login(secretariat)
    for dimension in ["type", "article", "region", "state"]:
        assert (
            client.get(reverse("needs:donor_mapping"), {"by": dimension}).status_code
            == 200
        )
    csv_text = client.get(
        reverse("needs:unmet_needs"), {"format": "csv"}
    ).content.decode()
    assert str(need.pk) in csv_text
    filtered = client.get(reverse("needs:unmet_needs"), {"article": 16})
    assert filtered.context["page_obj"].paginator.count == 0


# ---------------------------------------------------------------------------
# Consent (paragraph 79)
# ---------------------------------------------------------------------------
def test_full_report_refusal_hides_descriptions_but_not_counts(
    client, secretariat, viewer
):
    review = CountryReviewFactory(full_report_consent=True)
    need = NeedFactory(review=review, description="Sensitive detail")
    consent = followup.consent_record(
        review=review,
        subject=Consent.Subject.FULL_REPORT,
        audience="donors",
        agreed_on=datetime.date(2013, 3, 1),
        user=secretariat,
    )
    client.force_login(viewer)
    assert "Sensitive detail" in client.get(need.get_absolute_url()).content.decode()

    followup.consent_withdraw(consent=consent, user=secretariat)
    before = compute()["needs"]
    doors = [
        need.get_absolute_url(),
        reverse("needs:need_list"),
        reverse("needs:need_list") + "?format=csv",
        f"/api/v1/needs/{need.pk}/",
        "/api/v1/needs/",
        reverse("needs:unmet_needs") + "?format=csv",
    ]
    for url in doors:
        assert "Sensitive detail" not in client.get(url).content.decode(), url
    client.force_login(secretariat)
    assert "Sensitive detail" in client.get(need.get_absolute_url()).content.decode()
    assert compute()["needs"] == before == 1


def test_un_only_consent_keeps_the_report_from_donors(secretariat):
    review = CountryReviewFactory(full_report_consent=True)
    followup.consent_record(
        review=review,
        subject="full-report",
        audience="un-only",
        agreed_on=datetime.date(2013, 3, 1),
        user=secretariat,
    )
    review.refresh_from_db()
    assert review.full_report_consent is False


# ---------------------------------------------------------------------------
# Regional clustering (paragraph 84)
# ---------------------------------------------------------------------------
def test_a_regional_cluster_appears_only_at_the_threshold():
    asia = RegionalGroup.objects.get(slug="asia-pacific")
    article = Article.objects.get(number=32)
    for _ in range(2):
        NeedFactory(review__state__regional_group=asia, article=article, need_type_id=6)
    NeedFactory(article=article, need_type_id=6)  # another group
    assert followup.regional_clusters(threshold=3) == []
    NeedFactory(review__state__regional_group=asia, article=article, need_type_id=6)
    [cluster] = followup.regional_clusters(threshold=3)
    assert (cluster["region"], cluster["article"], cluster["states"]) == (
        "asia-pacific",
        32,
        3,
    )


# ---------------------------------------------------------------------------
# Completeness and reminders
# ---------------------------------------------------------------------------
def test_completeness_shows_what_is_stale(own_review):
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
    report = followup.state_completeness(state=own_review.state, today=TODAY)
    assert [n.pk for n in report.no_coverage_information] == [fresh.pk]
    assert [n.pk for n in report.met_without_assistance] == [met.pk]
    assert [i.pk for i in report.items_past_timeline] == [late.pk]


def test_reminders_go_once_per_item_and_period(own_review, focal_point):
    focal_point.email = "fp@example.org"
    focal_point.save()
    staff = AccountFactory(
        role=Account.Role.SECRETARIAT, user__email="sec@example.org"
    ).user
    FollowUp.objects.create(
        review=own_review,
        letter_sent_on=datetime.date(2014, 1, 1),
        responsible=staff,
        next_step="Workshop on the action plan",
        next_step_due=TODAY + datetime.timedelta(20),
    )
    plan = ActionPlan.objects.create(state=own_review.state, title="Plan")
    ActionPlanItem.objects.create(
        plan=plan,
        rank=1,
        responsible_authority="Ministry of Justice",
        due_on=TODAY - datetime.timedelta(3),
    )
    ActionPlanItem.objects.create(
        plan=plan,
        rank=2,
        responsible_authority="Later",
        due_on=TODAY + datetime.timedelta(90),
    )

    call_command("send_reminders", "--today", TODAY.isoformat(), stdout=io.StringIO())
    assert len(mail.outbox) == 2
    assert {tuple(sorted(m.to)) for m in mail.outbox} == {
        ("fp@example.org", "sec@example.org")
    }
    assert any("overdue" in m.subject for m in mail.outbox)

    followup.reminders_send(today=TODAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2  # same periods: nothing again
    followup.reminders_send(today=TODAY + datetime.timedelta(days=25))
    assert len(mail.outbox) == 3  # the step is now overdue: a new period
    assert Reminder.objects.count() == 3


def test_state_follow_up_page_for_the_state_and_the_secretariat(
    client, focal_point, own_review, other_review, secretariat
):
    FollowUp.objects.create(review=own_review, letter_sent_on=datetime.date(2013, 2, 1))
    NeedFactory(review=own_review)
    client.force_login(focal_point)
    page = client.get(reverse("needs:state_follow_up", args=[own_review.state.code]))
    assert page.status_code == 200
    assert [w for _, w, _ in page.context["timeline"]] == ["Letter sent"]
    other = reverse("needs:state_follow_up", args=[other_review.state.code])
    assert client.get(other).status_code == 404
    client.force_login(secretariat)
    assert client.get(other).status_code == 200
    assert client.get(reverse("needs:clusters"), {"threshold": 2}).status_code == 200


def test_national_assistance_serves_one_state_in_the_api(secretariat):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(secretariat)
    states = [StatePartyFactory().code, StatePartyFactory().code]
    response = api.post(
        "/api/v1/assistance/",
        {
            "title": "Judicial reform",
            "beneficiaries": states,
            "modality": "national",
            "status": "ongoing",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "National assistance serves one State" in response.json()["modality"][0]
    budget = api.post(
        "/api/v1/assistance/",
        {"title": "x", "beneficiaries": states[:1], "budget": "1000.00"},
        format="json",
    )
    assert budget.status_code == 400
    assert "A budget needs its currency." in str(budget.json())
    assert not Assistance.objects.exists()


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
        assert len(followup.reminders_due(today=TODAY)) == 2
    plans(9)
    with django_assert_max_num_queries(4):
        assert len(followup.reminders_due(today=TODAY)) == 20
