"""The audit trail as a person reads it.

django-simple-history keeps a row for every save and delete of the audited models:
who, when and the whole record. Here those rows become entries a person reads: who
by name, what happened in words (created, changed, submitted, returned, accepted,
withdrawn…), the record by name (a need by its State, article and type), and the
fields that changed by their labels, with related records by name, choices by their
labels and dates to the minute, in the active language. Bookkeeping is not shown.

Reads for the secretariat (`can_view_history`); anyone else gets nothing. Related
records are looked up in one query per model, so that a page costs the same number
of queries however many rows it shows.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q
from django.template.defaultfilters import yesno
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy

from needs.models import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    AssistanceReportNeed,
    Consent,
    EntryDecision,
    EntryEvent,
    FollowUp,
    FollowUpEvent,
    Need,
    NeedProposal,
)
from needs.permissions import can_view_history
from reviews.models import CountryReview

# ---------------------------------------------------------------------------
# What is audited, and what of it a person reads
# ---------------------------------------------------------------------------
# Bookkeeping of every model: its number, its version (optimistic locking), its
# timestamps (the entry's own date says when) and its names in other languages.
# (The historical rows' own columns, history_*, are not the model's fields.)
HIDDEN = frozenset({"id", "version", "created_at", "updated_at", "names"})

# Each audited model with its own internal fields, besides HIDDEN.
AUDITED = {
    # accepted_at: the entry says "accepted"; withdrawal_requested mirrors the
    # proposal's kind; coverage_set_by/_at repeat the entry's who and when; the
    # accepted values' version and time are bookkeeping, as `version` is.
    Need: {
        "accepted_at",
        "withdrawal_requested",
        "coverage_set_by",
        "coverage_set_at",
        "accepted_version",
        "accepted_changed_at",
    },
    # need: the record's name says which need; proposed_by: the entry's who.
    NeedProposal: {"need", "proposed_by"},
    CountryReview: set(),
    FollowUp: set(),
    FollowUpEvent: set(),
    ActionPlan: set(),
    ActionPlanItem: set(),
    Assistance: set(),
    AssistanceNeed: set(),
    # reported_by: the entry's who; confirmed_assistance: the confirmation's result.
    AssistanceReport: {"reported_by"},
    AssistanceReportNeed: set(),
    Consent: set(),
}
AUDITED_MODELS = list(AUDITED)

# A record's history shows its parts' too: (part model, its foreign key to the
# record). A model added here needs `history = HistoricalRecords()`.
PARTS = {
    Need: [(NeedProposal, "need"), (AssistanceNeed, "need")],
    Assistance: [(AssistanceNeed, "assistance")],
    ActionPlan: [(ActionPlanItem, "plan")],
    AssistanceReport: [(AssistanceReportNeed, "report")],
}

# A field of this name is a person's comment on the step (a return, a decision):
# shown as the entry's comment rather than as a change.
COMMENT_FIELDS = ("comment", "return_comment")

# Models of the entry workflow: a change of `status` is the step it names.
WORKFLOW_MODELS = (Need, NeedProposal)
STEPS = {
    # (status before, status after) -> what happened
    ("submitted", "accepted"): "accepted",
    ("submitted", "returned"): "returned",
    ("draft", "submitted"): "submitted",
    ("returned", "submitted"): "submitted",
}

# The related records each model's name reads (its __str__), fetched with it.
NAMED_WITH = {
    Need: ("review__state", "article", "need_type"),
    NeedProposal: ("need__review__state", "need__article", "need__need_type"),
    CountryReview: ("state", "cycle"),
    FollowUp: ("review__state", "review__cycle"),
    FollowUpEvent: (),
    ActionPlan: ("state",),
    ActionPlanItem: ("plan",),
    AssistanceNeed: (
        "assistance",
        "need__review__state",
        "need__article",
        "need__need_type",
    ),
    Consent: ("review__state",),
}

ACTIONS = {
    "created": pgettext_lazy("audit trail: what happened to a record", "created"),
    "changed": pgettext_lazy("audit trail: what happened to a record", "changed"),
    "deleted": pgettext_lazy("audit trail: what happened to a record", "deleted"),
    "proposed": pgettext_lazy("audit trail: what happened to a record", "proposed"),
    "submitted": pgettext_lazy("audit trail: what happened to a record", "submitted"),
    "returned": pgettext_lazy(
        "audit trail: what happened to a record", "returned for revision"
    ),
    "accepted": pgettext_lazy("audit trail: what happened to a record", "accepted"),
    "withdrawn": pgettext_lazy("audit trail: what happened to a record", "withdrawn"),
    # A proposal ends when the secretariat accepts it or the State drops it.
    "closed": pgettext_lazy("audit trail: what happened to a record", "closed"),
}


def person(user) -> str:
    """A person as others name them: the full name, else the user name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------------------
# Fields and values as a person reads them
# ---------------------------------------------------------------------------
def _field(model, name: str):
    """`model`'s field called `name` (or with attname `name`), or None."""
    if model is None:
        return None
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    return next((f for f in fields if name in {f.name, f.attname}), None)


def field_label(model, name: str) -> str:
    """The verbose name of `model`'s field `name`, capitalized and in the active
    language; `name` itself for a field the model does not have."""
    found = _field(model, name)
    return capfirst(found.verbose_name) if found is not None else name


def field_value(model, name: str, value, names=None):
    """`value` of `model`'s field `name` as a person reads it: a choice's label, a
    related record's name (looked up in `names`), yes or no, a date or a time to
    the minute in the active language; None for no value."""
    found = _field(model, name)
    if value is None or value == "":
        return None
    if found is None:
        return value
    if found.many_to_many:
        names = names or _Names()
        return ", ".join(sorted(names.name(found.related_model, pk) for pk in value))
    if found.is_relation:
        return (names or _Names()).name(found.related_model, value)
    if found.choices:
        return str(dict(found.flatchoices).get(value, value))
    if isinstance(value, bool):
        return yesno(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return formats.localize(value)


def labelled_changes(model, changes, names=None) -> list[tuple[str, object, object]]:
    """(field, old, new) triples as a person reads them: the field's label, each
    value by `field_value` (related records looked up once per model)."""
    names = names or _Names()
    for name, old, new in changes:
        found = _field(model, name)
        if found is not None and found.is_relation:
            names.load(found.related_model, _pks(found, (old, new)))
    return [
        (
            field_label(model, name),
            field_value(model, name, old, names),
            field_value(model, name, new, names),
        )
        for name, old, new in changes
    ]


def _pks(relation, values) -> set:
    """The related records' numbers among `values` of a relation (sets for a
    many-to-many field)."""
    if relation.many_to_many:
        return {pk for value in values if value for pk in value}
    return set(values)


class _Names:
    """Related records by name, looked up in one query per model (a deleted
    record as its last historical row had it)."""

    def __init__(self):
        self._records = defaultdict(dict)  # model -> {pk: record or None}

    def load(self, model, pks) -> None:
        wanted = {pk for pk in pks if pk not in (None, "")}
        wanted -= self._records[model].keys()
        if not wanted:
            return
        queryset = model._base_manager.all()
        if NAMED_WITH.get(model):
            queryset = queryset.select_related(*NAMED_WITH[model])
        found = queryset.in_bulk(wanted)
        missing = wanted - found.keys()
        self._records[model].update(found)
        self._records[model].update(dict.fromkeys(missing))
        if missing and model in AUDITED:
            self._records[model].update(self._from_history(model, missing))

    def _from_history(self, model, pks) -> dict:
        latest = {}
        for row in model.history.filter(id__in=pks).order_by(
            "history_date", "history_id"
        ):
            latest[row.id] = row
        records = {pk: row.instance for pk, row in latest.items()}
        self.attach(model, records.values())
        return records

    def attach(self, model, records) -> None:
        """Give `records` (historical instances) the related records their names
        read, loading them."""
        records = list(records)
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        for relation in relations:
            self.load(
                relation.related_model, {getattr(r, relation.attname) for r in records}
            )
        for record in records:
            for relation in relations:
                pk = getattr(record, relation.attname)
                related = self._records[relation.related_model].get(pk)
                if related is not None:
                    relation.set_cached_value(record, related)

    def name(self, model, pk) -> str:
        self.load(model, {pk})
        record = self._records[model].get(pk)
        if record is None:
            # Translators: a related record that no longer exists, e.g. "need
            # (deleted)".
            return gettext("%(record)s (deleted)") % {
                "record": model._meta.verbose_name
            }
        if model is get_user_model():
            return person(record)
        return name_of(record)


def name_of(record) -> str:
    """A record's name (its __str__), or its kind when a record it names is gone."""
    try:
        return str(record)
    except ObjectDoesNotExist:
        return str(capfirst(record._meta.verbose_name))


# ---------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------
@dataclass
class HistoryEntry:
    """One historical row as a person reads it."""

    record: object  # the historical row
    model: type
    kind: str  # a key of ACTIONS
    label: str = ""  # the record, by name
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    labelled_changes: list[tuple[str, object, object]] = field(default_factory=list)
    comment: str = ""

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def model_label(self) -> str:
        return capfirst(self.model._meta.verbose_name)

    @property
    def kind_label(self) -> str:
        """What happened to the record, in the active language."""
        return ACTIONS.get(self.kind, self.kind)

    @property
    def is_creation(self) -> bool:
        return self.record.history_type == "+"

    @property
    def when(self):
        return self.record.history_date

    @property
    def who(self):
        return self.record.history_user

    @property
    def who_name(self) -> str:
        return person(self.who)


def _shown(model) -> list:
    hidden = HIDDEN | AUDITED.get(model, set()) | set(COMMENT_FIELDS)
    return [f for f in model._meta.concrete_fields if f.name not in hidden]


def _shown_many(model) -> list:
    """The many-to-many fields whose history is kept (`m2m_fields`)."""
    fields = getattr(model.history.model, "_history_m2m_fields", ())
    hidden = HIDDEN | AUDITED.get(model, set())
    return [f for f in fields if f.name not in hidden]


def _many_values(model, rows) -> dict:
    """{history_id: {field: frozenset of related numbers}} of the rows' kept
    many-to-many fields: one query per field."""
    values = defaultdict(dict)
    ids = {row.history_id for row in rows if row is not None}
    for many in _shown_many(model):
        kept = vars(model.history.model)[many.name].model
        target = f"{many.m2m_reverse_field_name()}_id"
        pairs = kept.objects.filter(history_id__in=ids).values_list(
            "history_id", target
        )
        for history_id, pk in pairs:
            values[history_id].setdefault(many.name, set()).add(pk)
    return values


def _values(model, row, many: dict) -> dict:
    values = {f.name: getattr(row, f.attname) for f in _shown(model)}
    for many_field in _shown_many(model):
        values[many_field.name] = frozenset(
            many.get(row.history_id, {}).get(many_field.name, ())
        )
    return values


def _diff(model, previous, record, many: dict) -> list[tuple[str, object, object]]:
    """(field, old, new) for each shown field that changed; for a creation, each
    value set (old None); nothing for a deletion."""
    if record.history_type == "-":
        return []
    now = _values(model, record, many)
    if previous is None:
        return [(n, None, v) for n, v in now.items() if v not in (None, "", False)]
    before = _values(model, previous, many)
    return [(n, before[n], v) for n, v in now.items() if before[n] != v]


def _kind(model, previous, record) -> str:
    if record.history_type == "+":
        return "proposed" if model is NeedProposal else "created"
    if record.history_type == "-":
        return {Need: "withdrawn", NeedProposal: "closed"}.get(model, "deleted")
    if model in WORKFLOW_MODELS and previous is not None:
        return STEPS.get((previous.status, record.status), "changed")
    return "changed"


def _comment(previous, record, kind: str) -> str:
    """The comment the row's step carries: set or changed by it, or the reason of
    a return or an acceptance; none for a deletion."""
    if record.history_type == "-":
        return ""
    for name in COMMENT_FIELDS:
        value = getattr(record, name, "") or ""
        before = getattr(previous, name, "") if previous is not None else ""
        if value and (value != before or kind in {"returned", "accepted"}):
            return value
    return ""


def _entries(model, pairs, names: _Names) -> list[HistoryEntry]:
    """Entries of `model`'s historical rows, each given with the row before it of
    the same record (None for the first)."""
    instances = [row.instance for _, row in pairs]
    names.attach(model, instances)
    many = _many_values(model, [row for pair in pairs for row in pair])
    entries = []
    for (previous, row), instance in zip(pairs, instances, strict=True):
        kind = _kind(model, previous, row)
        entries.append(
            HistoryEntry(
                record=row,
                model=model,
                kind=kind,
                label=name_of(instance),
                changes=_diff(model, previous, row, many),
                comment=_comment(previous, row, kind),
            )
        )
    _label_changes(model, entries, names)
    return entries


def _label_changes(model, entries: list[HistoryEntry], names: _Names) -> None:
    """Set the entries' `labelled_changes`: the related records of every entry
    looked up together, the status left out where the action says it."""
    relations = [f for f in _shown(model) if f.is_relation] + _shown_many(model)
    for relation in relations:
        values = [
            value
            for entry in entries
            for name, old, new in entry.changes
            if name == relation.name
            for value in (old, new)
        ]
        names.load(relation.related_model, _pks(relation, values))
    for entry in entries:
        implied = entry.kind in STEPS.values() and model in WORKFLOW_MODELS
        changes = [c for c in entry.changes if not (implied and c[0] == "status")]
        entry.labelled_changes = labelled_changes(model, changes, names)


def _pairs(rows) -> list[tuple[object, object]]:
    """(previous row of the same record or None, row) for rows in time order."""
    last, pairs = {}, []
    for row in rows:
        pairs.append((last.get(row.id), row))
        last[row.id] = row
    return pairs


def _ordered(queryset):
    return queryset.select_related("history_user").order_by(
        "history_date", "history_id"
    )


def record_history(*, user, model, pk: int) -> list[HistoryEntry]:
    """Every recorded version of one record and of its parts (a need's proposals
    and assistance links; the review's decisions on it with their comments), newest
    first; empty for a user who may not read the audit trail."""
    if not can_view_history(user):
        return []
    names = _Names()
    rows = list(_ordered(model.history.filter(id=pk)))
    if not rows:
        return []
    entries = _entries(model, _pairs(rows), names)
    if model is Need:
        last = rows[-1]
        _attach_decisions(
            entries,
            {row.review_id for row in rows},
            need=(pk, last.article_id, last.need_type_id),
        )
    for part, key in PARTS.get(model, ()):
        part_rows = _ordered(part.history.filter(**{f"{key}_id": pk}))
        entries += _entries(part, _pairs(part_rows), names)
    entries.sort(key=lambda e: (e.when, e.record.history_id))
    _drop_repeated_comments(entries)
    return entries[::-1]


def _attach_decisions(entries: list[HistoryEntry], review_ids, need) -> None:
    """Give a need's submitted, returned and accepted (or withdrawn) entries the
    comment of the review's step that made them: the first step recorded after
    the entry with no other step in between. The secretariat's comment on this
    need (its decision) comes before the comment on the whole submission."""
    pk, article_id, need_type_id = need
    events = (
        EntryEvent.objects.filter(review_id__in=review_ids)
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=EntryDecision.objects.filter(
                    Q(need_id=pk)
                    | Q(
                        need__isnull=True,
                        article_id=article_id,
                        need_type_id=need_type_id,
                    )
                ),
            )
        )
        .order_by("at", "pk")
    )
    since = None
    for event in events:
        own = next((d.comment for d in event.decisions.all() if d.comment), "")
        steps = [
            entry
            for entry in entries
            if (since is None or entry.when > since)
            and entry.when <= event.at
            and (
                entry.kind == event.action
                or (entry.kind == "withdrawn" and event.action == "accepted")
            )
        ]
        comment = own or event.comment
        if steps and comment and not steps[-1].comment:
            steps[-1].comment = comment
        since = event.at


def _drop_repeated_comments(entries: list[HistoryEntry]) -> None:
    """A comment the same person gave to the proposal and to the need in one step
    is shown once (on the first of the two)."""
    previous = None
    for entry in entries:
        if (
            previous is not None
            and entry.comment
            and ((entry.comment, entry.who) == (previous.comment, previous.who))
        ):
            entry.comment = ""
        previous = entry if entry.comment else previous


def recent_changes(*, user, limit: int = 100) -> list[HistoryEntry]:
    """The latest changes of every audited model, newest first; a fixed number of
    queries whatever `limit` (one per model, and per model shown for the rows
    before)."""
    if not can_view_history(user):
        return []
    latest = []
    for model in AUDITED:
        rows = model.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        latest += [(model, row) for row in rows[:limit]]
    latest.sort(key=lambda pair: pair[1].history_date, reverse=True)
    by_model = defaultdict(list)
    for model, row in latest[:limit]:
        by_model[model].append(row)
    names, entries = _Names(), []
    for model, rows in by_model.items():
        previous = _previous_rows(model, rows)
        pairs = [(previous.get(row.history_id), row) for row in rows]
        entries += _entries(model, pairs, names)
    entries.sort(key=lambda e: (e.when, e.record.history_id), reverse=True)
    return entries


def _previous_rows(model, rows) -> dict:
    """{history_id: the row before it of the same record} for changed rows."""
    changed = {row.id for row in rows if row.history_type == "~"}
    if not changed:
        return {}
    before = {}
    for previous, row in _pairs(_ordered(model.history.filter(id__in=changed))):
        before[row.history_id] = previous
    return before


def audited_model(label: str):
    """The audited model named `label` ("need", "actionplan", …), or None."""
    return next((m for m in AUDITED if m._meta.model_name == label), None)
