"""Models of the needs app: needs (needs.py) and their follow-up (followup.py)."""

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
    "Reminder",
    "Upload",
]
