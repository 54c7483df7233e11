"""Reads of needs that a person sees: lists, a need, a State's and a review's needs,
the entry page's counts, the focal point's digest and the audit trail.

Every function that returns records takes the user first and applies `visible_to`;
what is not visible does not exist (the caller answers 404).
"""

import datetime
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, F, Min, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy

# The audit trail's reads live in needs.audit; the views find them here too.
from needs.audit import AUDITED_MODELS as AUDITED_MODELS
from needs.audit import HistoryEntry as HistoryEntry
from needs.audit import audited_model as audited_model
from needs.audit import field_label as field_label
from needs.audit import field_value as field_value
from needs.audit import labelled_changes as labelled_changes
from needs.audit import recent_changes as recent_changes
from needs.audit import record_history as record_history
from needs.models import (
    EntryDecision,
    EntryEvent,
    Need,
    NeedProposal,
    NeedType,
)
from needs.permissions import can_decide_any_review, can_see_proposals
from reviews.models import Article, CountryReview, ReviewCycle, StateParty
from reviews.permissions import focal_state_id, review_filter
from tatracker import fragments


# ---------------------------------------------------------------------------
# Needs, States and reviews
# ---------------------------------------------------------------------------
def needs_for(user):
    """The needs `user` may see, with what their rows show and whether `user` may
    read their descriptions (`description_shared`)."""
    return Need.objects.visible_to(user).with_related().with_sharing(user)


def need_list(*, user):
    """The needs `user` may see, in the note's order."""
    return needs_for(user).in_note_order()


@dataclass(frozen=True)
class ReferenceLabels:
    """The reference rows a list of needs names, by id, in one language."""

    cycles: dict[int, int]  # id: number
    articles: dict[int, tuple[int, str, str]]  # id: (number, title, chapter number)
    need_types: dict[int, str]  # id: name


def reference_labels(*, request=None, refresh: bool = False) -> ReferenceLabels:
    """The cycles', articles' and types' labels in the active language, read once per
    data version and language (`tatracker.fragments`): reference rows, edited only
    where the data version is raised. `refresh`: read them again (a row written by
    hand, without raising the version)."""
    kept = fragments.kept(("reference-labels", get_language()), request)
    if refresh or "labels" not in kept:
        articles = Article.objects.select_related("chapter")
        kept["labels"] = ReferenceLabels(
            cycles=dict(ReviewCycle.objects.values_list("id", "number")),
            articles={a.pk: (a.number, a.label, a.chapter.number) for a in articles},
            need_types={t.pk: t.label for t in NeedType.objects.all()},
        )
    return kept["labels"]


def more_than(queryset, limit: int) -> bool:
    """Whether `queryset` holds more than `limit` rows (reading at most limit + 1)."""
    return queryset.order_by()[: limit + 1].count() > limit


def need_get(*, user, pk) -> Need:
    """A need `user` may see; its proposal under way only for those who may see it
    (the State's focal points and the secretariat)."""
    need = get_object_or_404(needs_for(user).select_related("proposal"), pk=pk)
    if not can_see_proposals(user, need):
        need.proposal = None
    return need


def review_get(*, user, pk) -> CountryReview:
    reviews = CountryReview.objects.visible_to(user).select_related("state", "cycle")
    return get_object_or_404(reviews, pk=pk)


def state_list(*, user):
    """States `user` may see, by name, with the number of their reviews and counted
    needs."""
    visible = review_filter(user, "reviews__")
    return (
        StateParty.objects.visible_to(user)
        .select_related("regional_group")
        .order_by("sort_name")
        .annotate(
            review_count=Count("reviews", filter=visible, distinct=True),
            need_count=Count(
                "reviews__needs",
                filter=visible & Q(reviews__needs__accepted_at__isnull=False),
                distinct=True,
            ),
        )
    )


@dataclass(frozen=True)
class StateCounts:
    """States counted apart: the real States parties, the other real States (not
    parties, or not confirmed), and the anonymised States of the 2013
    reconstruction, a demonstration data set that no real installation counts."""

    parties: int
    others: int
    demonstration: int


def _state_counts(states) -> StateCounts:
    party = Q(party_status=StateParty.PartyStatus.YES)
    return StateCounts(
        **states.aggregate(
            parties=Count("pk", filter=Q(reconstructed=False) & party),
            others=Count("pk", filter=Q(reconstructed=False) & ~party),
            demonstration=Count("pk", filter=Q(reconstructed=True)),
        )
    )


def state_counts(*, user) -> StateCounts:
    """The States `user` may see, counted apart (`StateCounts`)."""
    return _state_counts(StateParty.objects.visible_to(user))


def registry_counts() -> StateCounts:
    """Every State recorded, counted apart: public reference data (the home page)."""
    return _state_counts(StateParty.objects.all())


def state_get(*, user, code) -> StateParty:
    """A State with its reviews that `user` may see, and their needs that `user` may
    see."""
    needs = (
        Need.objects.visible_to(user)
        .with_sharing(user)
        .select_related("article__chapter", "need_type")
    )
    reviews = (
        CountryReview.objects.visible_to(user)
        .select_related("cycle")
        .prefetch_related(Prefetch("needs", queryset=needs))
    )
    return get_object_or_404(
        StateParty.objects.visible_to(user)
        .select_related("regional_group")
        .prefetch_related(Prefetch("reviews", queryset=reviews)),
        code=code,
    )


def review_needs(*, user, review: CountryReview):
    """The needs of a review that `user` may see."""
    return (
        Need.objects.visible_to(user)
        .with_sharing(user)
        .filter(review=review)
        .select_related("article__chapter", "need_type")
    )


def needs_by_chapter(needs) -> list:
    """[(chapter, [(article, [need, …]), …]), …] in the note's order."""
    ordered = sorted(
        needs,
        key=lambda n: (
            n.article.chapter.ordinal,
            n.article.section,
            n.article.number,
            n.need_type.display_order,
        ),
    )
    return [
        (
            chapter,
            [
                (article, list(items))
                for article, items in groupby(chapter_needs, key=lambda n: n.article)
            ],
        )
        for chapter, chapter_needs in groupby(ordered, key=lambda n: n.article.chapter)
    ]


# ---------------------------------------------------------------------------
# The entry page of a review (the review is already loaded through review_get)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class EntryCompleteness:
    """How complete a review's entry is: needs without description or priority."""

    needs: int
    without_description: int
    without_priority: int
    articles_with_needs: int
    articles: int

    @property
    def missing(self) -> int:
        return self.without_description + self.without_priority


def review_completeness(review: CountryReview) -> EntryCompleteness:
    counts = review.needs.aggregate(
        needs=Count("pk"),
        without_description=Count("pk", filter=Q(description="")),
        without_priority=Count("pk", filter=Q(priority=Need.Priority.UNSET)),
        articles_with_needs=Count("article", distinct=True),
    )
    articles = Article.objects.filter(chapter__cycles=review.cycle).count()
    return EntryCompleteness(articles=articles, **counts)


# What the entry page prints for each entry status.
ENTRY_STATUS_LABELS = {
    "submitted": pgettext_lazy("entry status of a review", "Submitted"),
    "returned": pgettext_lazy("entry status of a review", "Returned"),
    "in-progress": pgettext_lazy("entry status of a review", "In-progress"),
    "accepted": pgettext_lazy("entry status of a review", "Accepted"),
}


def review_entry_status(review: CountryReview) -> str:
    """ "submitted", "in-progress" (unsubmitted changes), "returned" or "accepted"."""
    statuses = set(review.needs.values_list("status", flat=True))
    if Need.Status.SUBMITTED in statuses:
        return "submitted"
    if Need.Status.RETURNED in statuses:
        return "returned"
    if Need.Status.DRAFT in statuses:
        return "in-progress"
    return "accepted"


def returned_unchanged(*, user, review: CountryReview) -> list[NeedProposal]:
    """The review's returned proposals that nothing changed since the return, with
    the secretariat's comment (the entry page says so before a submission)."""
    return list(
        NeedProposal.objects.visible_to(user)
        .filter(
            need__review=review,
            status__in=[NeedProposal.Status.DRAFT, NeedProposal.Status.RETURNED],
        )
        .unchanged_since_return()
        .select_related("need__review__state", "need__article", "need__need_type")
        .order_by("need__article__number", "need__need_type__display_order")
    )


# ---------------------------------------------------------------------------
# The secretariat's queue of submissions and the decision page
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Submission:
    """A review with proposals awaiting the secretariat: what changed, since when."""

    review: CountryReview
    new: int
    changed: int
    withdrawn: int
    since: datetime.datetime | None

    @property
    def total(self) -> int:
        return self.new + self.changed + self.withdrawn

    @property
    def age_days(self) -> int | None:
        return (timezone.now() - self.since).days if self.since else None


def submissions_queue(*, user) -> list[Submission]:
    """Reviews with submitted proposals that `user` decides on, oldest first (two
    queries whatever their number)."""
    if not can_decide_any_review(user):
        return []
    kinds = NeedProposal.Kind
    rows = (
        NeedProposal.objects.visible_to(user)
        .filter(status=NeedProposal.Status.SUBMITTED)
        .values("need__review")
        .annotate(
            new=Count("pk", filter=Q(kind=kinds.NEW)),
            changed=Count("pk", filter=Q(kind=kinds.CHANGE)),
            withdrawn=Count("pk", filter=Q(kind=kinds.WITHDRAWAL)),
            since=Min("submitted_at"),
        )
        .order_by(F("since").asc(nulls_first=True), "need__review")
    )
    rows = list(rows)
    reviews = CountryReview.objects.select_related("state", "cycle").in_bulk(
        [row["need__review"] for row in rows]
    )
    return [
        Submission(
            review=reviews[row.pop("need__review")],
            **row,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class PendingDecision:
    """A submitted proposal as the decision page shows it: the need, what kind of
    proposal, and each changed field with its accepted and proposed value."""

    proposal: NeedProposal
    changes: list[tuple[str, object, object]]

    @property
    def need(self) -> Need:
        return self.proposal.need


def pending_decisions(*, user, review: CountryReview) -> list[PendingDecision]:
    """The review's submitted proposals with their differences (for the decider)."""
    proposals = (
        NeedProposal.objects.visible_to(user)
        .filter(need__review=review, status=NeedProposal.Status.SUBMITTED)
        .select_related("need__article", "need__need_type", "proposed_by")
        .order_by("need__article__number", "need__need_type__display_order")
    )
    return [
        PendingDecision(
            proposal=proposal,
            changes=labelled_changes(Need, proposal.changes()),
        )
        for proposal in proposals
    ]


def review_decisions(*, user, review: CountryReview, limit: int = 20):
    """The review's last entry events, each with its decisions per need."""
    return (
        EntryEvent.objects.visible_to(user)
        .filter(review=review)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=EntryDecision.objects.select_related("article", "need_type"),
            )
        )[:limit]
    )


# ---------------------------------------------------------------------------
# The focal point's digest of open items
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Digest:
    state: StateParty
    drafts: int
    returned: int
    submitted: int
    unaddressed: int
    without_description: int
    handover: object | None
    review: CountryReview | None = None  # where needs are entered and submitted
    unaddressed_value: str = Need.Coverage.NOT_YET_ADDRESSED


def focal_point_digest(*, user) -> Digest | None:
    """Open items of the focal point's State, for the home page (None for others)."""
    state_id = focal_state_id(user)
    if state_id is None:
        return None
    counts = Need.objects.filter(review__state_id=state_id).aggregate(
        drafts=Count("pk", filter=Q(status=Need.Status.DRAFT)),
        returned=Count("pk", filter=Q(status=Need.Status.RETURNED)),
        submitted=Count("pk", filter=Q(status=Need.Status.SUBMITTED)),
        unaddressed=Count("pk", filter=Q(coverage=Need.Coverage.NOT_YET_ADDRESSED)),
        without_description=Count("pk", filter=Q(description="")),
    )
    state = StateParty.objects.get(pk=state_id)
    handover = state.handovers.filter(successor=user).select_related("previous").first()
    review = (
        CountryReview.objects.filter(state_id=state_id)
        .annotate(open=Count("needs", filter=~Q(needs__status=Need.Status.ACCEPTED)))
        .order_by("-open", "-cycle__number", "-cycle_year")
        .first()
    )
    return Digest(state=state, handover=handover, review=review, **counts)
