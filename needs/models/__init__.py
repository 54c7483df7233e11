"""Models of the needs app: needs (needs.py), their follow-up (followup.py) and the
editions of the note (reports.py)."""

from needs.models.exchange import Upload
from needs.models.followup import (
    ActionPlan,
    ActionPlanItem,
    Assistance,
    AssistanceNeed,
    AssistanceReport,
    AssistanceReportNeed,
    Consent,
    Donor,
    FollowUp,
    FollowUpEvent,
    Reminder,
)
from needs.models.needs import (
    EntryDecision,
    EntryEvent,
    Need,
    NeedProposal,
    NeedType,
    NeedTypeAlias,
)
from needs.models.reports import NoteEdition

__all__ = [
    "ActionPlan",
    "ActionPlanItem",
    "Assistance",
    "AssistanceNeed",
    "AssistanceReport",
    "AssistanceReportNeed",
    "Consent",
    "Donor",
    "EntryDecision",
    "EntryEvent",
    "FollowUp",
    "FollowUpEvent",
    "Need",
    "NeedProposal",
    "NeedType",
    "NeedTypeAlias",
    "NoteEdition",
    "Reminder",
    "Upload",
]
