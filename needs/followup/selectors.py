"""Reads of the follow-up that a person sees: the desk, a State's follow-up page and
its gaps, donor mapping, unmet needs and regional clusters; and what reminders are due.

Every function that returns records takes the user and applies `visible_to`. The desk,
mapping, gaps and clusters are GROUP BY or filtered queries whose number does not grow
with the number of records.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
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
from reviews.models import Account, CountryReview, RegionalGroup, StateParty, sort_key

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
    note: str = ""  # what the section means, where its title does not say it all


def _section(key, title, queryset, note="") -> DeskSection:
    return DeskSection(key, title, list(queryset[:DESK_LIMIT]), queryset.count(), note)


def desk(
    *, user, today: datetime.date, days_without_plan: int = 90
) -> list[DeskSection]:
    """Each condition's records (at most DESK_LIMIT shown) and how many there are;
    empty for a user who may not see the desk.

    Paragraph 72: the follow-up starts "once a country review has been concluded and
    technical assistance needs have been identified". A letter, and then an action
    plan, are expected only of a completed review with at least one accepted need
    (`NeedQuerySet.counted`); completed reviews without one are listed apart, never
    as overdue. Two queries a section, whatever the number of States."""
    if not can_view_desk(user):
        return []
    counted = (
        Need.objects.visible_to(user)
        .counted()
        .select_related("review__state", "article", "need_type")
    )
    identified = Exists(counted.filter(review=OuterRef("pk")))
    completed = CountryReview.objects.visible_to(user).filter(
        status=CountryReview.Status.COMPLETED
    )
    return [
        _no_letter_section(completed.filter(identified)),
        _no_needs_section(completed.exclude(identified)),
        _no_plan_section(user, today, days_without_plan),
        *_work_sections(user, counted),
        _imported_section(user),
    ]


def _no_letter_section(expected) -> DeskSection:
    return _section(
        "no-letter",
        gettext("Completed reviews with needs identified and no letter sent"),
        expected.filter(
            Q(follow_up__isnull=True) | Q(follow_up__letter_sent_on__isnull=True)
        )
        .select_related("state", "cycle")
        .order_by("completed_on", "state__name"),
    )


def _no_needs_section(reviews) -> DeskSection:
    """Completed reviews with no accepted need: nothing is expected of them yet; the
    rows say whether the State has proposals awaiting the secretariat."""
    proposed = Need.objects.filter(review=OuterRef("pk"), accepted_at__isnull=True)
    return _section(
        "no-needs",
        gettext("Completed reviews with no needs identified"),
        reviews.annotate(has_proposals=Exists(proposed))
        .select_related("state", "cycle")
        .order_by("state__name", "completed_on"),
        note=gettext(
            "Paragraph 72: the follow-up starts once needs have been identified. "
            "No letter or action plan is expected until the secretariat accepts a "
            "need of the review."
        ),
    )


def _no_plan_section(user, today, days) -> DeskSection:
    """Letters sent `days` ago or more, to a review with accepted needs, and no
    current action plan of the State."""
    has_plan = ActionPlan.objects.current().filter(state=OuterRef("review__state"))
    identified = Need.objects.counted().filter(review=OuterRef("review"))
    title = ngettext(
        # Translators: a section of the follow-up desk; %(days)s is a number of days.
        "Letters sent over %(days)s day ago with no action plan",
        "Letters sent over %(days)s days ago with no action plan",
        days,
    )
    return _section(
        "no-plan",
        title % {"days": days},
        FollowUp.objects.visible_to(user)
        .filter(letter_sent_on__lte=today - datetime.timedelta(days=days))
        .filter(Exists(identified))
        .exclude(Exists(has_plan))
        .select_related("review__state")
        .order_by("letter_sent_on"),
    )


def _work_sections(user, counted) -> list[DeskSection]:
    """Plans not yet integrated, needs no one addresses or addresses in part, and
    assistance that ended without extension."""
    has_link = AssistanceNeed.objects.filter(need=OuterRef("pk"))
    integrated = ActionPlanItem.objects.filter(plan=OuterRef("pk")).exclude(
        integration=ActionPlanItem.Integration.NONE
    )
    return [
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
            .order_by("review__state__sort_name", "article__number"),
        ),
        _section(
            "in-part",
            gettext("Needs met in part"),
            counted.filter(coverage=Need.Coverage.MET_IN_PART).order_by(
                "review__state__sort_name", "article__number"
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


def imported_unlinked(*, user):
    """Projects imported from IATI (their iati-identifier kept) that address no
    need yet: the secretariat links them to needs on the assistance form."""
    linked = AssistanceNeed.objects.filter(assistance=OuterRef("pk"))
    return (
        Assistance.objects.visible_to(user)
        .exclude(iati_identifier="")
        .exclude(Exists(linked))
        .prefetch_related(
            Prefetch("beneficiaries", queryset=StateParty.objects.visible_to(user))
        )
        .order_by("title", "pk")
    )


def _by_state(projects) -> list[tuple]:
    """[(State or None, [projects])] in the States' order, projects with no
    beneficiary State recorded (regional ones) last; a project serving several
    States is under each."""
    groups = defaultdict(list)
    for project in projects:
        for state in project.beneficiaries.all() or [None]:
            groups[state].append(project)
    named = sorted((s for s in groups if s), key=lambda s: sort_key(s.label))
    return [(state, groups[state]) for state in [*named, None] if state in groups]


def _imported_section(user) -> DeskSection:
    projects = imported_unlinked(user=user)
    return DeskSection(
        "imported-unlinked",
        gettext("Imported projects that address no need yet, by State"),
        _by_state(projects[:DESK_LIMIT]),
        projects.count(),
        note=gettext(
            "Projects imported from donors' IATI files: the import links no need. "
            "Choose the needs each addresses on its assistance form."
        ),
    )


# ---------------------------------------------------------------------------
# Assistance a person sees: one scope for every page that lists projects
# ---------------------------------------------------------------------------
def assistance_visible(*, user):
    """The assistance projects and activities `user` sees, whatever their status or
    links. A State's follow-up page (the projects serving it) and donor mapping (all
    of them) both read here, so that they show the same projects."""
    return Assistance.objects.visible_to(user)


# ---------------------------------------------------------------------------
# Donor mapping (paragraph 78)
# ---------------------------------------------------------------------------
# The default: assistance under way or delivered. Planned assistance does not address
# a need yet (`services.coverage_from_links`); it is shown on request.
MAPPING_STATUSES = (
    Assistance.Status.ONGOING,
    Assistance.Status.COMPLETED,
    Assistance.Status.ENDED,
)
NOT_REGIONAL, UNLINKED = "none", "unlinked"  # column keys that name no value


@dataclass(frozen=True)
class Dimension:
    """What the columns of the matrix are. `need_key` reads a need's value from an
    assistance link; `beneficiary_key` (States and regions) a beneficiary's from
    the assistance-State table; `model` names the values in the active language
    (`<relation>__name`, `<relation>__names`); an article is its number."""

    need_key: str
    model: type | None = None
    beneficiary_key: str = ""


MAPPING_DIMENSIONS = {
    "type": Dimension("need__need_type__slug", NeedType),
    "article": Dimension("need__article__number"),
    "region": Dimension(
        "need__review__state__regional_group__slug",
        RegionalGroup,
        "stateparty__regional_group__slug",
    ),
    "state": Dimension("need__review__state__code", StateParty, "stateparty__code"),
}


def _label(model, name, names) -> str:
    """The name of a reference row read with values(), in the active language."""
    return model(name=name, names=names or {}).label


def _named(key: str, model) -> list[str]:
    relation = key.rsplit("__", 1)[0]
    return [f"{relation}__name", f"{relation}__names"] if model else []


@dataclass(frozen=True)
class Cell:
    """A donor's projects in a column, and the distinct needs (among those the user
    sees) they address in full, and only in part."""

    projects: int
    in_full: int
    in_part: int


@dataclass
class _Tally:
    projects: set = field(default_factory=set)
    needs: dict = field(default_factory=dict)  # need id -> best coverage

    def add(self, project: int, needs: dict) -> None:
        self.projects.add(project)
        for need, coverage in needs.items():
            if self.needs.get(need) != AssistanceNeed.Coverage.IN_FULL:
                self.needs[need] = coverage

    def cell(self) -> Cell:
        full = list(self.needs.values()).count(AssistanceNeed.Coverage.IN_FULL)
        return Cell(len(self.projects), full, len(self.needs) - full)


@dataclass
class MatrixRow:
    donor: str  # the donor's name, or (recorded False) what says none is recorded
    recorded: bool
    cells: dict  # column key -> Cell
    total: Cell  # the donor's projects and needs over every column


@dataclass
class Matrix:
    dimension: str
    statuses: tuple[str, ...]
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[MatrixRow]
    status_counts: dict  # status -> projects the user sees, whatever the filter


def donor_matrix(
    *, user, dimension: str, statuses: tuple[str, ...] = MAPPING_STATUSES
) -> Matrix:
    """Every donor (those with no project too) against need types, articles, regional
    groups or States: the projects of `statuses` that `user` sees
    (`assistance_visible`), and the needs `user` sees that they address. Projects
    with no donor recorded have their own row; those with no need linked (by State
    and region: no beneficiary) their own column. Five queries, whatever the number
    of donors, projects and needs."""
    spec = MAPPING_DIMENSIONS[dimension]
    allowed = can_view_donor_mapping(user)
    seen = assistance_visible(user=user) if allowed else Assistance.objects.none()
    projects = seen.filter(status__in=statuses)
    labels: dict = {}
    columns_of, needs_of = _project_columns(user, spec, projects, labels)
    tallies, totals = defaultdict(lambda: defaultdict(_Tally)), defaultdict(_Tally)
    for project, donor in projects.values_list("pk", "donors__name"):
        columns = columns_of.get(project) or {UNLINKED}
        for column in columns:
            tallies[donor][column].add(project, needs_of[project, column])
            totals[donor].add(project, needs_of[project, column])
    if any(UNLINKED in columns for columns in tallies.values()):
        labels[UNLINKED] = (
            gettext("No beneficiary recorded")
            if spec.beneficiary_key
            else gettext("No need linked yet")
        )
    names = list(Donor.objects.values_list("name", flat=True)) if allowed else []
    return Matrix(
        dimension,
        tuple(statuses),
        _ordered_columns(dimension, labels),
        _matrix_rows(names, tallies, totals),
        _status_counts(seen),
    )


def _column(value, spec: Dimension, names, labels: dict) -> str:
    """The column key of a value read with values(), its label noted in `labels`."""
    if value is None:
        labels[NOT_REGIONAL] = gettext("No regional group")
        return NOT_REGIONAL
    key = str(value)
    if key not in labels:
        labels[key] = key if spec.model is None else _label(spec.model, *names)
    return key


def _project_columns(user, spec: Dimension, projects, labels: dict):
    """Each project's columns (through the needs it addresses and, by State or
    region, its beneficiaries) and, per project and column, its needs' coverage.
    Two queries at most."""
    columns_of = defaultdict(set)
    needs_of = defaultdict(dict)
    links = AssistanceNeed.objects.filter(
        assistance__in=projects, need__in=Need.objects.visible_to(user)
    ).values_list(
        "assistance_id",
        "need_id",
        "coverage",
        spec.need_key,
        *_named(spec.need_key, spec.model),
    )
    for project, need, coverage, value, *names in links:
        column = _column(value, spec, names, labels)
        columns_of[project].add(column)
        needs = needs_of[project, column]
        if needs.get(need) != AssistanceNeed.Coverage.IN_FULL:
            needs[need] = coverage
    if spec.beneficiary_key:
        served = Assistance.beneficiaries.through.objects.filter(
            assistance__in=projects, stateparty__in=StateParty.objects.visible_to(user)
        ).values_list(
            "assistance_id",
            spec.beneficiary_key,
            *_named(spec.beneficiary_key, spec.model),
        )
        for project, value, *names in served:
            columns_of[project].add(_column(value, spec, names, labels))
    return columns_of, needs_of


def _ordered_columns(dimension: str, labels: dict) -> list[tuple[str, str]]:
    """Articles by number, the others by name; the columns naming no value last."""

    def order(item):
        key, label = item
        if key in (NOT_REGIONAL, UNLINKED):
            return (1, 0, key)
        number = int(key) if dimension == "article" else 0
        return (0, number, sort_key(str(label)))

    return [(key, str(label)) for key, label in sorted(labels.items(), key=order)]


def _matrix_rows(names: list[str], tallies, totals) -> list[MatrixRow]:
    """A row per donor by name, then (if any) the projects with no donor recorded."""
    empty = Cell(0, 0, 0)
    rows = [
        MatrixRow(
            name,
            True,
            {key: tally.cell() for key, tally in tallies[name].items()},
            totals[name].cell() if name in totals else empty,
        )
        for name in sorted(names, key=lambda name: sort_key(str(name)))
    ]
    if None in tallies:
        cells = {key: tally.cell() for key, tally in tallies[None].items()}
        rows.append(
            MatrixRow(gettext("Donor not recorded"), False, cells, totals[None].cell())
        )
    return rows


def _status_counts(seen) -> dict:
    rows = seen.order_by().values("status").annotate(projects=Count("pk"))
    return {row["status"]: row["projects"] for row in rows}


def mapping_projects(*, user, statuses: tuple[str, ...] = MAPPING_STATUSES):
    """The projects donor mapping counts, each with its donors, the beneficiaries
    `user` sees and `needs_in_full` / `needs_in_part`: its links to needs `user`
    sees."""
    if not can_view_donor_mapping(user):
        return Assistance.objects.none()
    needs = Need.objects.visible_to(user)
    linked = Q(links__need__in=needs)
    full = linked & Q(links__coverage=AssistanceNeed.Coverage.IN_FULL)
    part = linked & Q(links__coverage=AssistanceNeed.Coverage.IN_PART)
    return (
        assistance_visible(user=user)
        .filter(status__in=statuses)
        .annotate(
            needs_in_full=Count("links", filter=full),
            needs_in_part=Count("links", filter=part),
        )
        .prefetch_related(
            "donors",
            Prefetch("beneficiaries", queryset=StateParty.objects.visible_to(user)),
        )
        .order_by("title", "pk")
    )


def first_recorded(queryset):
    """Each assistance record annotated with `first_recorded_at`: the date of its
    first historical row, read in the same query."""
    rows = Assistance.history.filter(id=OuterRef("pk")).order_by("history_date")
    return queryset.annotate(
        first_recorded_at=Subquery(rows.values("history_date")[:1])
    )


def assistance_for_iati(*, user, statuses: tuple[str, ...] = (), state: str = ""):
    """The projects of donor mapping with these statuses (none: its default), or
    those serving one State, as the IATI file writes them: their donors, the
    beneficiaries and the needs addressed that `user` may see."""
    if not can_view_donor_mapping(user):
        return Assistance.objects.none()
    projects = assistance_visible(user=user).filter(
        status__in=statuses or MAPPING_STATUSES
    )
    if state:
        serving = Assistance.objects.filter(beneficiaries__code__iexact=state)
        projects = projects.filter(pk__in=serving.values("pk"))
    links = visible_links(user=user).select_related(
        "need__review__state", "need__article", "need__need_type"
    )
    return (
        first_recorded(projects)
        .prefetch_related(
            "donors",
            Prefetch("beneficiaries", queryset=StateParty.objects.visible_to(user)),
            Prefetch("links", queryset=links.order_by("pk")),
        )
        .order_by("title", "pk")
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
            assistance_visible(user=user)
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
