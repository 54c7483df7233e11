"""The audit trail, read from django-simple-history's tables.

Every save and delete of the audited models (needs, reviews, and the follow-up records)
leaves a historical row: who, when, and the whole record. Diffs are computed here by
pairing consecutive rows of one record; history survives the record's deletion.
"""

from dataclasses import dataclass, field

from needs.models import Need
from reviews.models import CountryReview

HIDDEN = {
    "history_id",
    "history_date",
    "history_user",
    "history_type",
    "history_change_reason",
    "updated_at",
    "created_at",
}
KINDS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Entry:
    record: object
    label: str
    kind: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    model: object = None

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name if self.model else ""

    @property
    def when(self):
        return self.record.history_date

    @property
    def who(self):
        return self.record.history_user


def audited_models() -> list:
    """The models whose every change is kept."""
    from needs.models import (
        ActionPlan,
        ActionPlanItem,
        Assistance,
        AssistanceNeed,
        Consent,
        FollowUp,
        FollowUpEvent,
    )

    return [
        Need,
        CountryReview,
        FollowUp,
        FollowUpEvent,
        ActionPlan,
        ActionPlanItem,
        Assistance,
        AssistanceNeed,
        Consent,
    ]


def audited_model(label: str):
    """The audited model named `label` ("need", "actionplan", …), or None."""
    return next((m for m in audited_models() if m._meta.model_name == label), None)


def _fields(record) -> list[str]:
    return [f.attname for f in record._meta.concrete_fields if f.attname not in HIDDEN]


def _diff(previous, record) -> list[tuple[str, object, object]]:
    if previous is None:
        return []
    return [
        (name, getattr(previous, name), getattr(record, name))
        for name in _fields(record)
        if getattr(previous, name) != getattr(record, name)
    ]


def object_history(model, pk: int) -> list[Entry]:
    """Every recorded version of one record, newest first, each with its changes."""
    records = list(
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries, previous = [], None
    for record in records:
        entries.append(
            Entry(
                record,
                model._meta.verbose_name,
                KINDS[record.history_type],
                _diff(previous, record),
                model=model,
            )
        )
        previous = record
    return entries[::-1]


def need_history(pk: int) -> list[Entry]:
    return object_history(Need, pk)


def recent(limit: int = 100) -> list[Entry]:
    """The latest changes of every audited model: one query per model."""
    entries = []
    for model in audited_models():
        records = model.history.select_related("history_user").order_by("-history_date")
        entries += [
            Entry(r, model._meta.verbose_name, KINDS[r.history_type], model=model)
            for r in records[:limit]
        ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
