"""Writes of needs: the need types (reference data) and the entry workflow.

Keyword-only services that take the acting user, check the permission predicates,
validate, save and leave the audit trail (django-simple-history, with the user).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from needs.models import EntryEvent, Need, NeedType, NeedTypeAlias
from needs.permissions import (
    can_decide_review,
    can_edit_need,
    can_enter_needs,
    can_submit_review,
)
from reviews.models import CountryReview
from reviews.permissions import is_secretariat
from reviews.services import LoadResult

# What a person edits on a need; the rest is its identity or owned by a service.
EDITABLE_FIELDS = ["description", "priority", "source", "remaining"]

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


@transaction.atomic
def review_submit(*, review: CountryReview, user) -> EntryEvent:
    """Send the review's drafts and revisions to the secretariat."""
    if not can_submit_review(user, review):
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
