"""Reads of the follow-up that a person sees: the desk, a State's follow-up page and
its gaps, donor mapping, unmet needs and regional clusters; and what reminders are due.

Every function that returns records takes the user and applies `visible_to`. The desk,
mapping, gaps and clusters are GROUP BY or filtered queries whose number does not grow
with the number of records.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    Consent,
    Donor,
    FollowUp,
    Need,
    NeedType,
)
from needs.permissions import (
    can_view_desk,
    can_view_donor_mapping,
    follow_up_filter,
)
from reviews.models import Account, CountryReview, RegionalGroup, StateParty

# ---------------------------------------------------------------------------
# The follow-up desk
# ---------------------------------------------------------------------------
DESK_LIMIT = 50


@dataclass
class DeskSection:
    key: str
    title: str  # in the active language: the desk is computed per request
    rows: list
    total: int


def _section(key, title, queryset) -> DeskSection:
    return DeskSection(key, title, list(queryset[:DESK_LIMIT]), queryset.count())


def desk(
    *, user, today: datetime.date, days_without_plan: int = 90
) -> list[DeskSection]:
    """Each condition's records (at most DESK_LIMIT shown) and how many there are;
    empty for a user who may not see the desk."""
    if not can_view_desk(user):
        return []
    has_plan = ActionPlan.objects.current().filter(state=OuterRef("review__state"))
    has_link = AssistanceNeed.objects.filter(need=OuterRef("pk"))
    integrated = ActionPlanItem.objects.filter(plan=OuterRef("pk")).exclude(
        integration=ActionPlanItem.Integration.NONE
    )
    counted = (
        Need.objects.visible_to(user)
        .counted()
        .select_related("review__state", "article", "need_type")
    )
    completed = CountryReview.objects.visible_to(user).filter(
        status=CountryReview.Status.COMPLETED
    )
    no_plan = ngettext(
        # Translators: a section of the follow-up desk; %(days)s is a number of days.
        "Letters sent over %(days)s day ago with no action plan",
        "Letters sent over %(days)s days ago with no action plan",
        days_without_plan,
    )
    return [
        _section(
            "no-letter",
            gettext("Completed reviews with no letter sent"),
            completed.filter(
                Q(follow_up__isnull=True) | Q(follow_up__letter_sent_on__isnull=True)
            )
            .select_related("state", "cycle")
            .order_by("completed_on"),
        ),
        _section(
            "no-plan",
            no_plan % {"days": days_without_plan},
            FollowUp.objects.visible_to(user)
            .filter(
                letter_sent_on__lte=today - datetime.timedelta(days=days_without_plan)
            )
            .exclude(Exists(has_plan))
            .select_related("review__state")
            .order_by("letter_sent_on"),
        ),
        _section(
            "not-integrated",
            gettext("Action plans not yet integrated into programming"),
            ActionPlan.objects.visible_to(user)
            .current()
            .exclude(Exists(integrated))
            .select_related("state")
            .order_by("started_on"),
        ),
        _section(
            "unaddressed",
            gettext("Needs not yet addressed, with no assistance recorded"),
            counted.filter(coverage=Need.Coverage.NOT_YET_ADDRESSED)
            .exclude(Exists(has_link))
            .order_by("review__state__name", "article__number"),
        ),
        _section(
            "in-part",
            gettext("Needs met in part"),
            counted.filter(coverage=Need.Coverage.MET_IN_PART).order_by(
                "review__state__name", "article__number"
            ),
        ),
        _section(
            "ended",
            gettext("Assistance that ended without extension"),
            Assistance.objects.visible_to(user)
            .filter(status=Assistance.Status.ENDED)
            .prefetch_related("beneficiaries", "donors")
            .order_by("-ends_on"),
        ),
    ]


# ---------------------------------------------------------------------------
# Donor mapping (paragraph 78)
# ---------------------------------------------------------------------------
# Each dimension: its key, and the model naming its values in the active language
# (read as `<relation>__name` and `<relation>__names`); an article is its number.
MAPPING_DIMENSIONS = {
    "type": ("need__need_type__slug", NeedType),
    "article": ("need__article__number", None),
    "region": ("need__review__state__regional_group__slug", RegionalGroup),
    "state": ("need__review__state__code", StateParty),
}


def _label(model, name, names) -> str:
    """The name of a reference row read with values(), in the active language."""
    return model(name=name, names=names or {}).label


@dataclass
class Matrix:
    dimension: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict]  # {"donor": name, "cells": {key: {"in-part": n, "in-full": n}}}

    def total(self, row, key) -> int:
        cell = row["cells"].get(key, {})
        return cell.get("in-part", 0) + cell.get("in-full", 0)


def donor_matrix(*, user, dimension: str) -> Matrix:
    """Donors against need types, articles, regional groups or States: the number of
    distinct needs that `user` may see addressed in part and in full. One GROUP BY
    query."""
    key, model = MAPPING_DIMENSIONS[dimension]
    relation = key.rsplit("__", 1)[0]
    named = [f"{relation}__name", f"{relation}__names"] if model else []
    links = AssistanceNeed.objects.filter(need__in=Need.objects.visible_to(user))
    if not can_view_donor_mapping(user):
        links = links.none()
    rows = (
        links.filter(assistance__donors__isnull=False)
        .values("assistance__donors__name", key, *named, "coverage")
        .annotate(needs=Count("need", distinct=True))
        .order_by("assistance__donors__name", key)
    )
    columns: dict = {}
    by_donor: dict = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        column = row[key] if row[key] is not None else "none"
        if row[key] is None:
            columns[column] = gettext("No regional group")
        elif model is None:
            columns[column] = row[key]
        else:
            columns[column] = _label(model, *(row[field] for field in named))
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


def unmet_needs(*, user):
    """Needs that no assistance addresses: the donor-facing list."""
    has_link = AssistanceNeed.objects.filter(need=OuterRef("pk"))
    return (
        Need.objects.visible_to(user)
        .counted()
        .exclude(Exists(has_link))
        .exclude(coverage=Need.Coverage.MET_FULLY)
        .with_related()
        .with_sharing(user)
        .in_note_order()
    )


# ---------------------------------------------------------------------------
# Gaps in a State's follow-up: what is stale
# ---------------------------------------------------------------------------
@dataclass
class FollowUpGaps:
    """What a State's follow-up lacks: needs with no coverage information, not
    updated for a year, met with no assistance recorded, and plan items past due."""

    no_coverage_information: list
    not_updated_for_a_year: list
    met_without_assistance: list
    items_past_timeline: list


def state_gaps(*, user, state: StateParty, today: datetime.date) -> FollowUpGaps:
    """The gaps among the records of `state` that `user` may see."""
    year_ago = timezone.now() - datetime.timedelta(days=365)
    has_link = AssistanceNeed.objects.filter(need=OuterRef("pk"))
    needs = (
        Need.objects.visible_to(user)
        .filter(review__state=state)
        .select_related("article", "need_type")
    )
    return FollowUpGaps(
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
            ActionPlanItem.objects.visible_to(user)
            .filter(plan__state=state)
            .overdue(today)
            .select_related("plan")
        ),
    )


# ---------------------------------------------------------------------------
# Regional clustering (paragraph 84)
# ---------------------------------------------------------------------------
def regional_clusters(*, user, threshold: int = 3) -> list[dict]:
    """The same (article, type) left unaddressed by `threshold` or more States of one
    regional group, most States first: candidates for a regional response."""
    if not can_view_desk(user):
        return []
    rows = (
        Need.objects.visible_to(user)
        .counted()
        .filter(coverage=Need.Coverage.NOT_YET_ADDRESSED)
        .exclude(review__state__regional_group__isnull=True)
        .values(
            "review__state__regional_group__slug",
            "review__state__regional_group__name",
            "review__state__regional_group__names",
            "article__number",
            "need_type__slug",
            "need_type__name",
            "need_type__names",
        )
        .annotate(states=Count("review__state", distinct=True))
        .filter(states__gte=threshold)
        .order_by("-states", "review__state__regional_group__slug", "article__number")
    )
    return [
        {
            "region": row["review__state__regional_group__slug"],
            "region_name": _label(
                RegionalGroup,
                row["review__state__regional_group__name"],
                row["review__state__regional_group__names"],
            ),
            "article": row["article__number"],
            "need_type": row["need_type__slug"],
            "need_type_name": _label(
                NeedType, row["need_type__name"], row["need_type__names"]
            ),
            "states": row["states"],
        }
        for row in rows
    ]


# ---------------------------------------------------------------------------
# A State's follow-up page
# ---------------------------------------------------------------------------
@dataclass
class StateFollowUp:
    state: StateParty
    follow_ups: list
    plans: list
    assistance: list
    needs: list
    consents: list
    gaps: FollowUpGaps
    # The State's completed reviews, each with its follow-up (if recorded), and the
    # assistance its focal points reported that is not (or not yet) confirmed.
    reviews: list = field(default_factory=list)
    reports: list = field(default_factory=list)

    @property
    def timeline(self) -> list[tuple]:
        """(date, what, detail) in date order: letter, reply, events, plans and
        assistance; `what` in the active language."""
        entries = []
        for follow_up in self.follow_ups:
            if follow_up.letter_sent_on:
                what = gettext("Letter sent")
                entries.append((follow_up.letter_sent_on, what, follow_up.office))
            if follow_up.reply_received_on:
                what = gettext("Reply received")
                entries.append((follow_up.reply_received_on, what, follow_up.reply))
            for event in follow_up.events.all():
                entries.append((event.date, event.get_kind_display(), event.outcome))
        for plan in self.plans:
            title = {"title": plan.title}
            # Translators: in a State's follow-up timeline; %(title)s is a plan's.
            started = gettext("Action plan started: %(title)s") % title
            entries.append((plan.started_on, started, ""))
            if plan.adopted_on:
                # Translators: in a State's follow-up timeline; %(title)s is a plan's.
                adopted = gettext("Action plan adopted: %(title)s") % title
                entries.append((plan.adopted_on, adopted, ""))
        for item in self.assistance:
            title = {"title": item.title}
            if item.starts_on:
                # Translators: in a State's follow-up timeline; %(title)s is a
                # project's or activity's.
                starts = gettext("Assistance starts: %(title)s") % title
                entries.append((item.starts_on, starts, ""))
            if item.ends_on:
                # Translators: in a State's follow-up timeline; %(title)s is a
                # project's or activity's.
                ends = gettext("Assistance ends: %(title)s") % title
                entries.append((item.ends_on, ends, item.get_status_display()))
        return sorted(entries, key=lambda entry: entry[0])


def state_follow_up(*, user, code: str, today: datetime.date) -> StateFollowUp:
    """Everything recorded on the follow-up of a State that `user` may see."""
    state = get_object_or_404(StateParty.objects.visible_to(user), code=code)
    reviews = CountryReview.objects.visible_to(user).filter(state=state)
    needs = (
        Need.objects.visible_to(user)
        .filter(review__state=state)
        .with_related()
        .prefetch_related("assistance_links__assistance")
        .in_note_order()
    )
    return StateFollowUp(
        state=state,
        follow_ups=list(
            FollowUp.objects.visible_to(user)
            .filter(review__in=reviews)
            .prefetch_related("events")
        ),
        plans=list(
            ActionPlan.objects.visible_to(user)
            .filter(state=state)
            .prefetch_related("items__needs")
        ),
        assistance=list(
            Assistance.objects.visible_to(user)
            .filter(beneficiaries=state)
            .prefetch_related(
                "donors", "links__need__article", "links__need__need_type"
            )
            .distinct()
        ),
        needs=list(needs),
        consents=list(
            Consent.objects.visible_to(user)
            .filter(review__in=reviews)
            .select_related("review__cycle")
        ),
        gaps=state_gaps(user=user, state=state, today=today),
        reviews=list(
            reviews.filter(status=CountryReview.Status.COMPLETED)
            .select_related("cycle", "follow_up")
            .order_by("cycle__number", "cycle_year")
        ),
        reports=list(
            assistance_reports(user=user, state=state).exclude(
                confirmation=AssistanceReport.Confirmation.CONFIRMED
            )
        ),
    )


def assistance_get(*, user, pk) -> Assistance:
    return get_object_or_404(
        Assistance.objects.visible_to(user).prefetch_related("donors", "beneficiaries"),
        pk=pk,
    )


def visible_links(*, user):
    """Links between assistance and the needs `user` may see, each annotated with
    `note_shared`: whether `user` may read its note (the need's description is
    shared with them)."""
    shared = Need.objects.with_sharing(user).filter(
        pk=OuterRef("need"), description_shared=True
    )
    return AssistanceNeed.objects.filter(
        need__in=Need.objects.visible_to(user)
    ).annotate(note_shared=Exists(shared))


def assistance_links(*, user, assistance: Assistance):
    """The needs an assistance addresses, among those `user` may see."""
    return (
        visible_links(user=user)
        .filter(assistance=assistance)
        .select_related("need__review__state", "need__article", "need__need_type")
    )


# ---------------------------------------------------------------------------
# What the follow-up's forms load and offer
# ---------------------------------------------------------------------------
def follow_up_review_get(*, user, pk) -> CountryReview:
    """A review whose follow-up records (letter, events, consent) `user` may see:
    the secretariat's and the State's focal points', never a viewer's."""
    reviews = CountryReview.objects.visible_to(user).filter(follow_up_filter(user))
    return get_object_or_404(reviews.select_related("state", "cycle"), pk=pk)


def follow_up_of(review: CountryReview) -> FollowUp:
    """The review's follow-up, or a new (unsaved) one."""
    found = FollowUp.objects.filter(review=review).prefetch_related("events").first()
    return found or FollowUp(review=review)


def consent_get(*, user, pk) -> Consent:
    consents = Consent.objects.visible_to(user).filter(
        follow_up_filter(user, prefix="review__")
    )
    return get_object_or_404(consents.select_related("review__state"), pk=pk)


def action_plan_get(*, user, pk) -> ActionPlan:
    plans = ActionPlan.objects.visible_to(user).select_related("state")
    return get_object_or_404(plans.prefetch_related("items__needs"), pk=pk)


def state_get(*, user, code: str) -> StateParty:
    return get_object_or_404(StateParty.objects.visible_to(user), code=code)


def needs_to_choose(*, user, states, keep=()):
    """The needs a plan item, an assistance or a report may name: the accepted
    needs of `states` that `user` may see, and those in `keep` (already named)."""
    chosen = Q(accepted_at__isnull=False) | Q(pk__in=list(keep))
    return (
        Need.objects.visible_to(user)
        .filter(review__state__in=states)
        .filter(chosen)
        .with_related()
        .in_note_order()
    )


def assistance_reports(*, user, state: StateParty | None = None):
    """Reports of assistance that `user` may see (a State's own, or all for the
    secretariat), oldest first, with their donor and needs."""
    reports = AssistanceReport.objects.visible_to(user)
    if state is not None:
        reports = reports.filter(state=state)
    return reports.select_related("state", "donor", "reported_by").prefetch_related(
        "links__need__article", "links__need__need_type", "links__need__review__state"
    )


def assistance_report_get(*, user, pk) -> AssistanceReport:
    return get_object_or_404(assistance_reports(user=user), pk=pk)


def donor_list():
    """Donors are reference data: every donor, by name."""
    return Donor.objects.select_related("home_country").annotate(
        projects=Count("assistance", distinct=True)
    )


# ---------------------------------------------------------------------------
# Reminders: follow-up steps and action-plan items due within 30 days or overdue
# ---------------------------------------------------------------------------
HORIZON = datetime.timedelta(days=30)
NO_RESULT = _("no expected result recorded")
# Subjects of the reminders by what falls due and when.
SUBJECTS = {
    ("follow-up", "overdue"): _(
        # Translators: a reminder's subject; %(state)s is a State's name.
        "[tatracker] %(state)s: next step overdue"
    ),
    ("follow-up", "due-soon"): _(
        # Translators: a reminder's subject; %(state)s is a State's name.
        "[tatracker] %(state)s: next step due within 30 days"
    ),
    ("plan-item", "overdue"): _(
        # Translators: a reminder's subject; %(state)s is a State's name.
        "[tatracker] %(state)s: plan item overdue"
    ),
    ("plan-item", "due-soon"): _(
        # Translators: a reminder's subject; %(state)s is a State's name.
        "[tatracker] %(state)s: plan item due within 30 days"
    ),
}


# Translators: a reminder's text: the next step of a follow-up, and when.
FOLLOW_UP_BODY = _("%(step)s — due %(date)s.")
PLAN_ITEM_BODY = _(
    # Translators: a reminder's text: an action plan's item, who is responsible
    # for it, what it should achieve, and when it is due.
    "%(plan)s, item %(rank)s (%(authority)s): %(result)s — due %(date)s."
)


@dataclass(frozen=True)
class Due:
    """Something that falls due, and who is reminded of it. Its subject and body are
    written in the active language (each recipient's, when the e-mail goes out)."""

    key: str
    subject_text: str
    body_text: str
    values: dict
    recipients: tuple[str, ...]

    @property
    def subject(self) -> str:
        return str(self.subject_text) % self.values

    @property
    def body(self) -> str:
        return str(self.body_text) % self.values


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
                subject_text=SUBJECTS["follow-up", period],
                body_text=FOLLOW_UP_BODY,
                values={
                    "state": step.review.state,
                    "step": step.next_step,
                    "date": step.next_step_due,
                },
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
                subject_text=SUBJECTS["plan-item", period],
                body_text=PLAN_ITEM_BODY,
                values={
                    "state": item.plan.state,
                    "plan": item.plan.title,
                    "rank": item.rank,
                    "authority": item.responsible_authority,
                    "result": item.expected_result or NO_RESULT,
                    "date": item.due_on,
                },
                recipients=tuple(emails),
            )
        )
    return found
