"""Writes of the follow-up (paragraphs 72-79 of the 2013 note): coverage, assistance
and donors, consent, action plans, the follow-up of a review, and reminders.

One service per rule; views, serializers and the admin call these and never write the
fields they own (a need's coverage and its basis, consent, plan items, links).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from needs.followup.selectors import Due, reminders_due
from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    AssistanceReportNeed,
    Consent,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
    Reminder,
)
from needs.permissions import (
    can_change_assistance_report,
    can_confirm_assistance_report,
    can_decide_coverage,
    can_edit_plan,
    can_record_assistance,
    can_record_consent,
    can_record_follow_up,
    can_report_assistance,
)
from needs.reports.cache import statistics_changed
from reviews.models import Account, CountryReview

COUNTING = [
    Assistance.Status.ONGOING,
    Assistance.Status.COMPLETED,
    Assistance.Status.ENDED,
]
DELIVERING = [Assistance.Status.ONGOING, Assistance.Status.COMPLETED]


# ---------------------------------------------------------------------------
# Coverage follows the assistance, unless a person confirmed or corrected it
# ---------------------------------------------------------------------------
def coverage_from_links(links) -> str:
    """Met fully: an ongoing or completed assistance covers it in full. Met in part:
    any assistance under way, completed or ended covers it. Planned assistance does
    not count yet. (What a focal point reports is an AssistanceReport, not a link:
    it counts from the secretariat's confirmation, `assistance_report_confirm`.)"""
    delivering = [link for link in links if link.assistance.status in COUNTING]
    if any(
        link.coverage == AssistanceNeed.Coverage.IN_FULL
        and link.assistance.status in DELIVERING
        for link in delivering
    ):
        return Need.Coverage.MET_FULLY
    return Need.Coverage.MET_IN_PART if delivering else Need.Coverage.NOT_YET_ADDRESSED


def derived_coverage(need: Need) -> str:
    """The coverage that the need's assistance links give."""
    return coverage_from_links(need.assistance_links.select_related("assistance"))


def need_coverage_refresh(*, need: Need, user=None) -> Need:
    """Apply the coverage that follows from the assistance, if nobody set it."""
    if need.coverage_basis != Need.CoverageBasis.DERIVED:
        return need
    coverage = derived_coverage(need)
    if coverage != need.coverage:
        statistics_changed()
        need.coverage = coverage
        need.coverage_set_at = timezone.now()
        need.accepted_values_changed(need.coverage_set_at)
        need._history_user = user
        need.save()
    return need


@transaction.atomic
def need_coverage_set(*, need: Need, user, coverage: str, reason: str, remaining=None):
    """The secretariat confirms or corrects a need's coverage, with a reason; it
    stands until cleared. (A focal point's report is a proposal first:
    `needs.services.need_coverage_propose`.)"""
    if not can_decide_coverage(user, need):
        raise PermissionDenied(gettext("You cannot change this need's coverage."))
    if not reason.strip():
        raise ValidationError(
            {"reason": gettext("Give the reason for confirming or correcting.")}
        )
    if coverage not in Need.Coverage.values:
        # Translators: %(coverage)s is the value given, in quotes.
        message = gettext("Unknown coverage %(coverage)s.")
        raise ValidationError({"coverage": message % {"coverage": repr(coverage)}})
    derived = derived_coverage(need)
    statistics_changed()
    need.coverage = coverage
    need.coverage_basis = (
        Need.CoverageBasis.CONFIRMED
        if coverage == derived
        else Need.CoverageBasis.CORRECTED
    )
    need.coverage_reason = reason.strip()
    need.coverage_set_by = user
    need.coverage_set_at = timezone.now()
    if remaining is not None:
        need.remaining = remaining
    need.accepted_values_changed(need.coverage_set_at)
    need._history_user = user
    need.save()
    return need


@transaction.atomic
def need_coverage_clear(*, need: Need, user) -> Need:
    """Drop a confirmation or correction: the coverage follows the assistance again."""
    if not can_decide_coverage(user, need):
        raise PermissionDenied(gettext("You cannot change this need's coverage."))
    statistics_changed()
    need.coverage_basis = Need.CoverageBasis.DERIVED
    need.coverage_reason = ""
    need.coverage_set_by = None
    need.coverage = derived_coverage(need)
    need.coverage_set_at = timezone.now()
    need.accepted_values_changed(need.coverage_set_at)
    need._history_user = user
    need.save()
    return need


@transaction.atomic
def assistance_link_need(
    *, assistance: Assistance, need: Need, coverage: str, user, note: str = ""
) -> AssistanceNeed:
    """Record that `assistance` addresses `need`; the need's coverage follows."""
    if not can_record_assistance(user):
        raise PermissionDenied(gettext("Only the secretariat records assistance."))
    link = AssistanceNeed.objects.filter(assistance=assistance, need=need).first()
    link = link or AssistanceNeed(assistance=assistance, need=need)
    link.coverage, link.note = coverage, note
    link.full_clean()
    link._history_user = user
    link.save()
    need_coverage_refresh(need=need, user=user)
    return link


@transaction.atomic
def assistance_unlink_need(*, assistance: Assistance, need: Need, user) -> None:
    if not can_record_assistance(user):
        raise PermissionDenied(gettext("Only the secretariat records assistance."))
    for link in AssistanceNeed.objects.filter(assistance=assistance, need=need):
        link._history_user = user
        link.delete()
    need_coverage_refresh(need=need, user=user)


def assistance_refresh_needs(*, assistance: Assistance, user=None) -> None:
    """After the assistance's status changed: its needs' coverage follows."""
    for need in Need.objects.filter(assistance_links__assistance=assistance).distinct():
        need_coverage_refresh(need=need, user=user)


@transaction.atomic
def assistance_save(
    *, assistance: Assistance, user, donors=None, beneficiaries=None, links=None
) -> Assistance:
    """Create or change an assistance record (its donors and beneficiary States when
    given; when `links` is given, [{"need", "coverage", "note"}], the needs it
    addresses are replaced by them); the coverage of those needs follows."""
    if not can_record_assistance(user):
        raise PermissionDenied(gettext("Only the secretariat records assistance."))
    assistance.full_clean()
    assistance._history_user = user
    assistance.save()
    if donors is not None:
        assistance.donors.set(donors)
    if beneficiaries is not None:
        assistance.beneficiaries.set(beneficiaries)
    if links is not None:
        _links_replace(assistance=assistance, links=links, user=user)
    assistance_refresh_needs(assistance=assistance, user=user)
    return assistance


def _links_replace(*, assistance: Assistance, links: list[dict], user) -> None:
    """Unlink the needs no longer named; link the new and the changed ones (an
    unchanged link is left alone, and so is its history)."""
    current = {link.need_id: link for link in assistance.links.select_related("need")}
    wanted = {values["need"].pk for values in links}
    for need_id, link in current.items():
        if need_id not in wanted:
            assistance_unlink_need(assistance=assistance, need=link.need, user=user)
    for values in links:
        link, note = current.get(values["need"].pk), values.get("note", "")
        if link and (link.coverage, link.note) == (values["coverage"], note):
            continue
        assistance_link_need(
            assistance=assistance,
            need=values["need"],
            coverage=values["coverage"],
            note=note,
            user=user,
        )


@transaction.atomic
def donor_save(*, donor: Donor, user) -> Donor:
    if not can_record_assistance(user):
        raise PermissionDenied(gettext("Only the secretariat records donors."))
    donor.full_clean()
    donor.save()
    return donor


# ---------------------------------------------------------------------------
# Assistance reported by a State (paragraphs 75-76), confirmed by the secretariat
# ---------------------------------------------------------------------------
@transaction.atomic
def assistance_report_save(
    *, report: AssistanceReport, links: list[dict], user
) -> AssistanceReport:
    """A focal point reports (or, while it awaits confirmation, changes its report of)
    assistance that addresses its State's needs: `links` are [{"need", "coverage"}].
    A typed donor name that is a recorded donor's becomes that donor."""
    if not can_report_assistance(user, report.state_id) or (
        report.pk and not can_change_assistance_report(user, report)
    ):
        raise PermissionDenied(gettext("You cannot report assistance for this State."))
    _report_donor_match(report)
    report.full_clean(exclude=["reported_by", "reported_at"])
    _report_links_check(report, links)
    report.reported_by, report.reported_at = user, timezone.now()
    report._history_user = user
    report.save()
    report.links.all().delete()
    for values in links:
        link = AssistanceReportNeed(report=report, **values)
        link.full_clean()
        link._history_user = user
        link.save()
    return report


def _report_donor_match(report: AssistanceReport) -> None:
    name = report.donor_name.strip()
    known = Donor.objects.filter(name__iexact=name).first() if name else None
    if known is not None and not report.donor_id:
        report.donor, report.donor_name = known, ""


def _report_links_check(report: AssistanceReport, links: list[dict]) -> None:
    if not links:
        raise ValidationError(
            {"needs": gettext("Say which of the State's needs it addresses.")}
        )
    state_id = report.state_id
    foreign = [v["need"].pk for v in links if v["need"].review.state_id != state_id]
    if foreign:
        # Translators: %(needs)s lists the numbers of needs ("[12, 14]").
        message = gettext("Needs %(needs)s are not the State's own needs.")
        raise ValidationError({"needs": message % {"needs": foreign}})


@transaction.atomic
def assistance_report_confirm(
    *,
    report: AssistanceReport,
    assistance: Assistance,
    donors,
    beneficiaries,
    links: list[dict],
    user,
    new_donor: Donor | None = None,
    comment: str = "",
) -> Assistance:
    """The secretariat confirms a State's report, with the values it settles on (it
    may correct any of them): `assistance` (unsaved) is recorded with its donors,
    beneficiaries and links, through `assistance_save`, so coverage follows from now
    on. `new_donor`, when given, is recorded first and added to the donors."""
    if not can_confirm_assistance_report(user, report):
        raise PermissionDenied(gettext("Only the secretariat confirms reports."))
    donors = list(donors)
    if new_donor is not None:
        donors.append(donor_save(donor=new_donor, user=user))
    assistance = assistance_save(
        assistance=assistance,
        donors=donors,
        beneficiaries=beneficiaries,
        links=links,
        user=user,
    )
    _report_decide(report, user, AssistanceReport.Confirmation.CONFIRMED, comment)
    report.assistance = assistance
    report.save()
    return assistance


@transaction.atomic
def assistance_report_decline(
    *, report: AssistanceReport, user, comment: str
) -> AssistanceReport:
    """The secretariat does not confirm a report (a duplicate, say), with the reason;
    it never counts."""
    if not can_confirm_assistance_report(user, report):
        raise PermissionDenied(gettext("Only the secretariat confirms reports."))
    if not comment.strip():
        raise ValidationError(
            {"comment": gettext("Tell the State why it is not confirmed.")}
        )
    _report_decide(report, user, AssistanceReport.Confirmation.DECLINED, comment)
    report.save()
    return report


def _report_decide(report: AssistanceReport, user, confirmation: str, comment: str):
    report.confirmation = confirmation
    report.decided_by, report.decided_at = user, timezone.now()
    report.decision_comment = comment.strip()
    report._history_user = user


# ---------------------------------------------------------------------------
# Consent (paragraph 79)
# ---------------------------------------------------------------------------
@transaction.atomic
def consent_record(
    *, review: CountryReview, subject: str, audience: str, agreed_on, user, notes=""
) -> Consent:
    """Record what the State agreed to share from its review, with whom, since when
    (paragraph 79). The Consent records are the one source of truth: what viewers see
    of the review's needs, descriptions and action plan follows them
    (`needs.permissions`)."""
    if not can_record_consent(user):
        raise PermissionDenied(gettext("Only the secretariat records consent."))
    consent = Consent.objects.filter(review=review, subject=subject).first()
    consent = consent or Consent(review=review, subject=subject)
    consent.audience, consent.agreed_on, consent.notes = audience, agreed_on, notes
    consent.full_clean()
    consent._history_user = user
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, user) -> None:
    """The State no longer shares this subject: it is for the secretariat and the
    State only again."""
    if not can_record_consent(user):
        raise PermissionDenied(gettext("Only the secretariat records consent."))
    consent._history_user = user
    consent.delete()


# ---------------------------------------------------------------------------
# Action plans and follow-ups with their items and events
# ---------------------------------------------------------------------------
@transaction.atomic
def action_plan_save(*, plan: ActionPlan, items: list[dict] | None, user) -> ActionPlan:
    """Save a plan and, when given, replace its items; all or nothing."""
    if not can_edit_plan(user, plan.state_id):
        raise PermissionDenied(gettext("You cannot change this State's action plans."))
    plan.full_clean()
    plan._history_user = user
    plan.save()
    if items is None:
        return plan
    plan.items.all().delete()
    errors = {}
    for index, values in enumerate(items):
        needs = values.pop("needs", [])
        foreign = [n.pk for n in needs if n.review.state_id != plan.state_id]
        if foreign:
            message = gettext(
                # Translators: %(needs)s lists the numbers of needs ("[12, 14]");
                # %(state)s is a State's name.
                "Needs %(needs)s are not needs of %(state)s; a plan ranks its own "
                "State's needs."
            )
            errors[f"items[{index}].needs"] = [
                message % {"needs": foreign, "state": plan.state}
            ]
            continue
        item = ActionPlanItem(plan=plan, **values)
        try:
            item.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"items[{index}].{field}"] = messages
            continue
        item._history_user = user
        item.save()
        item.needs.set(needs)
    if errors:
        raise ValidationError(errors)
    return plan


@transaction.atomic
def follow_up_save(*, follow_up: FollowUp, events: list[dict] | None, user) -> FollowUp:
    """Save a review's follow-up and, when given, replace its events."""
    if not can_record_follow_up(user):
        raise PermissionDenied(gettext("Only the secretariat records the follow-up."))
    follow_up.full_clean()
    follow_up._history_user = user
    follow_up.save()
    if events is not None:
        follow_up.events.all().delete()
        for values in events:
            event = FollowUpEvent(follow_up=follow_up, **values)
            event.full_clean()
            event._history_user = user
            event.save()
    return follow_up


# ---------------------------------------------------------------------------
# Reminders: follow-up steps and action-plan items due within 30 days or overdue
# ---------------------------------------------------------------------------
def reminders_send(*, today: datetime.date) -> list[Due]:
    """E-mail each due item once per period; return what was sent."""
    sent = []
    due_items = reminders_due(today=today)
    already = set(
        Reminder.objects.filter(key__in=[d.key for d in due_items]).values_list(
            "key", flat=True
        )
    )
    languages = _languages_of([e for due in due_items for e in due.recipients])
    for due in due_items:
        if due.key in already or not due.recipients:
            continue
        # One e-mail per language, each in its recipients' own.
        by_language = defaultdict(list)
        for email in due.recipients:
            by_language[languages.get(email) or settings.LANGUAGE_CODE].append(email)
        for language, emails in sorted(by_language.items()):
            with translation.override(language):
                send_mail(due.subject, due.body, None, emails)
        with translation.override(settings.LANGUAGE_CODE):
            Reminder.objects.create(
                key=due.key, subject=due.subject, recipients=", ".join(due.recipients)
            )
        sent.append(due)
    return sent


def _languages_of(emails: list[str]) -> dict[str, str]:
    """The language each recipient chose in their profile (by e-mail; one query)."""
    accounts = Account.objects.filter(user__email__in=set(emails)).exclude(language="")
    return dict(accounts.values_list("user__email", "language"))


# ---------------------------------------------------------------------------
# Deletions: each with the permission of the matching save and the audit trail
# ---------------------------------------------------------------------------
@transaction.atomic
def action_plan_delete(*, plan: ActionPlan, user) -> None:
    if not can_edit_plan(user, plan.state_id):
        raise PermissionDenied(gettext("You cannot delete this State's action plans."))
    plan._history_user = user
    plan.delete()


@transaction.atomic
def follow_up_delete(*, follow_up: FollowUp, user) -> None:
    if not can_record_follow_up(user):
        raise PermissionDenied(gettext("Only the secretariat records the follow-up."))
    follow_up._history_user = user
    follow_up.delete()


@transaction.atomic
def assistance_delete(*, assistance: Assistance, user) -> None:
    """Delete an assistance record; the needs it addressed follow what remains."""
    if not can_record_assistance(user):
        raise PermissionDenied(gettext("Only the secretariat records assistance."))
    needs = list(
        Need.objects.filter(assistance_links__assistance=assistance).distinct()
    )
    assistance._history_user = user
    assistance.delete()
    for need in needs:
        need_coverage_refresh(need=need, user=user)


@transaction.atomic
def donor_delete(*, donor: Donor, user) -> None:
    if not can_record_assistance(user):
        raise PermissionDenied(gettext("Only the secretariat records donors."))
    donor.delete()
