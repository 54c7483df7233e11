"""Writes of needs: the need types (reference data) and the entry workflow.

Keyword-only services that take the acting user, check the permission predicates,
validate, save and leave the audit trail (django-simple-history, with the user).

The record moves only when the secretariat accepts: a need's fields are its accepted
values; a focal point's new need, change, coverage report or withdrawal is a
`NeedProposal` (draft → submitted → accepted or returned). The secretariat's own
changes are accepted as they are made.
"""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from needs.audit import labelled_changes
from needs.followup.services import need_coverage_set
from needs.models import EntryEvent, Need, NeedProposal, NeedType, NeedTypeAlias
from needs.permissions import (
    can_decide_review,
    can_edit_need,
    can_enter_needs,
    can_submit_review,
)
from reviews.models import CountryReview
from reviews.permissions import is_secretariat
from reviews.services import LoadResult, translated_names

# The nine types' names in the other official languages (kind "need-type").
NAMES_DIR = Path(__file__).resolve().parent / "data" / "names"


# What a person edits on a need; the rest is its identity or owned by a service.
EDITABLE_FIELDS = list(NeedProposal.VALUE_FIELDS)

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
    """Load the nine checklist categories, their label variants and their names in
    the other official languages; idempotent."""
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
    names = translated_names(NAMES_DIR)
    types = list(NeedType.objects.all())
    for need_type in types:
        need_type.names = names.get(("need-type", need_type.slug), {})
    NeedType.objects.bulk_update(types, ["names"])
    return LoadResult(created=created, updated=updated)


# ---------------------------------------------------------------------------
# Entering and changing needs
# ---------------------------------------------------------------------------
class StaleEdit(Exception):
    """The need changed since the editor loaded it; nothing was saved."""

    def __init__(self, current: Need, changes: dict[str, tuple]):
        self.current = current
        self.changes = changes  # field -> (value the editor saw, value now)
        labelled = labelled_changes(
            Need, [(field, old, new) for field, (old, new) in changes.items()]
        )
        differences = "; ".join(
            f"{label}: “{old or '—'}” → “{new or '—'}”" for label, old, new in labelled
        )
        super().__init__(
            # Translators: changes lists the fields with the value you saw and the
            # value now, e.g. "Priority: “High” → “Medium”".
            _("This need was changed by someone else since you opened it: %(changes)s")
            % {"changes": differences}
        )


def _values_at(need: Need, version: int) -> dict | None:
    """The values (proposed, else accepted) that an editor of `version` saw; None
    when the need had no recorded version then (an editor who saw no need).

    The need's last historical row of that version (or of the latest before it)
    dates the moment; the proposal is its last historical row by then. (A
    proposal's own `version` does not say: the secretariat's change of the need
    leaves it as it was, and a dropped proposal's deletion row carries its old
    version with the dropping change's values.)
    """
    seen = (
        need.history.filter(version__lte=version)
        .order_by("-version", "-history_id")
        .first()
    )
    if seen is None:
        return None
    proposal = (
        NeedProposal.history.filter(
            need_id=need.pk, history_date__lte=seen.history_date
        )
        .order_by("-history_date", "-history_id")
        .first()
    )
    if (
        proposal is not None
        and proposal.history_type != "-"
        and proposal.kind != NeedProposal.Kind.WITHDRAWAL
    ):
        seen = proposal
    return {field: getattr(seen, field) for field in EDITABLE_FIELDS}


def _changes_since(need: Need, version: int) -> dict[str, tuple]:
    """Fields that differ between what the editor saw at `version` and now."""
    seen = _values_at(need, version) or {}
    return {
        field: (seen.get(field), need.proposed(field))
        for field in EDITABLE_FIELDS
        if seen.get(field) != need.proposed(field)
    }


def _claim(need: Need, expected_version: int) -> None:
    """Optimistic locking: raise the version, or StaleEdit if someone else did."""
    claimed = Need.objects.filter(pk=need.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        current = Need.objects.select_related("proposal").get(pk=need.pk)
        raise StaleEdit(current, _changes_since(current, expected_version))
    need.version = expected_version + 1


def _save_need(need: Need, user, *, status: str) -> None:
    need.status = status
    need.withdrawal_requested = (
        need.pending_proposal is not None
        and need.proposal.kind == NeedProposal.Kind.WITHDRAWAL
    )
    need.full_clean()
    need._history_user = user
    need.save(update_version=False)


def _proposal_for(need: Need, user, kind: str) -> NeedProposal:
    """The need's proposal under way, or a new one holding its accepted values."""
    proposal = need.pending_proposal or NeedProposal(
        need=need, **{field: getattr(need, field) for field in EDITABLE_FIELDS}
    )
    proposal.kind = kind
    proposal.status = NeedProposal.Status.DRAFT
    proposal.proposed_by = user
    return proposal


def _save_proposal(proposal: NeedProposal, user) -> None:
    proposal.version = proposal.need.version
    proposal.full_clean()
    proposal._history_user = user
    proposal.save()
    proposal.need.proposal = proposal


@transaction.atomic
def need_create(*, review: CountryReview, user, **values) -> Need:
    """A new need: the secretariat's is accepted; a focal point's is a proposal."""
    if not can_enter_needs(user, review):
        raise PermissionDenied(_("You cannot enter needs for this review."))
    need = Need(review=review, **values)
    if is_secretariat(user):
        need.accepted_at = timezone.now()
        _save_need(need, user, status=Need.Status.ACCEPTED)
        return need
    need.accepted_at = None
    _save_need(need, user, status=Need.Status.DRAFT)
    _save_proposal(_proposal_for(need, user, NeedProposal.Kind.NEW), user)
    return need


@transaction.atomic
def need_update(*, need: Need, user, expected_version: int, **values) -> Need:
    """Change a need if nobody else has since `expected_version`; else StaleEdit.

    The secretariat changes the accepted values. A focal point's change of an
    accepted need is a proposal (a change back to the accepted values drops it); a
    never-accepted need is the proposal itself.
    """
    if not can_edit_need(user, need):
        raise PermissionDenied(_("You cannot change this need now."))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            # Translators: fields is a list of field names, e.g. "['status']".
            _("These fields are not edited here: %(fields)s.")
            % {"fields": sorted(unknown)}
        )
    _claim(need, expected_version)
    if is_secretariat(user) or need.accepted_at is None:
        for field, value in values.items():
            setattr(need, field, value)
    if is_secretariat(user):
        _save_need(need, user, status=need.status)
        return need
    kind = (
        NeedProposal.Kind.NEW if need.accepted_at is None else NeedProposal.Kind.CHANGE
    )
    proposal = _proposal_for(need, user, kind)
    for field, value in values.items():
        setattr(proposal, field, value)
    if kind == NeedProposal.Kind.CHANGE and not (
        proposal.coverage or proposal.changes()
    ):
        return _drop_proposal(need, user)
    _save_proposal(proposal, user)
    _save_need(need, user, status=Need.Status.DRAFT)
    return need


def _drop_proposal(need: Need, user) -> Need:
    """Nothing left to propose: the need is its accepted values again."""
    if need.pending_proposal is not None and need.proposal.pk:
        need.proposal._history_user = user
        need.proposal.delete()
    need.proposal = None
    _save_need(need, user, status=Need.Status.ACCEPTED)
    return need


@transaction.atomic
def need_coverage_propose(
    *, need: Need, user, coverage: str, reason: str, remaining=None
) -> Need:
    """A focal point reports a need's coverage (paragraph 75): a proposal, which the
    coverage service applies when the secretariat accepts it."""
    if not can_edit_need(user, need):
        raise PermissionDenied(_("You cannot change this need's coverage."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason for confirming or correcting.")}
        )
    if coverage not in Need.Coverage.values:
        raise ValidationError(
            {
                # Translators: coverage is the value sent, e.g. "'met-somewhat'".
                "coverage": _("Unknown coverage %(coverage)s.")
                % {"coverage": repr(coverage)}
            }
        )
    _claim(need, need.version)
    kind = (
        NeedProposal.Kind.NEW if need.accepted_at is None else NeedProposal.Kind.CHANGE
    )
    proposal = _proposal_for(need, user, kind)
    proposal.coverage, proposal.coverage_reason = coverage, reason.strip()
    if remaining is not None:
        proposal.remaining = remaining
    _save_proposal(proposal, user)
    _save_need(need, user, status=Need.Status.DRAFT)
    return need


@transaction.atomic
def need_withdraw(*, need: Need, user) -> Need | None:
    """A never-accepted need, or one the secretariat withdraws, is deleted; a focal
    point's withdrawal of an accepted need is a proposal."""
    if not can_edit_need(user, need):
        raise PermissionDenied(_("You cannot withdraw this need now."))
    need._history_user = user
    if need.accepted_at is None or is_secretariat(user):
        need.delete()
        return None
    _claim(need, need.version)
    proposal = _proposal_for(need, user, NeedProposal.Kind.WITHDRAWAL)
    _save_proposal(proposal, user)
    _save_need(need, user, status=Need.Status.DRAFT)
    return need


def _proposals(review: CountryReview, *statuses: str) -> list[NeedProposal]:
    return list(
        NeedProposal.objects.filter(need__review=review, status__in=statuses)
        .select_related("need__review__cycle", "need__article")
        .order_by("need__article__number", "need__need_type__display_order")
    )


@transaction.atomic
def review_submit(*, review: CountryReview, user) -> EntryEvent:
    """Send the review's draft and returned proposals to the secretariat."""
    if not can_submit_review(user, review):
        raise PermissionDenied(_("You cannot submit this review's needs."))
    pending = _proposals(
        review, NeedProposal.Status.DRAFT, NeedProposal.Status.RETURNED
    )
    if not pending:
        raise ValidationError(
            _("There is nothing to submit: no draft or returned need.")
        )
    for proposal in pending:
        proposal.status = NeedProposal.Status.SUBMITTED
        _save_proposal(proposal, user)
        _save_need(proposal.need, user, status=Need.Status.SUBMITTED)
    return EntryEvent.objects.create(
        review=review,
        action=EntryEvent.Action.SUBMITTED,
        user=user,
        need_count=len(pending),
    )


def _apply(proposal: NeedProposal, user, now) -> None:
    """The proposal becomes the need's accepted values (or its withdrawal)."""
    need = proposal.need
    need._history_user = user
    if proposal.kind == NeedProposal.Kind.WITHDRAWAL:
        need.delete()
        return
    for field in EDITABLE_FIELDS:
        setattr(need, field, getattr(proposal, field))
    need.accepted_at = need.accepted_at or now
    coverage, reason = proposal.coverage, proposal.coverage_reason
    proposal._history_user = user
    proposal.delete()
    need.proposal = None
    need.version += 1
    _save_need(need, user, status=Need.Status.ACCEPTED)
    if coverage:
        author = proposal.proposed_by or user
        need_coverage_set(
            need=need, user=user, coverage=coverage, reason=f"{reason} ({author})"
        )


@transaction.atomic
def review_accept(*, review: CountryReview, user, comment: str = "") -> EntryEvent:
    """Accept the submitted proposals: new needs count from now, changes replace the
    accepted values, withdrawals are carried out."""
    if not can_decide_review(user, review):
        raise PermissionDenied(_("Only the secretariat accepts needs."))
    submitted = _proposals(review, NeedProposal.Status.SUBMITTED)
    if not submitted:
        raise ValidationError(_("No submitted need awaits a decision."))
    now = timezone.now()
    for proposal in submitted:
        _apply(proposal, user, now)
    return EntryEvent.objects.create(
        review=review,
        action=EntryEvent.Action.ACCEPTED,
        user=user,
        comment=comment,
        need_count=len(submitted),
    )


@transaction.atomic
def review_return(*, review: CountryReview, user, comment: str) -> EntryEvent:
    """Return the submitted proposals to the State with a comment; the accepted
    values stay as they are."""
    if not can_decide_review(user, review):
        raise PermissionDenied(_("Only the secretariat returns needs."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be revised.")})
    submitted = _proposals(review, NeedProposal.Status.SUBMITTED)
    if not submitted:
        raise ValidationError(_("No submitted need awaits a decision."))
    for proposal in submitted:
        proposal.status = NeedProposal.Status.RETURNED
        proposal.return_comment = comment.strip()
        _save_proposal(proposal, user)
        _save_need(proposal.need, user, status=Need.Status.RETURNED)
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
    existing = {
        (n.article_id, n.need_type_id): n
        for n in review.needs.select_related("proposal")
    }
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
            or any(need.proposed(k) != v for k, v in wanted.items())
        ):
            need_update(
                need=need, user=user, expected_version=entry["version"], **wanted
            )
            changed += 1
        elif not entry["on"] and need is not None and not need.withdrawal_requested:
            if entry["version"] is not None and entry["version"] != need.version:
                raise StaleEdit(need, _changes_since(need, entry["version"]))
            need_withdraw(need=need, user=user)
            withdrawn += 1
    return EntryResult(created, changed, withdrawn)
