"""The new needs of an imported file, written in batches.

`need_create(propose=True)`, then `review_submit` and, when the secretariat accepts
them, `review_decide`, write a need in some twenty statements; a file of 100,000 rows
cannot afford that. `NewNeeds` leaves the same records in a few statements per
batch: each need in its final state (a focal point's a draft proposal; the
secretariat's submitted, or accepted as its decision), its proposal while one is
under way, one historical row each, and per review the entry events (submitted;
accepted with a decision per need) with their e-mails, as the services would.
Every field is validated (`clean_fields`, without a query per row: the keys were
resolved and checked against the reference data by the import's planner, and the
database's unique constraint refuses a need recorded twice). Memory: a batch of
needs, and per review a count (and, when accepted, the ids of each decision's need).
"""

import datetime
from array import array
from collections import defaultdict
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from needs.models import EntryDecision, EntryEvent, Need, NeedProposal
from needs.permissions import can_enter_needs
from needs.reports.cache import statistics_changed
from needs.services import _focal_points_of, _secretariat_for, notify
from reviews.models import CountryReview

# Fields the planner resolved from the reference data: not queried again one by one.
RESOLVED = ["review", "article", "need_type"]


class NewNeeds:
    """Collects new needs (`add`), writes them a batch at a time, and the entry
    events at the end (`finish`). Stages: DRAFT (a focal point's proposals),
    SUBMITTED (the secretariat's, awaiting its decision) or ACCEPTED."""

    DRAFT, SUBMITTED, ACCEPTED = "draft", "submitted", "accepted"
    BATCH = 2000

    def __init__(self, *, user, stage: str, comment: str = ""):
        self.user, self.stage, self.comment = user, stage, comment
        self.now = timezone.now()
        self.pending: list[Need] = []
        self.counts: dict[int, int] = defaultdict(int)
        # ACCEPTED: per review, (need, article, type) ids of each decision.
        self.decided: dict[int, array] = defaultdict(lambda: array("q"))

    def add(self, *, review: CountryReview, values: dict) -> None:
        if not can_enter_needs(self.user, review):
            raise PermissionDenied(_("You cannot enter needs for this review."))
        accepted = self.stage == self.ACCEPTED
        need = Need(
            review=review,
            status=Need.Status.ACCEPTED if accepted else self.stage,
            accepted_at=self.now if accepted else None,
            # An accepted proposal raises the need's version once.
            version=2 if accepted else 1,
            **values,
        )
        # The fields' own rules; the planner checked the rest (`Need.clean`: the
        # article in a chapter of the review's cycle) against the reference data.
        need.clean_fields(exclude=RESOLVED)
        self.pending.append(need)
        self.counts[review.pk] += 1
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        needs = Need.objects.bulk_create(self.pending)
        Need.history.bulk_history_create(
            needs, default_user=self.user, default_date=self.now
        )
        if self.stage == self.ACCEPTED:
            for need in needs:
                self.decided[need.review_id].extend(
                    (need.pk, need.article_id, need.need_type_id)
                )
        else:
            proposals = NeedProposal.objects.bulk_create(
                self._proposal(need) for need in needs
            )
            NeedProposal.history.bulk_history_create(
                proposals, default_user=self.user, default_date=self.now
            )
        self.pending = []

    def _proposal(self, need: Need) -> NeedProposal:
        submitted = self.stage == self.SUBMITTED
        return NeedProposal(
            need=need,
            kind=NeedProposal.Kind.NEW,
            status=need.status,
            version=need.version,
            proposed_by=self.user,
            submitted_at=self.now if submitted else None,
            **{name: getattr(need, name) for name in NeedProposal.VALUE_FIELDS},
        )

    def finish(self, steps: dict | None = None) -> int:
        """Write the last batch, then each review's entry events; the number of
        needs written. `steps`: {review id: {action: event}} the entry services
        already logged for this import (its changed needs), which the new needs
        join rather than have a step of their own (the services' e-mail went)."""
        self.flush()
        if self.stage == self.DRAFT or not self.counts:
            return sum(self.counts.values())
        steps = steps or {}
        reviews = CountryReview.objects.select_related("state", "cycle").in_bulk(
            list(self.counts)
        )
        action = EntryEvent.Action.SUBMITTED
        submitted = self._events(action, self.now, "", steps)
        for review_pk, event in submitted.items():
            if action not in steps.get(review_pk, {}):
                self._tell(reviews[review_pk], event, _secretariat_for, "submitted")
        if self.stage == self.ACCEPTED:
            # The step is logged after the needs' historical rows (the audit trail
            # reads a need's rows up to its step's time).
            later = timezone.now() + datetime.timedelta(microseconds=1)
            action = EntryEvent.Action.ACCEPTED
            accepted = self._events(action, later, self.comment, steps)
            self._decisions(accepted)
            for review_pk, event in accepted.items():
                if action not in steps.get(review_pk, {}):
                    self._tell(reviews[review_pk], event, _focal_points_of, "decided")
            statistics_changed()
        return sum(self.counts.values())

    def _events(self, action, at, comment: str, steps: dict) -> dict[int, EntryEvent]:
        """Each review's event of this step: the one logged already (its count
        raised), else a new one."""
        logged, new = {}, []
        for review_pk, count in self.counts.items():
            event = steps.get(review_pk, {}).get(action)
            if event is None:
                new.append(
                    EntryEvent(
                        review_id=review_pk,
                        action=action,
                        user=self.user,
                        at=at,
                        comment=comment,
                        need_count=count,
                    )
                )
                continue
            event.need_count += count
            event.save(update_fields=["need_count"])
            logged[review_pk] = event
        created = EntryEvent.objects.bulk_create(new)
        return logged | {event.review_id: event for event in created}

    def _decisions(self, events: dict[int, EntryEvent]) -> None:
        for review_pk, ids in self.decided.items():
            EntryDecision.objects.bulk_create(
                (
                    EntryDecision(
                        event=events[review_pk],
                        need_id=ids[index],
                        article_id=ids[index + 1],
                        need_type_id=ids[index + 2],
                        kind=NeedProposal.Kind.NEW,
                        outcome=EntryDecision.Outcome.ACCEPTED,
                    )
                    for index in range(0, len(ids), 3)
                ),
                batch_size=self.BATCH,
            )

    def _tell(self, review, event, recipients, template: str) -> None:
        """The e-mail the entry services send for this step, after the commit."""
        if template == "submitted":
            context = {
                "review": review,
                "event": event,
                "counts": {NeedProposal.Kind.NEW: event.need_count},
            }
            path = reverse("needs:review_decide", kwargs={"pk": review.pk})
        else:
            decisions = EntryDecision.objects.filter(event=event).select_related(
                "article", "need_type"
            )
            context = {
                "review": review,
                "comment": self.comment,
                "decisions": decisions,
            }
            path = reverse("needs:review_entry", kwargs={"pk": review.pk})
        transaction.on_commit(
            partial(
                notify,
                recipients=recipients(review),
                template=f"needs/email/{template}",
                context=context,
                path=path,
            )
        )
