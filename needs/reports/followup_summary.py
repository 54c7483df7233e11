"""Section IV of the note, counted from the follow-up records as they stood on a day.

The same rules as the follow-up pages (`needs.followup.selectors`): a letter is
expected of a completed review with a need identified (the desk's paragraph 72), an
action plan is current unless superseded and integrated once one of its items is, a
need is unaddressed with no assistance recorded when no assistance links it (the
desk), clusters are the same need left unaddressed by three or more States of one
regional group (paragraph 84), assistance is counted by status as donor mapping counts
it. The difference: every record is read as it stood at the end of the cut-off day,
from the audit trail, so that an edition regenerates identically after later changes
(the statistics engine's `accepted_as_of` does the same for the needs). The needs and
reviews are those of the edition's statistics (`statistics.scoped_needs`).

For the secretariat only: it counts every State's follow-up.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Max
from django.utils import timezone

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    Donor,
    FollowUp,
    FollowUpEvent,
    Need,
)
from needs.reports.statistics import StatisticsFilter, scoped_needs, scoped_reviews

CLUSTER_THRESHOLD = 3


@dataclass(frozen=True)
class Cluster:
    """The same need left unaddressed by several States of one regional group."""

    region: str
    article: int
    need_type: str
    states: int


@dataclass(frozen=True)
class FollowUpSummary:
    day: datetime.date
    reviews_expected: int  # completed, with a need identified: a letter is expected
    letters_sent: int
    replies: int
    events: dict[str, int]  # FollowUpEvent.Kind -> events held by the day
    plans_current: int  # not superseded
    plans_adopted: int
    plans_integrated: int  # with at least one item integrated into programming
    items_integrated: dict[str, int]  # ActionPlanItem.Integration -> items
    assistance: dict[str, int]  # Assistance.Status -> projects (every status)
    assistance_by_donor_kind: dict[str, int]  # Donor.Kind -> projects with one
    assistance_without_donor: int
    states_reviewed: int
    states_with_ongoing_assistance: int  # of the States reviewed (paragraph 78)
    unaddressed_without_assistance: int  # the desk's "unaddressed"
    clusters: list[Cluster] = field(default_factory=list)

    @property
    def letters_pending(self) -> int:
        return self.reviews_expected - self.letters_sent

    @property
    def plans_not_integrated(self) -> int:
        return self.plans_current - self.plans_integrated

    @property
    def assistance_total(self) -> int:
        return sum(self.assistance.values())


def end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def as_of(model, day: datetime.date):
    """The historical rows of `model` as they stood at the end of `day`: each
    record's last row by then, unless it had been deleted."""
    history = model.history.model.objects
    latest = (
        history.filter(history_date__lt=end_of(day))
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    return history.filter(history_id__in=latest).exclude(history_type="-")


def _m2m_as_of(model, relation: str, rows):
    """The (record id, related id) pairs of the snapshot kept with each row."""
    through = apps.get_model(
        model._meta.app_label, f"Historical{model.__name__}_{relation}"
    )
    target = [f.name for f in through._meta.concrete_fields][2]
    pairs = through.objects.filter(history__in=rows.values("history_id"))
    return pairs.values_list(model._meta.model_name, target)


def follow_up_summary(*, filters: StatisticsFilter) -> FollowUpSummary:
    """Section IV's numbers for the reviews and needs of `filters` (whose `as_of`
    is the cut-off day)."""
    day = filters.as_of or timezone.localdate()
    filters = StatisticsFilter(cycle=filters.cycle, as_of=day)
    reviews = scoped_reviews(filters)
    needs = scoped_needs(filters)
    expected = set(needs.values_list("review_id", flat=True).distinct())
    states = set(reviews.values_list("state_id", flat=True).distinct())
    letters = as_of(FollowUp, day).filter(review_id__in=reviews.values("pk"))
    sent = letters.filter(review_id__in=expected, letter_sent_on__isnull=False)
    events = (
        as_of(FollowUpEvent, day)
        .filter(follow_up_id__in=letters.values("id"), date__lte=day)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    assistance = _assistance(day, states)
    plans = _plans(day, states)
    return FollowUpSummary(
        day=day,
        reviews_expected=len(expected),
        letters_sent=sent.count(),
        replies=sent.filter(reply_received_on__isnull=False).count(),
        events=_ordered(FollowUpEvent.Kind, {r["kind"]: r["n"] for r in events}),
        states_reviewed=len(states),
        unaddressed_without_assistance=_unaddressed_without_assistance(needs, day),
        clusters=_clusters(needs),
        **plans,
        **assistance,
    )


def _ordered(choices, counts: dict) -> dict[str, int]:
    """Counts in the choices' order, zeros left out."""
    return {value: counts[value] for value in choices.values if counts.get(value)}


def _plans(day: datetime.date, states: set[int]) -> dict:
    plans = (
        as_of(ActionPlan, day)
        .filter(state_id__in=states)
        .exclude(status=ActionPlan.Status.SUPERSEDED)
    )
    current = set(plans.values_list("id", flat=True))
    items = (
        as_of(ActionPlanItem, day)
        .filter(plan_id__in=current)
        .exclude(integration=ActionPlanItem.Integration.NONE)
    )
    integrated = Counter(items.values_list("integration", flat=True))
    return {
        "plans_current": len(current),
        "plans_adopted": plans.filter(status=ActionPlan.Status.ADOPTED).count(),
        "plans_integrated": items.values("plan_id").distinct().count(),
        "items_integrated": _ordered(ActionPlanItem.Integration, integrated),
    }


def _assistance(day: datetime.date, states: set[int]) -> dict:
    rows = as_of(Assistance, day)
    by_status = Counter(rows.values_list("status", flat=True))
    kinds = dict(Donor.objects.values_list("pk", "kind"))
    donors = defaultdict(set)
    for project, donor in _m2m_as_of(Assistance, "donors", rows):
        donors[project].add(kinds.get(donor))
    by_kind = Counter(kind for found in donors.values() for kind in found if kind)
    ongoing = rows.filter(status=Assistance.Status.ONGOING)
    served = {state for _, state in _m2m_as_of(Assistance, "beneficiaries", ongoing)}
    return {
        "assistance": _ordered(Assistance.Status, by_status),
        "assistance_by_donor_kind": _ordered(Donor.Kind, by_kind),
        "assistance_without_donor": len(set(rows.values_list("id", flat=True)))
        - len(donors),
        "states_with_ongoing_assistance": len(served & states),
    }


def _unaddressed_without_assistance(needs, day: datetime.date) -> int:
    linked = as_of(AssistanceNeed, day).values("need_id")
    return (
        needs.filter(coverage=Need.Coverage.NOT_YET_ADDRESSED)
        .exclude(id__in=linked)
        .count()
    )


def _clusters(needs) -> list[Cluster]:
    rows = (
        needs.filter(coverage=Need.Coverage.NOT_YET_ADDRESSED)
        .exclude(review__state__regional_group__isnull=True)
        .values(
            "review__state__regional_group__slug", "article__number", "need_type__slug"
        )
        .annotate(states=Count("review__state", distinct=True))
        .filter(states__gte=CLUSTER_THRESHOLD)
        .order_by(
            "-states",
            "review__state__regional_group__slug",
            "article__number",
            "need_type__slug",
        )
    )
    return [
        Cluster(
            region=row["review__state__regional_group__slug"],
            article=row["article__number"],
            need_type=row["need_type__slug"],
            states=row["states"],
        )
        for row in rows
    ]
