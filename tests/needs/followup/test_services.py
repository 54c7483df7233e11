"""Follow-up services: coverage that follows assistance, corrections, consent and
reminders."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from needs.followup import services
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    Consent,
    FollowUp,
    Need,
    Reminder,
)
from needs.reports.statistics import compute
from reviews.models import Account
from tests.factories import (
    AccountFactory,
    CountryReviewFactory,
    NeedFactory,
    make_assistance,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2014, 6, 1)


def test_coverage_follows_assistance(secretariat):
    need = NeedFactory()
    project = make_assistance(
        status=Assistance.Status.PLANNED, states=[need.review.state]
    )
    services.assistance_link_need(
        assistance=project, need=need, coverage="in-full", user=secretariat
    )
    need.refresh_from_db()
    assert need.coverage == Need.Coverage.NOT_YET_ADDRESSED  # planned does not count
    project.status = Assistance.Status.ONGOING
    project.save()
    services.assistance_refresh_needs(assistance=project, user=secretariat)
    need.refresh_from_db()
    assert (need.coverage, need.coverage_basis) == ("met-fully", "derived")
    project.status = Assistance.Status.ENDED
    project.save()
    services.assistance_refresh_needs(assistance=project)
    need.refresh_from_db()
    assert need.coverage == "met-in-part"


def test_an_explicit_correction_is_respected_until_cleared(
    secretariat, focal_point, own_review
):
    need = NeedFactory(review=own_review)
    services.need_coverage_set(
        need=need,
        user=focal_point,
        coverage="met-in-part",
        reason="Training delivered by a bilateral donor",
        remaining="Prosecutors",
    )
    need.refresh_from_db()
    assert (need.coverage_basis, need.coverage_set_by) == ("corrected", focal_point)
    project = make_assistance(states=[own_review.state])
    services.assistance_link_need(
        assistance=project, need=need, coverage="in-full", user=secretariat
    )
    need.refresh_from_db()
    assert need.coverage == "met-in-part"  # the correction stands
    services.need_coverage_clear(need=need, user=secretariat)
    need.refresh_from_db()
    assert (need.coverage, need.coverage_basis) == ("met-fully", "derived")


def test_correction_needs_a_reason_and_a_right(
    client, viewer, other_review, secretariat
):
    need = NeedFactory(review=other_review)
    client.force_login(secretariat)
    client.post(
        reverse("followup:need_coverage", args=[need.pk]), {"coverage": "met-fully"}
    )
    need.refresh_from_db()
    assert need.coverage == "not-yet-addressed"
    client.force_login(viewer)
    response = client.post(
        reverse("followup:need_coverage", args=[need.pk]),
        {"coverage": "met-fully", "reason": "x"},
    )
    assert response.status_code == 403
    need.refresh_from_db()
    assert need.coverage == "not-yet-addressed"


def test_full_report_refusal_hides_descriptions_but_not_counts(
    client, secretariat, viewer
):
    review = CountryReviewFactory(full_report_consent=True)
    need = NeedFactory(review=review, description="Sensitive detail")
    consent = services.consent_record(
        review=review,
        subject=Consent.Subject.FULL_REPORT,
        audience="donors",
        agreed_on=datetime.date(2013, 3, 1),
        user=secretariat,
    )
    client.force_login(viewer)
    assert "Sensitive detail" in client.get(need.get_absolute_url()).getvalue().decode()

    services.consent_withdraw(consent=consent, user=secretariat)
    before = compute().needs
    doors = [
        need.get_absolute_url(),
        reverse("needs:need_list"),
        reverse("needs:need_list") + "?format=csv",
        f"/api/v1/needs/{need.pk}/",
        "/api/v1/needs/",
        reverse("followup:unmet_needs") + "?format=csv",
    ]
    for url in doors:
        assert "Sensitive detail" not in client.get(url).getvalue().decode(), url
    client.force_login(secretariat)
    assert "Sensitive detail" in client.get(need.get_absolute_url()).getvalue().decode()
    assert compute().needs == before == 1


def test_un_only_consent_keeps_the_report_from_donors(secretariat):
    review = CountryReviewFactory(full_report_consent=True)
    services.consent_record(
        review=review,
        subject="full-report",
        audience="un-only",
        agreed_on=datetime.date(2013, 3, 1),
        user=secretariat,
    )
    review.refresh_from_db()
    assert review.full_report_consent is False


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

    services.reminders_send(today=TODAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2  # same periods: nothing again
    services.reminders_send(today=TODAY + datetime.timedelta(days=25))
    assert len(mail.outbox) == 3  # the step is now overdue: a new period
    assert Reminder.objects.count() == 3
