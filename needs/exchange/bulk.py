"""The new needs of an imported file, staged as they are read, written together.

`need_create(propose=True)`, then `review_submit` and, when the secretariat accepts
them, `review_decide`, write a need in some twenty statements; a file of 100,000 rows
cannot afford that. `NewNeeds` leaves the same records set-wise: each new need's
varying values (review, article, type and the four values a file gives) are staged,
a batch at a time, in a temporary table (on PostgreSQL through COPY, elsewhere
executemany); `write` then moves them in four statements, whatever the count: each
need in its final state (a focal point's a draft proposal; the secretariat's
submitted, or accepted as its decision), its proposal while one is under way, and
one historical row of each ("+", by the importer), their constant columns given
once as parameters. Then per review the entry events (submitted; accepted, with a
decision per need, one statement) and their e-mails, as the services would.

Validation: every value was read and checked by the import's planner (the State,
cycle, article in a chapter of the cycle, type, choices, lengths, formulas);
`add` checks again that each value is one the field accepts, without a query, and
the database's unique constraint refuses a need recorded twice (at `write`).
Memory: a batch of rows, and per review a count.
"""

import datetime
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

# The values an imported row gives a need (the planner's `values`), in the order
# they are staged after the need's review, article and type.
VALUES = ("description", "priority", "source", "remaining")
CHOICES = {
    "priority": set(Need.Priority.values),
    "source": set(Need.Source.values),
}
TEXT_LIMIT = 10_000  # imports.MAX_TEXT_LENGTH
STAGED = ("id", "review_id", "article_id", "need_type_id", *VALUES)
# A value's place in a staged row (review, article, type, then VALUES).
POSITIONS = {name: 3 + index for index, name in enumerate(VALUES)}
STAGE = "tatracker_imported_needs"
# The staged column's type, by database.
STAGED_TYPES = {
    "postgresql": ["bigint"] * 4 + ["text"] * len(VALUES),
    "sqlite": ["integer"] * 4 + ["text"] * len(VALUES),
}


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _prepared(model, values: dict) -> dict:
    """{column: value as the database takes it} of `model`'s fields in `values`."""
    return {
        field.column: field.get_db_prep_save(values[field.attname], connection)
        for field in model._meta.concrete_fields
        if field.attname in values
    }


def _defaults(model) -> dict:
    return {
        field.attname: field.get_default()
        for field in model._meta.concrete_fields
        if not field.primary_key
    }


def _insert(model, source: str, columns: dict, constants: dict, where=""):
    """INSERT INTO `model`'s table (its columns, its own id and history id aside
    unless given) SELECT from `source`: a column of `columns` ({column: SQL
    expression}) or else the constant parameter of `constants`."""
    names, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in columns:
            expressions.append(columns[column])
        elif column in constants:
            expressions.append("%s")
            params.append(constants[column])
        elif field.primary_key:
            continue  # drawn by the table
        else:
            raise ValueError(f"no value for {model._meta.db_table}.{column}")
        names.append(_q(column))
    sql = (
        f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM {source} {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class NewNeeds:
    """Collects new needs (`add`), staging them a batch at a time, writes them
    (`write`), then the entry events (`finish`). Stages: DRAFT (a focal point's
    proposals), SUBMITTED (the secretariat's, awaiting its decision) or ACCEPTED."""

    DRAFT, SUBMITTED, ACCEPTED = "draft", "submitted", "accepted"
    BATCH = 2000

    def __init__(self, *, user, stage: str, comment: str = ""):
        self.user, self.stage, self.comment = user, stage, comment
        self.now = timezone.now()
        accepted = stage == self.ACCEPTED
        self.history = {
            "history_date": self.now,
            "history_change_reason": None,
            "history_type": "+",
            "history_user_id": user.pk,
        }
        self.need_values = _defaults(Need) | {
            "status": Need.Status.ACCEPTED if accepted else stage,
            "accepted_at": self.now if accepted else None,
            # An accepted proposal raises the need's version once.
            "version": 2 if accepted else 1,
            # What others see: version 1 from the acceptance, 0 until then.
            "accepted_version": 1 if accepted else 0,
            "accepted_changed_at": self.now,
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.proposal_values = _defaults(NeedProposal) | {
            "kind": NeedProposal.Kind.NEW,
            "status": stage,
            "version": 1,
            "proposed_by_id": user.pk,
            "submitted_at": self.now if stage == self.SUBMITTED else None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        # A staged row: review, article, type, then VALUES (the need's defaults
        # where the file gives none).
        self.blank = [self.need_values[name] for name in VALUES]
        self.pending: list[list] = []
        self.counts: dict[int, int] = defaultdict(int)
        self.staged = self.written = False

    def add(self, *, review: CountryReview, values: dict) -> None:
        """A new need of `review`: `values` as the planner read them (article,
        need_type, and any of description, priority, source, remaining)."""
        # (`id` rather than `pk`: read for every row.)
        if review.id not in self.counts and not can_enter_needs(self.user, review):
            raise PermissionDenied(_("You cannot enter needs for this review."))
        row = [review.id, values["article"].id, values["need_type"].id, *self.blank]
        for name, value in values.items():
            if name in {"article", "need_type"}:
                continue
            if name not in POSITIONS or not isinstance(value, str):
                raise ValidationError(
                    _("These fields are not edited here: %(fields)s.")
                    % {"fields": [name]}
                )
            if value not in CHOICES.get(name, (value,)) or len(value) > TEXT_LIMIT:
                raise ValidationError(
                    Need._meta.get_field(name).error_messages["invalid_choice"]
                    % {"value": value}
                )
            row[POSITIONS[name]] = value
        self.pending.append(row)
        self.counts[review.id] += 1
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Stage the batch (nothing is written to the needs' tables yet)."""
        if not self.pending:
            return
        names = ", ".join(_q(name) for name in STAGED[1:])
        with connection.cursor() as cursor:
            if not self.staged:
                self._create_stage(cursor)
                self.staged = True
            if connection.vendor == "postgresql":
                sql = f"COPY {STAGE} ({names}) FROM STDIN"
                with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                    for row in self.pending:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * (len(STAGED) - 1))
                sql = f"INSERT INTO {STAGE} ({names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, self.pending)
        self.pending = []

    @staticmethod
    def _create_stage(cursor) -> None:
        """The temporary table of this import's new needs (this connection's own),
        its ids drawn, on PostgreSQL, from the needs' sequence as they arrive."""
        columns = [
            f"{_q(name)} {kind}"
            for name, kind in zip(STAGED, STAGED_TYPES[connection.vendor], strict=True)
        ]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, 'id')", [Need._meta.db_table]
            )
            sequence = cursor.fetchone()[0].replace("'", "''")
            columns[0] += f" DEFAULT nextval('{sequence}'::regclass)"
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({', '.join(columns)})")

    def _drop_stage(self) -> None:
        if self.staged:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            self.staged = False

    def write(self) -> None:
        """Move the staged needs into their tables: the needs, their proposals
        while under way, a historical row of each. A need recorded twice (in the
        file, or meanwhile by someone else) raises IntegrityError."""
        self.flush()
        if not self.staged or self.written:
            return
        self.written = True
        if connection.vendor != "postgresql":
            # SQLite: one writer at a time, inside this transaction.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {STAGE} SET id = rowid + "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 0) FROM {_q(Need._meta.db_table)})"
                )
        stage = f"{STAGE} s"
        staged = {name: f"s.{_q(name)}" for name in STAGED}
        need = _prepared(Need, self.need_values)
        history = _prepared(Need.history.model, self.history)
        _insert(Need, stage, staged, need)
        _insert(Need.history.model, stage, staged, need | history)
        if self.stage == self.ACCEPTED:
            return
        proposal = _prepared(NeedProposal, self.proposal_values)
        _insert(NeedProposal, stage, staged | {"need_id": "s.id"}, proposal)
        table = _q(NeedProposal._meta.db_table)
        proposal_columns = {
            field.column: f"p.{_q(field.column)}"
            for field in NeedProposal._meta.concrete_fields
        }
        _insert(
            NeedProposal.history.model,
            f"{table} p JOIN {STAGE} s ON p.need_id = s.id",
            proposal_columns,
            history,
        )

    def finish(self, steps: dict | None = None) -> int:
        """Write what is staged, then each review's entry events; the number of
        needs written. `steps`: {review id: {action: event}} the entry services
        already logged for this import (its changed needs), which the new needs
        join rather than have a step of their own (the services' e-mail went).
        The e-mails go after the commit, a batch of reviews at a time."""
        self.write()
        if self.stage != self.DRAFT and self.counts:
            self._steps(steps or {})
        self._drop_stage()
        return sum(self.counts.values())

    def _steps(self, steps: dict) -> None:
        action = EntryEvent.Action.SUBMITTED
        _by_review, new = self._events(action, self.now, "", steps)
        transaction.on_commit(partial(self._tell, new, "submitted"))
        if self.stage == self.ACCEPTED:
            # The step is logged after the needs' historical rows (the audit trail
            # reads a need's rows up to its step's time).
            later = timezone.now() + datetime.timedelta(microseconds=1)
            action = EntryEvent.Action.ACCEPTED
            accepted, new = self._events(action, later, self.comment, steps)
            self._decisions(list(accepted.values()))
            transaction.on_commit(partial(self._tell, new, "decided"))
            statistics_changed()

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
                if getattr(event, "counts", None) is not None:
                    event.counts[NeedProposal.Kind.NEW] += count  # its e-mail's
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

    def _decisions(self, event_ids: list[int]) -> None:
        """A decision (accepted, new) for each staged need, by its review's event:
        one statement per 500 events."""
        constants = _prepared(
            EntryDecision,
            _defaults(EntryDecision)
            | {
                "kind": NeedProposal.Kind.NEW,
                "outcome": EntryDecision.Outcome.ACCEPTED,
            },
        )
        columns = {
            "event_id": "e.id",
            "need_id": "s.id",
            "article_id": "s.article_id",
            "need_type_id": "s.need_type_id",
        }
        events = _q(EntryEvent._meta.db_table)
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            marks = ", ".join(str(int(pk)) for pk in chunk)
            _insert(
                EntryDecision,
                f"{STAGE} s JOIN {events} e ON e.review_id = s.review_id",
                columns,
                constants,
                where=f"WHERE e.id IN ({marks})",
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
