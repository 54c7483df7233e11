"""Writes of needs: the need types (reference data) and the entry workflow.

Keyword-only services that take the acting user, check the permission predicates,
validate, save and leave the audit trail (django-simple-history, with the user).

The record moves only when the secretariat accepts: a need's fields are its accepted
values; a focal point's new need, change, coverage report or withdrawal is a
`NeedProposal` (draft → submitted → accepted or returned). The secretariat's own
changes are accepted as they are made.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from needs.audit import labelled_changes
from needs.followup.services import need_coverage_set
from needs.models import (
    EntryDecision,
    EntryEvent,
    Need,
    NeedProposal,
    NeedType,
    NeedTypeAlias,
)
from needs.permissions import (
    can_decide_review,
    can_edit_need,
    can_enter_needs,
    can_submit_review,
)
from needs.reports.cache import statistics_changed
from reviews.models import CountryReview
from reviews.permissions import is_secretariat
from reviews.roles import Role
from reviews.services import LoadResult, translated_names

logger = logging.getLogger(__name__)
User = get_user_model()

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
    statistics_changed()
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
    # Review, article and type as stored were checked then (their existence, the
    # chapter, uniqueness): three queries a save saved, a transition of 100 needs
    # 300.
    need.full_clean(exclude=Need.KEY_FIELDS if need.key_as_stored() else None)
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
    # Its need is the one in hand, its author the acting user: not looked up.
    proposal.full_clean(exclude=["need", "proposed_by"])
    proposal._history_user = user
    proposal.save()
    proposal.need.proposal = proposal


@transaction.atomic
def need_create(
    *, review: CountryReview, user, propose: bool = False, **values
) -> Need:
    """A new need: the secretariat's is accepted; a focal point's is a proposal.
    `propose`: the secretariat's too is a proposal of the State's review (an
    imported file's needs, which the secretariat accepts as a decision)."""
    if not can_enter_needs(user, review):
        raise PermissionDenied(_("You cannot enter needs for this review."))
    # Version 0: no accepted values yet (the acceptance makes version 1).
    need = Need(review=review, accepted_version=0, **values)
    if is_secretariat(user) and not propose:
        need.accepted_at = timezone.now()
        need.accepted_values_changed(need.accepted_at)
        _save_need(need, user, status=Need.Status.ACCEPTED)
        statistics_changed()
        return need
    need.accepted_at = None
    _save_need(need, user, status=Need.Status.DRAFT)
    _save_proposal(_proposal_for(need, user, NeedProposal.Kind.NEW), user)
    return need


@transaction.atomic
def need_update(
    *, need: Need, user, expected_version: int, propose: bool = False, **values
) -> Need:
    """Change a need if nobody else has since `expected_version`; else StaleEdit.

    The secretariat changes the accepted values (unless it `propose`s, as an import
    does). A focal point's change of an accepted need is a proposal (a change back
    to the accepted values drops it); a never-accepted need is the proposal itself.
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
    # The statistics count none of EDITABLE_FIELDS: no statistics_changed() here.
    direct = is_secretariat(user) and not propose
    if direct or need.accepted_at is None:
        changed = any(getattr(need, field) != value for field, value in values.items())
        for field, value in values.items():
            setattr(need, field, value)
    if direct:
        if changed:
            need.accepted_values_changed(timezone.now())
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
        if need.accepted_at is not None:
            statistics_changed()
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
        .select_related(
            "need__review__cycle",
            "need__review__state",
            "need__article",
            "need__need_type",
        )
        .order_by("need__article__number", "need__need_type__display_order")
    )


@transaction.atomic
def review_submit(
    *, review: CountryReview, user, only=None, resubmit_unchanged: bool = False
) -> EntryEvent:
    """Send the review's draft and returned proposals (`only` those of these
    needs, if given) to the secretariat, and tell the secretariat officer
    responsible for the State (else the whole secretariat).

    A proposal the secretariat returned and that nothing changed since goes only
    when the State confirms it (`resubmit_unchanged`): else nothing is submitted
    and the error, on `resubmit_unchanged`, names those needs."""
    if not can_submit_review(user, review):
        raise PermissionDenied(_("You cannot submit this review's needs."))
    pending = _proposals(
        review, NeedProposal.Status.DRAFT, NeedProposal.Status.RETURNED
    )
    if only is not None:
        wanted = set(only)
        pending = [p for p in pending if p.need_id in wanted]
    if not pending:
        raise ValidationError(
            _("There is nothing to submit: no draft or returned need.")
        )
    if not resubmit_unchanged:
        _refuse_unchanged(pending)
    now = timezone.now()
    for proposal in pending:
        proposal.status = NeedProposal.Status.SUBMITTED
        proposal.submitted_at = now
        _save_proposal(proposal, user)
        _save_need(proposal.need, user, status=Need.Status.SUBMITTED)
    event = EntryEvent.objects.create(
        review=review,
        action=EntryEvent.Action.SUBMITTED,
        user=user,
        need_count=len(pending),
    )
    counts = Counter(proposal.kind for proposal in pending)
    # The kinds the e-mail tells, on the event: needs an import submits in bulk
    # join this step before the commit (`needs.exchange.bulk`), and are told too.
    event.counts = counts
    transaction.on_commit(
        partial(
            notify,
            recipients=_secretariat_for(review),
            template="needs/email/submitted",
            context={"review": review, "event": event, "counts": counts},
            path=reverse("needs:review_decide", kwargs={"pk": review.pk}),
        )
    )
    return event


def _refuse_unchanged(pending: list[NeedProposal]) -> None:
    """ValidationError naming the returned proposals that nothing changed since
    the return: the State may have missed the secretariat's comment."""
    unchanged = set(
        NeedProposal.objects.filter(pk__in=[p.pk for p in pending])
        .unchanged_since_return()
        .values_list("pk", flat=True)
    )
    if not unchanged:
        return
    needs = "; ".join(str(p.need) for p in pending if p.pk in unchanged)
    raise ValidationError(
        {
            "resubmit_unchanged": ngettext(
                # Translators: needs lists needs, e.g. "Kenya · art. 15 · Other".
                "Returned by the secretariat and not changed since: %(needs)s. "
                "Revise it as its comment asks, or confirm that you resubmit it "
                "unchanged.",
                "Returned by the secretariat and not changed since: %(needs)s. "
                "Revise them as its comments ask, or confirm that you resubmit "
                "them unchanged.",
                len(unchanged),
            )
            % {"needs": needs}
        }
    )


def _apply(proposal: NeedProposal, user, now) -> None:
    """The proposal becomes the need's accepted values (or its withdrawal)."""
    statistics_changed()
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
    if not coverage:  # else need_coverage_set records the change, once
        need.accepted_values_changed(now)
    _save_need(need, user, status=Need.Status.ACCEPTED)
    if coverage:
        author = proposal.proposed_by or user
        need_coverage_set(
            need=need, user=user, coverage=coverage, reason=f"{reason} ({author})"
        )


def _send_back(proposal: NeedProposal, user, comment: str) -> None:
    """The proposal goes back to the State with the comment; accepted values stay."""
    proposal.status = NeedProposal.Status.RETURNED
    proposal.return_comment = comment
    _save_proposal(proposal, user)
    _save_need(proposal.need, user, status=Need.Status.RETURNED)


@dataclass(frozen=True)
class Decision:
    """The secretariat's decision on one submitted proposal. `version` is the
    proposal's version the decider saw (None: whatever it is now)."""

    outcome: str  # EntryDecision.Outcome
    comment: str = ""
    version: int | None = None


def _checked_decisions(
    submitted: dict[int, NeedProposal], decisions: dict[int, Decision], comment: str
) -> None:
    """Refuse the whole decision, before anything is written, on an unknown or
    stale proposal, an unknown outcome, or a return without a comment."""
    errors = []
    for pk, decision in decisions.items():
        proposal = submitted.get(pk)
        if proposal is None:
            errors.append(
                # Translators: number identifies a proposal that was decided on.
                _("Proposal %(number)s no longer awaits a decision.") % {"number": pk}
            )
        elif decision.version is not None and decision.version != proposal.version:
            errors.append(
                # Translators: need names a need, e.g. "Kenya · art. 15 · Other".
                _("%(need)s was changed since you opened the page.")
                % {"need": proposal.need}
            )
        elif decision.outcome not in EntryDecision.Outcome.values:
            errors.append(
                # Translators: outcome is the value sent, e.g. "'maybe'".
                _("Unknown decision %(outcome)s.") % {"outcome": repr(decision.outcome)}
            )
        elif decision.outcome == EntryDecision.Outcome.RETURNED and not (
            decision.comment.strip() or comment.strip()
        ):
            errors.append(
                # Translators: need names a need, e.g. "Kenya · art. 15 · Other".
                _(
                    "Say what should be revised in %(need)s (a comment on the need or "
                    "on the whole submission)."
                )
                % {"need": proposal.need}
            )
    if not decisions:
        errors.append(_("Choose a decision for at least one need."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_decide(
    *, review: CountryReview, user, decisions: dict[int, Decision], comment: str = ""
) -> list[EntryEvent]:
    """Decide on submitted proposals one by one (keyed by proposal id): accepted ones
    become the accepted values (new needs count from now, withdrawals are carried
    out); returned ones go back to the State with their comment, else the
    submission's. Proposals not in `decisions` keep waiting. One entry event per
    outcome, with a decision per need; the State's focal points are told."""
    if not can_decide_review(user, review):
        raise PermissionDenied(_("Only the secretariat decides on submitted needs."))
    submitted = {
        p.pk: p
        for p in _proposals(review, NeedProposal.Status.SUBMITTED)
        if p.pk in decisions
    }
    comment = comment.strip()
    _checked_decisions(submitted, decisions, comment)
    now = timezone.now()
    events, logged = [], []
    for outcome, action in [
        (EntryDecision.Outcome.ACCEPTED, EntryEvent.Action.ACCEPTED),
        (EntryDecision.Outcome.RETURNED, EntryEvent.Action.RETURNED),
    ]:
        chosen = [p for pk, p in submitted.items() if decisions[pk].outcome == outcome]
        if not chosen:
            continue
        # The proposals move first, then the step is logged: the audit trail reads
        # a need's history rows up to its step's time.
        taken = []
        for proposal in chosen:
            own = decisions[proposal.pk].comment.strip()
            need = proposal.need
            withdrawn = proposal.kind == NeedProposal.Kind.WITHDRAWAL
            taken.append((need, withdrawn, proposal.kind, own))
            if outcome == EntryDecision.Outcome.ACCEPTED:
                _apply(proposal, user, now)
            else:
                _send_back(proposal, user, own or comment)
        event = EntryEvent.objects.create(
            review=review,
            action=action,
            user=user,
            comment=comment,
            need_count=len(chosen),
        )
        logged += EntryDecision.objects.bulk_create(
            EntryDecision(
                event=event,
                need=None if withdrawn else need,
                article_id=need.article_id,
                need_type_id=need.need_type_id,
                kind=kind,
                outcome=outcome,
                comment=own,
            )
            for need, withdrawn, kind, own in taken
        )
        events.append(event)
    transaction.on_commit(
        partial(
            notify,
            recipients=_focal_points_of(review),
            template="needs/email/decided",
            context={"review": review, "comment": comment, "decisions": logged},
            path=reverse("needs:review_entry", kwargs={"pk": review.pk}),
        )
    )
    return events


def _all(review: CountryReview, outcome: str) -> dict[int, Decision]:
    proposals = _proposals(review, NeedProposal.Status.SUBMITTED)
    if not proposals:
        raise ValidationError(_("No submitted need awaits a decision."))
    return {p.pk: Decision(outcome=outcome, comment="") for p in proposals}


def review_accept(*, review: CountryReview, user, comment: str = "") -> EntryEvent:
    """Accept every submitted proposal of the review at once."""
    if not can_decide_review(user, review):
        raise PermissionDenied(_("Only the secretariat accepts needs."))
    decisions = _all(review, EntryDecision.Outcome.ACCEPTED)
    (event,) = review_decide(
        review=review, user=user, decisions=decisions, comment=comment
    )
    return event


def review_return(*, review: CountryReview, user, comment: str) -> EntryEvent:
    """Return every submitted proposal to the State with one comment; the accepted
    values stay as they are."""
    if not can_decide_review(user, review):
        raise PermissionDenied(_("Only the secretariat returns needs."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be revised.")})
    decisions = _all(review, EntryDecision.Outcome.RETURNED)
    (event,) = review_decide(
        review=review, user=user, decisions=decisions, comment=comment
    )
    return event


# ---------------------------------------------------------------------------
# E-mail: each person in the language of their profile
# ---------------------------------------------------------------------------
def _secretariat_for(review: CountryReview) -> list:
    """The secretariat officer responsible for the review's State, else every
    active secretariat account with an e-mail address."""
    officer = review.state.secretariat_officer
    if officer is not None and officer.is_active and officer.email:
        return [officer]
    return list(
        User.objects.filter(is_active=True, account__role=Role.SECRETARIAT)
        .exclude(email="")
        .select_related("account")
    )


def _focal_points_of(review: CountryReview) -> list:
    return list(
        User.objects.filter(
            is_active=True,
            account__role=Role.FOCAL_POINT,
            account__state_id=review.state_id,
        )
        .exclude(email="")
        .select_related("account")
    )


def notify(*, recipients: list, template: str, context: dict, path: str) -> None:
    """One e-mail per person, rendered in the language of their profile from
    `<template>_subject.txt` and `<template>_body.txt`, with a link to `path`.
    A mail server that fails is logged, never undoes the recorded step."""
    url = settings.SITE_URL.rstrip("/") + path
    messages = []
    for person in recipients:
        account = getattr(person, "account", None)
        language = (account.language if account else "") or settings.LANGUAGE_CODE
        with translation.override(language):
            values = context | {"person": person, "url": url}
            subject = render_to_string(f"{template}_subject.txt", values)
            body = render_to_string(f"{template}_body.txt", values)
        messages.append(
            EmailMessage(" ".join(subject.split()), body, None, [person.email])
        )
    if not messages:
        return
    try:
        mailers.default.send_messages(messages)
    except OSError:
        logger.exception("E-mail %s could not be sent", template)


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
