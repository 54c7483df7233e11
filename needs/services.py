"""Writes of the needs app that touch several rows."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from needs import note_2013
from needs.models import EntryEvent, Need, NeedType, NeedTypeAlias
from needs.permissions import can_decide_review, can_edit_need, can_enter_needs
from reviews.models import (
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.permissions import focal_state_id, is_secretariat
from reviews.services import LoadResult

EDITABLE_FIELDS = ["description", "priority", "source", "coverage", "remaining"]

# slug, name (as the note's tables print it), short name, aliases
NEED_TYPES = [
    (
        "legislative-drafting",
        "Legislative drafting and legal advice",
        "Legislative drafting",
        [],
    ),
    ("model-legislation", "Model legislation", "Model legislation", []),
    (
        "action-plan",
        "Development of an implementation action plan",
        "Action plan",
        ["Implementation action plan"],
    ),
    (
        "good-practices",
        "Summary of good practices/lessons learned",
        "Good practices",
        ["Summary of good practices or lessons learned"],
    ),
    (
        "model-treaties",
        "Model treaties/agreements",
        "Model treaties",
        [
            "Model treaties/programmes",
            "Model treaties and agreement",
            "Model treaties or agreements",
        ],
    ),
    ("capacity-building", "Capacity-building programmes", "Capacity-building", []),
    (
        "on-site-expert",
        "On-site expert",
        "On-site expert",
        ["Assistance by an on-site expert"],
    ),
    (
        "technological-assistance",
        "Technological assistance",
        "Technological assistance",
        [],
    ),
    ("other", "Other assistance", "Other", []),
]


@transaction.atomic
def need_types_load() -> LoadResult:
    """Load the nine checklist categories and their label variants; idempotent."""
    created = updated = 0
    for order, (slug, name, short_name, aliases) in enumerate(NEED_TYPES, start=1):
        need_type, was_created = NeedType.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "short_name": short_name, "display_order": order},
        )
        created, updated = created + was_created, updated + (not was_created)
        for label in aliases:
            _, was_created = NeedTypeAlias.objects.update_or_create(
                label=label, defaults={"need_type": need_type}
            )
            created, updated = created + was_created, updated + (not was_created)
    return LoadResult(created=created, updated=updated)


class ReferenceDataMissing(Exception):
    """The reference data must be loaded first (python manage.py load_reference)."""


@transaction.atomic
def note_2013_load() -> LoadResult:
    """Load the reconstructed 44-State data set of the 2013 note; idempotent.

    States, their first-cycle reviews and their needs are created or updated; needs
    of those reviews that the plan no longer holds are removed, so that the data set
    is always exactly the plan.
    """
    states, planned = note_2013.plan()
    groups = {group.slug: group for group in RegionalGroup.objects.all()}
    cycle = ReviewCycle.objects.filter(number=1).first()
    if len(groups) < len(note_2013.REGION_PREFIX) or cycle is None:
        raise ReferenceDataMissing(
            "Reference data missing: run `python manage.py load_reference` first."
        )
    reviews = {}
    for state in states:
        party, _ = StateParty.objects.update_or_create(
            code=state.code,
            defaults={
                "name": state.name,
                "regional_group": groups[state.region],
                "reconstructed": True,
                "notes": "Anonymized State of the reconstructed data set of the 2013 "
                "note on technical assistance needs (first 44 country reviews).",
            },
        )
        reviews[state.code], _ = CountryReview.objects.update_or_create(
            state=party,
            cycle=cycle,
            defaults={
                "cycle_year": state.cycle_year,
                "status": CountryReview.Status.COMPLETED,
                "completed_on": state.completed_on,
                "has_executive_summary": True,
                "has_full_report": True,
                "full_report_consent": state.full_report_consent,
            },
        )
    articles = {
        a.number: a for a in Article.objects.filter(chapter__number__in=["III", "IV"])
    }
    types = {}
    rows = []
    for need in planned:
        if need.type_label not in types:
            types[need.type_label] = NeedType.objects.resolve(need.type_label)
        rows.append(
            Need(
                review=reviews[need.state_code],
                article=articles[need.article],
                need_type=types[need.type_label],
                description=need.description,
                source=Need.Source.EXECUTIVE_SUMMARY,
            )
        )
    planned_keys = {(n.review_id, n.article_id, n.need_type_id) for n in rows}
    existing = {
        (review, article, need_type): pk
        for pk, review, article, need_type in Need.objects.filter(
            review__in=reviews.values()
        ).values_list("pk", "review", "article", "need_type")
    }
    Need.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["review", "article", "need_type"],
        update_fields=["description"],
    )
    stale = [pk for key, pk in existing.items() if key not in planned_keys]
    Need.objects.filter(pk__in=stale).delete()
    created = len(planned_keys - existing.keys())
    return LoadResult(created=created, updated=len(planned_keys) - created)


# ---------------------------------------------------------------------------
# Entering and changing needs
# ---------------------------------------------------------------------------
class StaleEdit(Exception):
    """The need changed since the editor loaded it; nothing was saved."""

    def __init__(self, current: Need, changes: dict[str, tuple]):
        self.current = current
        self.changes = changes  # field -> (value the editor saw, value now)
        super().__init__(
            "This need was changed by someone else since you opened it: "
            + "; ".join(
                f"{field}: {old!r} → {new!r}" for field, (old, new) in changes.items()
            )
        )


def _changes_since(need: Need, version: int) -> dict[str, tuple]:
    """Fields that differ between the version the editor saw (from history) and now."""
    seen = need.history.filter(version=version).order_by("-history_id").first()
    if seen is None:
        return {field: (None, getattr(need, field)) for field in EDITABLE_FIELDS}
    return {
        field: (getattr(seen, field), getattr(need, field))
        for field in EDITABLE_FIELDS
        if getattr(seen, field) != getattr(need, field)
    }


@transaction.atomic
def need_create(*, review: CountryReview, user, **values) -> Need:
    """A new need; a focal point's starts as a draft, the secretariat's is accepted."""
    if not can_enter_needs(user, review):
        raise PermissionDenied("You cannot enter needs for this review.")
    need = Need(review=review, **values)
    if not is_secretariat(user):
        need.status, need.accepted_at = Need.Status.DRAFT, None
    need.full_clean()
    need._history_user = user
    need.save()
    return need


@transaction.atomic
def need_update(*, need: Need, user, expected_version: int, **values) -> Need:
    """Change a need if nobody else has since `expected_version`; else StaleEdit."""
    if not can_edit_need(user, need):
        raise PermissionDenied("You cannot change this need now.")
    claimed = Need.objects.filter(pk=need.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        current = Need.objects.get(pk=need.pk)
        raise StaleEdit(current, _changes_since(current, expected_version))
    need.version = expected_version + 1
    for field, value in values.items():
        setattr(need, field, value)
    if not is_secretariat(user):
        need.status = Need.Status.DRAFT
    need.full_clean()
    need._history_user = user
    need.save(update_version=False)
    return need


@transaction.atomic
def need_withdraw(*, need: Need, user) -> Need | None:
    """A never-accepted need is deleted; an accepted one awaits the secretariat."""
    if not can_edit_need(user, need):
        raise PermissionDenied("You cannot withdraw this need now.")
    need._history_user = user
    if need.accepted_at is None or is_secretariat(user):
        need.delete()
        return None
    need.withdrawal_requested = True
    need.status = Need.Status.DRAFT
    need.save()
    return need


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


@transaction.atomic
def review_submit(*, review: CountryReview, user) -> EntryEvent:
    """Send the review's drafts and revisions to the secretariat."""
    if not can_enter_needs(user, review):
        raise PermissionDenied("You cannot submit this review's needs.")
    pending = list(review.needs.pending())
    if not pending:
        raise ValidationError("There is nothing to submit: no draft or returned need.")
    for need in pending:
        need.status = Need.Status.SUBMITTED
        need._history_user = user
        need.save()
    count = len(pending)
    return EntryEvent.objects.create(
        review=review, action=EntryEvent.Action.SUBMITTED, user=user, need_count=count
    )


@transaction.atomic
def review_accept(*, review: CountryReview, user, comment: str = "") -> EntryEvent:
    """Accept the submitted needs; withdrawals asked for are carried out."""
    if not can_decide_review(user, review):
        raise PermissionDenied("Only the secretariat accepts needs.")
    submitted = list(review.needs.filter(status=Need.Status.SUBMITTED))
    if not submitted:
        raise ValidationError("No submitted need awaits a decision.")
    now = timezone.now()
    for need in submitted:
        need._history_user = user
        if need.withdrawal_requested:
            need.delete()
            continue
        need.status = Need.Status.ACCEPTED
        need.accepted_at = need.accepted_at or now
        need.save()
    return EntryEvent.objects.create(
        review=review,
        action=EntryEvent.Action.ACCEPTED,
        user=user,
        comment=comment,
        need_count=len(submitted),
    )


@transaction.atomic
def review_return(*, review: CountryReview, user, comment: str) -> EntryEvent:
    """Return the submitted needs to the State with a comment."""
    if not can_decide_review(user, review):
        raise PermissionDenied("Only the secretariat returns needs.")
    if not comment.strip():
        raise ValidationError({"comment": "Say what should be revised."})
    submitted = list(review.needs.filter(status=Need.Status.SUBMITTED))
    if not submitted:
        raise ValidationError("No submitted need awaits a decision.")
    for need in submitted:
        need.status = Need.Status.RETURNED
        need._history_user = user
        need.save()
    return EntryEvent.objects.create(
        review=review,
        action=EntryEvent.Action.RETURNED,
        user=user,
        comment=comment,
        need_count=len(submitted),
    )


@dataclass(frozen=True)
class Completeness:
    needs: int
    without_description: int
    without_priority: int
    articles_with_needs: int
    articles: int

    @property
    def missing(self) -> int:
        return self.without_description + self.without_priority


def review_completeness(review: CountryReview) -> Completeness:
    counts = review.needs.aggregate(
        needs=Count("pk"),
        without_description=Count("pk", filter=Q(description="")),
        without_priority=Count("pk", filter=Q(priority=Need.Priority.UNSET)),
        articles_with_needs=Count("article", distinct=True),
    )
    articles = Article.objects.filter(chapter__cycles=review.cycle).count()
    return Completeness(articles=articles, **counts)


@dataclass(frozen=True)
class EntryResult:
    created: int = 0
    changed: int = 0
    withdrawn: int = 0


@transaction.atomic
def review_save_entries(*, review: CountryReview, entries: dict, user) -> EntryResult:
    """Save the entry page: create ticked needs, change edited ones, withdraw unticked.

    All or nothing: a stale version anywhere (StaleEdit) saves nothing.
    """
    existing = {(n.article_id, n.need_type_id): n for n in review.needs.all()}
    created = changed = withdrawn = 0
    for (article, need_type), entry in entries.items():
        need = existing.get((article.pk, need_type.pk))
        wanted = {"description": entry["description"], "priority": entry["priority"]}
        if entry["on"] and need is None:
            need_create(
                review=review,
                user=user,
                article=article,
                need_type=need_type,
                source=Need.Source.CHECKLIST,
                **wanted,
            )
            created += 1
        elif need is not None and entry["version"] is None:
            # Someone else recorded this need after the page was opened.
            raise StaleEdit(need, _changes_since(need, 0))
        elif entry["on"] and (
            need.withdrawal_requested
            or any(getattr(need, k) != v for k, v in wanted.items())
        ):
            need_update(
                need=need,
                user=user,
                expected_version=entry["version"],
                withdrawal_requested=False,
                **wanted,
            )
            changed += 1
        elif not entry["on"] and need is not None and not need.withdrawal_requested:
            if entry["version"] is not None and entry["version"] != need.version:
                raise StaleEdit(need, _changes_since(need, entry["version"]))
            need_withdraw(need=need, user=user)
            withdrawn += 1
    return EntryResult(created, changed, withdrawn)


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


def focal_point_digest(user) -> Digest | None:
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
