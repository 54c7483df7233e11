"""Follow-up workflows and queries (paragraphs 72-79 and 84 of the 2013 note).

Writes are keyword-only services (`<entity>_<verb>`); the desk, donor mapping,
completeness and clustering are GROUP BY or filtered queries whose number does not grow
with the number of records.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Consent,
    FollowUp,
    FollowUpEvent,
    Need,
    Reminder,
)
from needs.permissions import can_edit_need
from reviews.models import Account, CountryReview, StateParty
from reviews.permissions import is_secretariat

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
    not count yet."""
    delivering = [link for link in links if link.assistance.status in COUNTING]
    if any(
        link.coverage == AssistanceNeed.Coverage.IN_FULL
        and link.assistance.status in DELIVERING
        for link in delivering
    ):
        return Need.Coverage.MET_FULLY
    return Need.Coverage.MET_IN_PART if delivering else Need.Coverage.NOT_YET_ADDRESSED


def derived_coverage(need: Need) -> str:
    return coverage_from_links(need.assistance_links.select_related("assistance"))


def need_refresh_coverage(*, need: Need, user=None) -> Need:
    """Apply the coverage that follows from the assistance, if nobody set it."""
    if need.coverage_basis != Need.CoverageBasis.DERIVED:
        return need
    coverage = derived_coverage(need)
    if coverage != need.coverage:
        need.coverage = coverage
        need.coverage_set_at = timezone.now()
        need._history_user = user
        need.save()
    return need


@transaction.atomic
def need_set_coverage(*, need: Need, user, coverage: str, reason: str, remaining=None):
    """The secretariat or the State confirms or corrects a need's coverage."""
    if not can_edit_need(user, need):
        raise PermissionDenied("You cannot change this need's coverage.")
    if not reason.strip():
        raise ValidationError(
            {"reason": "Give the reason for confirming or correcting."}
        )
    if coverage not in Need.Coverage.values:
        raise ValidationError({"coverage": f"Unknown coverage {coverage!r}."})
    derived = derived_coverage(need)
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
    need._history_user = user
    need.save()
    return need


@transaction.atomic
def need_clear_coverage(*, need: Need, user) -> Need:
    """Drop a confirmation or correction: the coverage follows the assistance again."""
    if not can_edit_need(user, need):
        raise PermissionDenied("You cannot change this need's coverage.")
    need.coverage_basis = Need.CoverageBasis.DERIVED
    need.coverage_reason = ""
    need.coverage_set_by = None
    need.coverage = derived_coverage(need)
    need.coverage_set_at = timezone.now()
    need._history_user = user
    need.save()
    return need


@transaction.atomic
def assistance_link_need(
    *, assistance: Assistance, need: Need, coverage: str, user, note: str = ""
) -> AssistanceNeed:
    """Record that `assistance` addresses `need`; the need's coverage follows."""
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat records assistance.")
    link = AssistanceNeed.objects.filter(assistance=assistance, need=need).first()
    link = link or AssistanceNeed(assistance=assistance, need=need)
    link.coverage, link.note = coverage, note
    link.full_clean()
    link._history_user = user
    link.save()
    need_refresh_coverage(need=need, user=user)
    return link


@transaction.atomic
def assistance_unlink_need(*, assistance: Assistance, need: Need, user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat records assistance.")
    for link in AssistanceNeed.objects.filter(assistance=assistance, need=need):
        link._history_user = user
        link.delete()
    need_refresh_coverage(need=need, user=user)


def assistance_refresh_needs(*, assistance: Assistance, user=None) -> None:
    """After the assistance's status changed: its needs' coverage follows."""
    for need in Need.objects.filter(assistance_links__assistance=assistance).distinct():
        need_refresh_coverage(need=need, user=user)


# ---------------------------------------------------------------------------
# Consent (paragraph 79)
# ---------------------------------------------------------------------------
@transaction.atomic
def consent_record(
    *, review: CountryReview, subject: str, audience: str, agreed_on, user, notes=""
) -> Consent:
    """Record what the State agreed to share. The full report's consent beyond the UN
    is what lets viewers (donors and partners) see the review's needs and their
    descriptions."""
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat records consent.")
    consent = Consent.objects.filter(review=review, subject=subject).first()
    consent = consent or Consent(review=review, subject=subject)
    consent.audience, consent.agreed_on, consent.notes = audience, agreed_on, notes
    consent.full_clean()
    consent._history_user = user
    consent.save()
    if subject == Consent.Subject.FULL_REPORT:
        review.full_report_consent = consent.shares_beyond_un
        review._history_user = user
        review.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat records consent.")
    review = consent.review
    consent._history_user = user
    consent.delete()
    if consent.subject == Consent.Subject.FULL_REPORT:
        review.full_report_consent = False
        review._history_user = user
        review.save()


# ---------------------------------------------------------------------------
# The follow-up desk
# ---------------------------------------------------------------------------
DESK_LIMIT = 50


@dataclass
class DeskSection:
    key: str
    title: str
    rows: list
    total: int


def _section(key, title, queryset) -> DeskSection:
    return DeskSection(key, title, list(queryset[:DESK_LIMIT]), queryset.count())


def desk(*, today: datetime.date, days_without_plan: int = 90) -> list[DeskSection]:
    """Each condition's records (at most DESK_LIMIT shown) and how many there are."""
    has_plan = ActionPlan.objects.current().filter(state=OuterRef("review__state"))
    has_link = AssistanceNeed.objects.filter(need=OuterRef("pk"))
    integrated = ActionPlanItem.objects.filter(plan=OuterRef("pk")).exclude(
        integration=ActionPlanItem.Integration.NONE
    )
    counted = Need.objects.counted().select_related(
        "review__state", "article", "need_type"
    )
    completed = CountryReview.objects.filter(status=CountryReview.Status.COMPLETED)
    return [
        _section(
            "no-letter",
            "Completed reviews with no letter sent",
            completed.filter(
                Q(follow_up__isnull=True) | Q(follow_up__letter_sent_on__isnull=True)
            )
            .select_related("state", "cycle")
            .order_by("completed_on"),
        ),
        _section(
            "no-plan",
            f"Letters sent over {days_without_plan} days ago with no action plan",
            FollowUp.objects.filter(
                letter_sent_on__lte=today - datetime.timedelta(days=days_without_plan)
            )
            .exclude(Exists(has_plan))
            .select_related("review__state")
            .order_by("letter_sent_on"),
        ),
        _section(
            "not-integrated",
            "Action plans not yet integrated into programming",
            ActionPlan.objects.current()
            .exclude(Exists(integrated))
            .select_related("state")
            .order_by("started_on"),
        ),
        _section(
            "unaddressed",
            "Needs not yet addressed, with no assistance recorded",
            counted.filter(coverage=Need.Coverage.NOT_YET_ADDRESSED)
            .exclude(Exists(has_link))
            .order_by("review__state__name", "article__number"),
        ),
        _section(
            "in-part",
            "Needs met in part",
            counted.filter(coverage=Need.Coverage.MET_IN_PART).order_by(
                "review__state__name", "article__number"
            ),
        ),
        _section(
            "ended",
            "Assistance that ended without extension",
            Assistance.objects.filter(status=Assistance.Status.ENDED)
            .prefetch_related("beneficiaries", "donors")
            .order_by("-ends_on"),
        ),
    ]


# ---------------------------------------------------------------------------
# Donor mapping (paragraph 78)
# ---------------------------------------------------------------------------
MAPPING_DIMENSIONS = {
    "type": ("need__need_type__slug", "need__need_type__name"),
    "article": ("need__article__number", "need__article__number"),
    "region": (
        "need__review__state__regional_group__slug",
        "need__review__state__regional_group__name",
    ),
    "state": ("need__review__state__code", "need__review__state__name"),
}


@dataclass
class Matrix:
    dimension: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict]  # {"donor": name, "cells": {key: {"in-part": n, "in-full": n}}}

    def total(self, row, key) -> int:
        cell = row["cells"].get(key, {})
        return cell.get("in-part", 0) + cell.get("in-full", 0)


def donor_matrix(*, dimension: str, links=None) -> Matrix:
    """Donors against need types, articles, regional groups or States: the number of
    distinct needs addressed in part and in full. One GROUP BY query."""
    key, label = MAPPING_DIMENSIONS[dimension]
    links = links if links is not None else AssistanceNeed.objects.all()
    rows = (
        links.filter(assistance__donors__isnull=False)
        .values("assistance__donors__name", key, label, "coverage")
        .annotate(needs=Count("need", distinct=True))
        .order_by("assistance__donors__name", key)
    )
    columns: dict = {}
    by_donor: dict = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        column = row[key] if row[key] is not None else "none"
        columns[column] = row[label] if row[label] is not None else "No regional group"
        by_donor[row["assistance__donors__name"]][column][row["coverage"]] = row[
            "needs"
        ]
    ordered = sorted(columns.items(), key=lambda item: (str(type(item[0])), item[0]))
    return Matrix(
        dimension,
        [(str(k), str(v)) for k, v in ordered],
        [
            {"donor": donor, "cells": {str(k): v for k, v in cells.items()}}
            for donor, cells in sorted(by_donor.items())
        ],
    )


def unmet_needs():
    """Needs that no assistance addresses: the donor-facing list."""
    has_link = AssistanceNeed.objects.filter(need=OuterRef("pk"))
    return (
        Need.objects.counted()
        .exclude(Exists(has_link))
        .exclude(coverage=Need.Coverage.MET_FULLY)
        .with_related()
        .in_note_order()
    )


# ---------------------------------------------------------------------------
# Completeness per State: what is stale
# ---------------------------------------------------------------------------
@dataclass
class Completeness:
    no_coverage_information: list
    not_updated_for_a_year: list
    met_without_assistance: list
    items_past_timeline: list


def state_completeness(*, state: StateParty, today: datetime.date) -> Completeness:
    year_ago = timezone.now() - datetime.timedelta(days=365)
    has_link = AssistanceNeed.objects.filter(need=OuterRef("pk"))
    needs = Need.objects.filter(review__state=state).select_related(
        "article", "need_type"
    )
    return Completeness(
        no_coverage_information=list(
            needs.filter(
                coverage=Need.Coverage.NOT_YET_ADDRESSED,
                coverage_basis=Need.CoverageBasis.DERIVED,
            ).exclude(Exists(has_link))
        ),
        not_updated_for_a_year=list(
            needs.filter(
                Q(coverage_set_at__lt=year_ago)
                | Q(coverage_set_at__isnull=True, created_at__lt=year_ago)
            )
        ),
        met_without_assistance=list(
            needs.exclude(coverage=Need.Coverage.NOT_YET_ADDRESSED).exclude(
                Exists(has_link)
            )
        ),
        items_past_timeline=list(
            ActionPlanItem.objects.filter(plan__state=state)
            .overdue(today)
            .select_related("plan")
        ),
    )


# ---------------------------------------------------------------------------
# Regional clustering (paragraph 84)
# ---------------------------------------------------------------------------
def regional_clusters(*, threshold: int = 3) -> list[dict]:
    """The same (article, type) left unaddressed by `threshold` or more States of one
    regional group, most States first: candidates for a regional response."""
    rows = (
        Need.objects.counted()
        .filter(coverage=Need.Coverage.NOT_YET_ADDRESSED)
        .exclude(review__state__regional_group__isnull=True)
        .values(
            "review__state__regional_group__slug",
            "review__state__regional_group__name",
            "article__number",
            "need_type__slug",
            "need_type__name",
        )
        .annotate(states=Count("review__state", distinct=True))
        .filter(states__gte=threshold)
        .order_by("-states", "review__state__regional_group__slug", "article__number")
    )
    return [
        {
            "region": row["review__state__regional_group__slug"],
            "region_name": row["review__state__regional_group__name"],
            "article": row["article__number"],
            "need_type": row["need_type__slug"],
            "need_type_name": row["need_type__name"],
            "states": row["states"],
        }
        for row in rows
    ]


# ---------------------------------------------------------------------------
# Reminders: follow-up steps and action-plan items due within 30 days or overdue
# ---------------------------------------------------------------------------
HORIZON = datetime.timedelta(days=30)
WORDS = {"overdue": "overdue", "due-soon": "due within 30 days"}


@dataclass(frozen=True)
class Due:
    key: str
    subject: str
    body: str
    recipients: tuple[str, ...]


def _emails_by_state() -> tuple[dict, dict]:
    """Active focal points' and responsible secretariat staff's e-mails, per State:
    two queries for the whole run."""
    focal, secretariat = defaultdict(list), defaultdict(list)
    accounts = Account.objects.filter(
        role=Account.Role.FOCAL_POINT, user__is_active=True
    ).exclude(user__email="")
    for state_id, email in accounts.values_list("state_id", "user__email"):
        focal[state_id].append(email)
    steps = FollowUp.objects.filter(responsible__isnull=False).exclude(
        responsible__email=""
    )
    for state_id, email in steps.values_list("review__state_id", "responsible__email"):
        if email not in secretariat[state_id]:
            secretariat[state_id].append(email)
    return focal, secretariat


def _period(due: datetime.date, today: datetime.date) -> str:
    return "overdue" if due < today else "due-soon"


def reminders_due(*, today: datetime.date) -> list[Due]:
    """Everything that falls due within 30 days or is overdue, with its recipients."""
    found = []
    focal, secretariat = _emails_by_state()
    steps = FollowUp.objects.filter(
        next_step_due__isnull=False, next_step_due__lte=today + HORIZON
    ).select_related("review__state", "responsible")
    for step in steps:
        period = _period(step.next_step_due, today)
        emails = (
            [step.responsible.email]
            if step.responsible and step.responsible.email
            else []
        )
        found.append(
            Due(
                key=f"follow-up:{step.pk}:{step.next_step_due}:{period}",
                subject=f"[tatracker] {step.review.state}: next step {WORDS[period]}",
                body=f"{step.next_step} — due {step.next_step_due}.",
                recipients=tuple(emails + focal[step.review.state_id]),
            )
        )
    items = ActionPlanItem.objects.filter(
        completed=False, due_on__isnull=False, due_on__lte=today + HORIZON
    ).select_related("plan__state")
    for item in items:
        period = _period(item.due_on, today)
        state_id = item.plan.state_id
        emails = secretariat[state_id] + focal[state_id]
        found.append(
            Due(
                key=f"plan-item:{item.pk}:{item.due_on}:{period}",
                subject=f"[tatracker] {item.plan.state}: plan item {WORDS[period]}",
                body=(
                    f"{item.plan.title}, item {item.rank} "
                    f"({item.responsible_authority}): "
                    f"{item.expected_result or 'no expected result recorded'} "
                    f"— due {item.due_on}."
                ),
                recipients=tuple(emails),
            )
        )
    return found


def reminders_send(*, today: datetime.date) -> list[Due]:
    """E-mail each due item once per period; return what was sent."""
    sent = []
    due_items = reminders_due(today=today)
    already = set(
        Reminder.objects.filter(key__in=[d.key for d in due_items]).values_list(
            "key", flat=True
        )
    )
    for due in due_items:
        if due.key in already or not due.recipients:
            continue
        send_mail(due.subject, due.body, None, list(due.recipients))
        Reminder.objects.create(
            key=due.key, subject=due.subject, recipients=", ".join(due.recipients)
        )
        sent.append(due)
    return sent


# ---------------------------------------------------------------------------
# Action plans and follow-ups with their items and events
# ---------------------------------------------------------------------------
def can_edit_plan(user, state_id) -> bool:
    """The secretariat, and the State's focal points, keep its action plans."""
    from reviews.permissions import focal_state_id

    return is_secretariat(user) or focal_state_id(user) == state_id


@transaction.atomic
def action_plan_save(*, plan: ActionPlan, items: list[dict] | None, user) -> ActionPlan:
    """Save a plan and, when given, replace its items; all or nothing."""
    if not can_edit_plan(user, plan.state_id):
        raise PermissionDenied("You cannot change this State's action plans.")
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
            errors[f"items[{index}].needs"] = [
                f"Needs {foreign} are not needs of {plan.state}; a plan ranks its own "
                "State's needs."
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
    if not is_secretariat(user):
        raise PermissionDenied("Only the secretariat records the follow-up.")
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
