"""Follow-up services: coverage that follows assistance, corrections, consent and
reminders."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from needs.followup import selectors, services
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    FollowUp,
    Need,
    Reminder,
)
from needs.services import need_coverage_propose
from reviews.models import Account
from tests.factories import (
    AccountFactory,
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


def test_an_explicit_correction_is_respected_until_cleared(secretariat, own_review):
    need = NeedFactory(review=own_review)
    services.need_coverage_set(
        need=need,
        user=secretariat,
        coverage="met-in-part",
        reason="Training delivered by a bilateral donor",
        remaining="Prosecutors",
    )
    need.refresh_from_db()
    assert (need.coverage_basis, need.coverage_set_by) == ("corrected", secretariat)
    project = make_assistance(states=[own_review.state])
    services.assistance_link_need(
        assistance=project, need=need, coverage="in-full", user=secretariat
    )
    need.refresh_from_db()
    assert need.coverage == "met-in-part"  # the correction stands
    services.need_coverage_clear(need=need, user=secretariat)
    need.refresh_from_db()
    assert (need.coverage, need.coverage_basis) == ("met-fully", "derived")


@pytest.mark.parametrize(
    "status",
    [
        Assistance.Status.PLANNED,
        Assistance.Status.ONGOING,
        Assistance.Status.COMPLETED,
        Assistance.Status.ENDED,
    ],
)
@pytest.mark.parametrize("coverage", ["in-part", "in-full"])
def test_a_correction_survives_linking_any_assistance_only_derived_moves(
    secretariat, own_review, status, coverage
):
    # given a corrected need and a derived one
    corrected = NeedFactory(review=own_review)
    derived = NeedFactory(review=own_review, need_type_id=6)
    services.need_coverage_set(
        need=corrected, user=secretariat, coverage="met-fully", reason="Seen on site"
    )
    project = make_assistance(status=status, states=[own_review.state])

    # when the assistance is linked to both, then changes status
    for need in (corrected, derived):
        services.assistance_link_need(
            assistance=project, need=need, coverage=coverage, user=secretariat
        )
    project.status = Assistance.Status.COMPLETED
    services.assistance_save(assistance=project, user=secretariat)

    # then the correction stands; the derived coverage follows the assistance
    corrected.refresh_from_db()
    derived.refresh_from_db()
    assert (corrected.coverage, corrected.coverage_basis) == ("met-fully", "corrected")
    expected = "met-fully" if coverage == "in-full" else "met-in-part"
    assert (derived.coverage, derived.coverage_basis) == (expected, "derived")


def test_a_focal_point_reports_coverage_as_a_proposal(focal_point, own_review):
    need = NeedFactory(review=own_review)
    with pytest.raises(PermissionDenied):
        services.need_coverage_set(
            need=need, user=focal_point, coverage="met-fully", reason="Done"
        )
    need_coverage_propose(
        need=need, user=focal_point, coverage="met-fully", reason="Done"
    )
    need.refresh_from_db()
    assert need.coverage == "not-yet-addressed"
    assert (need.proposal.coverage, need.proposal.coverage_reason) == (
        "met-fully",
        "Done",
    )


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


def test_each_recipient_is_reminded_in_their_language(own_review, focal_point):
    # given a focal point who reads French and secretariat staff who read English
    focal_point.email = "fp@example.org"
    focal_point.save()
    Account.objects.filter(user=focal_point).update(language="fr")
    staff = AccountFactory(
        role=Account.Role.SECRETARIAT, user__email="sec@example.org"
    ).user
    FollowUp.objects.create(
        review=own_review,
        letter_sent_on=datetime.date(2014, 1, 1),
        responsible=staff,
        next_step="Atelier",
        next_step_due=TODAY - datetime.timedelta(2),
    )

    # when the reminders go out
    services.reminders_send(today=TODAY)

    # then each reads it in their own language
    [due] = selectors.reminders_due(today=TODAY)
    with translation.override("fr"):
        french = due.subject
    with translation.override("en"):
        english = due.subject
    assert french != english
    sent = {tuple(m.to): m.subject for m in mail.outbox}
    assert sent == {("fp@example.org",): french, ("sec@example.org",): english}
