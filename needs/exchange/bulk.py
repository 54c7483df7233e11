"""The new needs of an imported file, written in batches.

`need_create(propose=True)`, then `review_submit` and, when the secretariat accepts
them, `review_decide`, write a need in some twenty statements; a file of 100,000 rows
cannot afford that. `NewNeeds` leaves the same records in six statements per batch
of 2,000: each need in its final state (a focal point's a draft proposal; the
secretariat's submitted, or accepted as its decision), its proposal while one is
under way, one historical row of each ("+", by the importer), their ids drawn from
the tables' sequences; on PostgreSQL through COPY, elsewhere executemany. Then per
review the entry events (submitted; accepted, with a decision per need) and their
e-mails, as the services would.

Validation: every value was read and checked by the import's planner (the State,
cycle, article in a chapter of the cycle, type, choices, lengths, formulas);
`add` checks again that each value is one the field accepts, without a query, and
the database's unique constraint refuses a need recorded twice. Memory: a batch of
rows, and per review a count (and, when accepted, the ids of each decision's need).
"""

import datetime
import operator
from array import array
from collections import defaultdict
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from needs.models import EntryDecision, EntryEvent, Need, NeedProposal
from needs.permissions import can_enter_needs
from needs.reports.cache import statistics_changed
from needs.services import _secretariat_for, notify
from reviews.models import CountryReview
from reviews.roles import Role

# The values an imported row gives a need (the planner's `values`).
VALUES = {"description", "priority", "source", "remaining"}
CHOICES = {
    "priority": set(Need.Priority.values),
    "source": set(Need.Source.values),
}
TEXT_LIMIT = 10_000  # imports.MAX_TEXT_LENGTH


def _columns(model) -> list[str]:
    """The columns a row of `model` is written with (a history's own id aside)."""
    return [
        field.column
        for field in model._meta.concrete_fields
        if field.attname != "history_id"
    ]


def _defaults(model) -> dict:
    return {
        field.attname: field.get_default()
        for field in model._meta.concrete_fields
        if not field.primary_key
    }


class _Table:
    """One table's rows of a batch, written in one statement."""

    def __init__(self, model):
        self.model = model
        self.table = model._meta.db_table
        self.columns = _columns(model)
        self.row_of = operator.itemgetter(*self.columns)
        self.rows: list[tuple] = []

    def add(self, values: dict) -> None:
        self.rows.append(self.row_of(values))

    def write(self, cursor) -> None:
        if not self.rows:
            return
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if connection.vendor == "postgresql":
            sql = f"COPY {self.table} ({names}) FROM STDIN"
            # psycopg's own cursor: its errors become Django's (IntegrityError).
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {self.table} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, self.rows)
        self.rows = []


def _ids(model, count: int) -> list[int]:
    """`count` new ids of `model`'s table, drawn as an insert would draw them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                "FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: one writer at a time, inside this transaction.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))


class NewNeeds:
    """Collects new needs (`add`), writes them a batch at a time, and the entry
    events at the end (`finish`). Stages: DRAFT (a focal point's proposals),
    SUBMITTED (the secretariat's, awaiting its decision) or ACCEPTED."""

    DRAFT, SUBMITTED, ACCEPTED = "draft", "submitted", "accepted"
    BATCH = 2000

    def __init__(self, *, user, stage: str, comment: str = ""):
        self.user, self.stage, self.comment = user, stage, comment
        self.now = timezone.now()
        accepted = stage == self.ACCEPTED
        # A row holds its historical row's own columns too: one dictionary is
        # read by both tables.
        history = {
            "history_date": self.now,
            "history_change_reason": None,
            "history_type": "+",
            "history_user_id": user.pk,
        }
        self.need_defaults = (
            history
            | _defaults(Need)
            | {
                "status": Need.Status.ACCEPTED if accepted else stage,
                "accepted_at": self.now if accepted else None,
                # An accepted proposal raises the need's version once.
                "version": 2 if accepted else 1,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self.proposal_defaults = (
            history
            | _defaults(NeedProposal)
            | {
                "kind": NeedProposal.Kind.NEW,
                "status": stage,
                "version": 1,
                "proposed_by_id": user.pk,
                "submitted_at": self.now if stage == self.SUBMITTED else None,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self.pending: list[dict] = []
        self.counts: dict[int, int] = defaultdict(int)
        # ACCEPTED: per review, (need, article, type) ids of each decision.
        self.decided: dict[int, array] = defaultdict(lambda: array("q"))

    def add(self, *, review: CountryReview, values: dict) -> None:
        """A new need of `review`: `values` as the planner read them (article,
        need_type, and any of description, priority, source, remaining)."""
        if review.pk not in self.counts and not can_enter_needs(self.user, review):
            raise PermissionDenied(_("You cannot enter needs for this review."))
        row = self.need_defaults | {
            "review_id": review.pk,
            "article_id": values["article"].pk,
            "need_type_id": values["need_type"].pk,
        }
        for name, value in values.items():
            if name in {"article", "need_type"}:
                continue
            if name not in VALUES or not isinstance(value, str):
                raise ValidationError(
                    _("These fields are not edited here: %(fields)s.")
                    % {"fields": [name]}
                )
            if value not in CHOICES.get(name, (value,)) or len(value) > TEXT_LIMIT:
                raise ValidationError(
                    Need._meta.get_field(name).error_messages["invalid_choice"]
                    % {"value": value}
                )
            row[name] = value
        self.pending.append(row)
        self.counts[review.pk] += 1
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the batch: needs, their proposals, a historical row of each."""
        if not self.pending:
            return
        needs, needs_history = _Table(Need), _Table(Need.history.model)
        proposals = _Table(NeedProposal)
        proposals_history = _Table(NeedProposal.history.model)
        accepted = self.stage == self.ACCEPTED
        proposal_ids = [] if accepted else _ids(NeedProposal, len(self.pending))
        for index, (pk, row) in enumerate(
            zip(_ids(Need, len(self.pending)), self.pending, strict=True)
        ):
            row["id"] = pk
            needs.add(row)
            needs_history.add(row)
            if accepted:
                decided = self.decided[row["review_id"]]
                decided.extend((pk, row["article_id"], row["need_type_id"]))
                continue
            proposal = self.proposal_defaults.copy()
            for name in NeedProposal.VALUE_FIELDS:
                proposal[name] = row[name]
            proposal["id"], proposal["need_id"] = proposal_ids[index], pk
            proposals.add(proposal)
            proposals_history.add(proposal)
        with connection.cursor() as cursor:
            for table in (needs, needs_history, proposals, proposals_history):
                table.write(cursor)
        self.pending = []

    def finish(self, steps: dict | None = None) -> int:
        """Write the last batch, then each review's entry events; the number of
        needs written. `steps`: {review id: {action: event}} the entry services
        already logged for this import (its changed needs), which the new needs
        join rather than have a step of their own (the services' e-mail went).
        The e-mails go after the commit, a batch of reviews at a time."""
        self.flush()
        if self.stage == self.DRAFT or not self.counts:
            return sum(self.counts.values())
        steps = steps or {}
        action = EntryEvent.Action.SUBMITTED
        _by_review, new = self._events(action, self.now, "", steps)
        transaction.on_commit(partial(self._tell, new, "submitted"))
        if self.stage == self.ACCEPTED:
            # The step is logged after the needs' historical rows (the audit trail
            # reads a need's rows up to its step's time).
            later = timezone.now() + datetime.timedelta(microseconds=1)
            action = EntryEvent.Action.ACCEPTED
            accepted, new = self._events(action, later, self.comment, steps)
            self._decisions(accepted)
            transaction.on_commit(partial(self._tell, new, "decided"))
            statistics_changed()
        return sum(self.counts.values())

    def _events(self, action, at, comment: str, steps: dict) -> tuple[dict, list]:
        """Each review's event of this step: the one logged already (its count
        raised), else a new one. ({review id: event id}, [new events' ids])."""
        events, new = {}, []
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
            else:
                event.need_count += count
                event.save(update_fields=["need_count"])
                events[review_pk] = event.pk
            if len(new) >= self.BATCH:
                events |= self._created(new)
                new = []
        events |= self._created(new)
        logged = {event.pk for step in steps.values() for event in step.values()}
        return events, [pk for pk in events.values() if pk not in logged]

    @staticmethod
    def _created(events: list[EntryEvent]) -> dict[int, int]:
        return {e.review_id: e.pk for e in EntryEvent.objects.bulk_create(events)}

    def _decisions(self, events: dict[int, int]) -> None:
        EntryDecision.objects.bulk_create(
            (
                EntryDecision(
                    event_id=events[review_pk],
                    need_id=ids[index],
                    article_id=ids[index + 1],
                    need_type_id=ids[index + 2],
                    kind=NeedProposal.Kind.NEW,
                    outcome=EntryDecision.Outcome.ACCEPTED,
                )
                for review_pk, ids in self.decided.items()
                for index in range(0, len(ids), 3)
            ),
            batch_size=self.BATCH,
        )

    def _tell(self, event_ids: list[int], template: str) -> None:
        """The e-mails the entry services send for these steps (after the commit):
        the secretariat told of a submission, the focal points of a decision."""
        secretariat = None
        for start in range(0, len(event_ids), self.BATCH):
            events = list(
                EntryEvent.objects.filter(
                    pk__in=event_ids[start : start + self.BATCH]
                ).select_related("review__state", "review__cycle")
            )
            focal_points = _focal_points_by_state(events, template)
            for event in events:
                review = event.review
                if template == "decided":
                    recipients = focal_points.get(review.state_id, [])
                    context = {
                        "review": review,
                        "comment": self.comment,
                        "decisions": event.decisions.select_related(
                            "article", "need_type"
                        ),
                    }
                    path = reverse("needs:review_entry", kwargs={"pk": review.pk})
                else:
                    # The whole secretariat (where a State has no officer of its
                    # own) is looked up once.
                    if review.state.secretariat_officer_id:
                        recipients = _secretariat_for(review)
                    else:
                        if secretariat is None:
                            secretariat = _secretariat_for(review)
                        recipients = secretariat
                    counts = {NeedProposal.Kind.NEW: event.need_count}
                    context = {"review": review, "event": event, "counts": counts}
                    path = reverse("needs:review_decide", kwargs={"pk": review.pk})
                notify(
                    recipients=recipients,
                    template=f"needs/email/{template}",
                    context=context,
                    path=path,
                )


def _focal_points_by_state(events: list[EntryEvent], template: str) -> dict:
    """{State id: its focal points}: the people `needs.services._focal_points_of`
    tells of a decision, in one query for these events' States."""
    if template != "decided":
        return {}
    found = defaultdict(list)
    states = {event.review.state_id for event in events}
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            account__role=Role.FOCAL_POINT,
            account__state_id__in=states,
        )
        .exclude(email="")
        .select_related("account")
    )
    for user in users:
        found[user.account.state_id].append(user)
    return found
