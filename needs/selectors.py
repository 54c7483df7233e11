"""Reads of needs that a person sees: lists, a need, a State's and a review's needs,
the entry page's counts, the focal point's digest and the audit trail.

Every function that returns records takes the user first and applies `visible_to`;
what is not visible does not exist (the caller answers 404).
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst
from django.utils.translation import pgettext_lazy

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    AssistanceReportNeed,
    Consent,
    FollowUp,
    FollowUpEvent,
    Need,
    NeedProposal,
)
from needs.permissions import can_see_proposals, can_view_history
from reviews.models import Article, CountryReview, StateParty
from reviews.permissions import focal_state_id, review_filter


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
    """States `user` may see, with the number of their reviews and counted needs."""
    visible = review_filter(user, "reviews__")
    return (
        StateParty.objects.visible_to(user)
        .select_related("regional_group")
        .order_by("name")
        .annotate(
            review_count=Count("reviews", filter=visible, distinct=True),
            need_count=Count(
                "reviews__needs",
                filter=visible & Q(reviews__needs__accepted_at__isnull=False),
                distinct=True,
            ),
        )
    )


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
    return Digest(state=state, handover=handover, **counts)


# ---------------------------------------------------------------------------
# The audit trail, read from django-simple-history's tables
# ---------------------------------------------------------------------------
# Every save and delete of these models leaves a historical row: who, when and the
# whole record. Diffs pair consecutive rows of one record; history survives deletion.
AUDITED_MODELS = [
    Need,
    NeedProposal,
    CountryReview,
    FollowUp,
    FollowUpEvent,
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    AssistanceReportNeed,
    Consent,
]
HIDDEN_FIELDS = {
    "history_id",
    "history_date",
    "history_user",
    "history_type",
    "history_change_reason",
    "updated_at",
    "created_at",
}
KINDS = {"+": "created", "~": "changed", "-": "deleted"}
KIND_LABELS = {
    "created": pgettext_lazy("audit trail: what happened to a record", "created"),
    "changed": pgettext_lazy("audit trail: what happened to a record", "changed"),
    "deleted": pgettext_lazy("audit trail: what happened to a record", "deleted"),
}


@dataclass
class HistoryEntry:
    record: object
    label: str
    kind: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    model: object = None

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name if self.model else ""

    @property
    def kind_label(self) -> str:
        """What happened to the record, in the active language."""
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def labelled_changes(self) -> list[tuple[str, object, object]]:
        """`changes` with each field's verbose name (translated) for its name."""
        return labelled_changes(self.model, self.changes)

    @property
    def when(self):
        return self.record.history_date

    @property
    def who(self):
        return self.record.history_user


def _field(model, name: str):
    """`model`'s concrete field called `name` (or with attname `name`), or None."""
    if model is None:
        return None
    return next(
        (f for f in model._meta.concrete_fields if name in {f.name, f.attname}), None
    )


def field_label(model, name: str) -> str:
    """The verbose name of `model`'s field `name`, capitalized and in the active
    language; `name` itself for a field the model does not have."""
    field = _field(model, name)
    return capfirst(field.verbose_name) if field is not None else name


def field_value(model, name: str, value):
    """`value` as a person reads it: the label of a choice, else the value."""
    field = _field(model, name)
    if field is None or not field.choices:
        return value
    return dict(field.flatchoices).get(value, value)


def labelled_changes(model, changes) -> list[tuple[str, object, object]]:
    """(field, old, new) triples with the field's verbose name and choice labels."""
    return [
        (
            field_label(model, name),
            field_value(model, name, old),
            field_value(model, name, new),
        )
        for name, old, new in changes
    ]


def audited_model(label: str):
    """The audited model named `label` ("need", "actionplan", …), or None."""
    return next((m for m in AUDITED_MODELS if m._meta.model_name == label), None)


def _diff(previous, record) -> list[tuple[str, object, object]]:
    if previous is None:
        return []
    names = [
        f.attname
        for f in record._meta.concrete_fields
        if f.attname not in HIDDEN_FIELDS
    ]
    return [
        (name, getattr(previous, name), getattr(record, name))
        for name in names
        if getattr(previous, name) != getattr(record, name)
    ]


def record_history(*, user, model, pk: int) -> list[HistoryEntry]:
    """Every recorded version of one record, newest first, each with its changes;
    empty for a user who may not read the audit trail."""
    if not can_view_history(user):
        return []
    records = list(
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries, previous = [], None
    for record in records:
        kind = KINDS[record.history_type]
        label = model._meta.verbose_name
        entries.append(
            HistoryEntry(record, label, kind, _diff(previous, record), model=model)
        )
        previous = record
    return entries[::-1]


def recent_changes(*, user, limit: int = 100) -> list[HistoryEntry]:
    """The latest changes of every audited model: one query per model."""
    if not can_view_history(user):
        return []
    entries = []
    for model in AUDITED_MODELS:
        records = model.history.select_related("history_user").order_by("-history_date")
        entries += [
            HistoryEntry(
                r, model._meta.verbose_name, KINDS[r.history_type], model=model
            )
            for r in records[:limit]
        ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
