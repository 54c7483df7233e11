"""What a user may see and do with needs and their follow-up.

Two kinds of decisions, both made here only:

* the scope (`*_filter(user)` Q objects, used by the QuerySets' `visible_to`): which
  records exist for a user. It builds on the review scope of `reviews/permissions.py`
  and adds what the State agreed to share (its Consent records, paragraph 79);
* the predicates (`can_<verb>_<entity>`): what a user may do with a record they can
  see. Views, viewsets, the admin and templates (for buttons) ask them.

What a viewer sees of a completed review (its executive summary is published):
  - needs: accepted values only, and only needs whose source the State shares with
    the viewer — the executive summary always; the self-assessment checklist and the
    full report (country report, country visit) where a consent for that subject
    reaches the viewer's audience;
  - descriptions and what remains: where the State shares its descriptions of needs;
  - action plans and their items: where the State shares its action plan;
  - the secretariat's follow-up records and the return comments: never;
  - the assistance a State's focal point reports: never (what the secretariat
    confirms of it becomes an Assistance record, seen as any other).
An audience reaches: "public" everyone; "donors and partners" donors, partners and
United Nations entities; "United Nations only" United Nations entities.

This module never imports `needs.models` (the models import it for their scope);
consent records are looked up with `apps.get_model` at call time.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from reviews.permissions import (
    NOTHING,
    can_enter_needs,
    focal_state_id,
    has_role,
    is_secretariat,
    organisation_of,
    review_filter,
    role_of,
    state_filter,
)
from reviews.roles import Organisation, Role

__all__ = [
    "assistance_report_filter",
    "can_change_assistance_report",
    "can_confirm_assistance_report",
    "can_decide_coverage",
    "can_decide_review",
    "can_edit_need",
    "can_edit_note_edition",
    "can_edit_plan",
    "can_enter_needs",
    "can_import_assistance",
    "can_import_needs",
    "can_record_assistance",
    "can_record_consent",
    "can_record_follow_up",
    "can_report_assistance",
    "can_see_description",
    "can_see_internal_notes",
    "can_see_proposals",
    "can_submit_review",
    "can_view_desk",
    "can_view_donor_mapping",
    "can_view_history",
    "can_view_note_editions",
    "note_edition_filter",
    "plan_state_filter",
]

# The consent subject that governs a need, by the need's source.
SUBJECT_OF_SOURCE = {
    "checklist": "self-assessment",
    "country-report": "full-report",
    "country-visit": "full-report",
}
PUBLISHED_SOURCE = "executive-summary"
AUDIENCES = {
    Organisation.DONOR_OR_PARTNER: ["public", "donors"],
    Organisation.UN_ENTITY: ["public", "donors", "un-only"],
}


def audiences_of(user) -> list[str]:
    """The consent audiences that reach `user` (a viewer); [] for anybody else."""
    return AUDIENCES.get(organisation_of(user), [])


def shared_with(user, subject: str, review_ref: str = "review"):
    """Exists(): the review (OuterRef `review_ref`) shares `subject` with `user`."""
    consents = apps.get_model("needs", "Consent").objects.filter(
        review=OuterRef(review_ref), subject=subject, audience__in=audiences_of(user)
    )
    return Exists(consents)


# ---------------------------------------------------------------------------
# The scope: which records exist for a user
# ---------------------------------------------------------------------------
def _is_viewer(user) -> bool:
    return role_of(user) == Role.VIEWER


def need_filter(user) -> Q:
    """Q selecting the needs `user` may see (on the Need model)."""
    scope = review_filter(user, prefix="review__")
    if not _is_viewer(user):
        return scope
    by_source = Q(source=PUBLISHED_SOURCE)
    for source, subject in SUBJECT_OF_SOURCE.items():
        by_source |= Q(source=source) & Q(shared_with(user, subject))
    return scope & Q(accepted_at__isnull=False) & by_source


def description_shared_filter(user) -> Q:
    """Q (on Need) true where `user` may read the description and what remains."""
    if is_secretariat(user):
        return Q()
    state_id = focal_state_id(user)
    if state_id is not None:
        return Q(review__state_id=state_id)
    if _is_viewer(user):
        return Q(shared_with(user, "need-descriptions"))
    return NOTHING


def proposal_filter(user, prefix: str = "need__") -> Q:
    """Q on a State's proposals (and return comments): its focal points and the
    secretariat; never a viewer."""
    if _is_viewer(user):
        return NOTHING
    return review_filter(user, prefix=f"{prefix}review__")


def action_plan_filter(user) -> Q:
    """Q (on ActionPlan): the State's plans, if it shares them with a viewer."""
    scope = state_filter(user, prefix="state__")
    if not _is_viewer(user):
        return scope
    reviews = apps.get_model("reviews", "CountryReview").objects.filter(
        state=OuterRef("state"), status="completed"
    )
    sharing = reviews.filter(
        Exists(
            apps.get_model("needs", "Consent").objects.filter(
                review=OuterRef("pk"),
                subject="action-plan",
                audience__in=audiences_of(user),
            )
        )
    )
    return scope & Q(Exists(sharing))


def follow_up_filter(user, prefix: str = "") -> Q:
    """Q on records of the secretariat's follow-up (letters, events): the secretariat
    and the State's focal points; never a viewer."""
    if _is_viewer(user):
        return NOTHING
    return review_filter(user, prefix=prefix)


def assistance_report_filter(user) -> Q:
    """Q (on AssistanceReport): a State's reports of the assistance it receives are
    for its focal points and the secretariat until confirmed; never a viewer's (what
    is confirmed is an Assistance record, scoped on its own)."""
    if _is_viewer(user):
        return NOTHING
    return state_filter(user, prefix="state__")


# ---------------------------------------------------------------------------
# Needs and the entry workflow
# ---------------------------------------------------------------------------
def can_edit_need(user, need) -> bool:
    """Not while the secretariat is deciding on it (status submitted)."""
    if need.status == need.Status.SUBMITTED:
        return False
    return can_enter_needs(user, need.review)


def can_submit_review(user, review) -> bool:
    return can_enter_needs(user, review)


def can_decide_review(user, review) -> bool:
    """Accept or return submitted proposals: the secretariat only."""
    return is_secretariat(user)


def can_decide_any_review(user) -> bool:
    """Whether `user` works the queue of submissions (the secretariat)."""
    return is_secretariat(user)


def can_decide_coverage(user, need) -> bool:
    """Confirm, correct or clear a need's coverage at once: the secretariat. A focal
    point reports coverage as a proposal (`can_edit_need`)."""
    return is_secretariat(user) and can_edit_need(user, need)


def sees_entry_workflow(user) -> bool:
    """Where a need stands in the entry workflow (draft, submitted, returned, a
    withdrawal asked): the secretariat and the focal points, for what they see.
    Viewers see accepted needs as accepted, whatever the State proposes since."""
    return not _is_viewer(user)


def can_see_proposals(user, need) -> bool:
    """A State's proposals (and the secretariat's return comments on them): the
    secretariat and the State's focal points (`proposal_filter`)."""
    return is_secretariat(user) or _is_focal_point_of(user, need.review.state_id)


def can_view_history(user) -> bool:
    return is_secretariat(user)


def can_see_description(user, need) -> bool:
    """The description and what remains: the secretariat, the State's focal points,
    and viewers the State shares its descriptions with. Uses the `description_shared`
    annotation (`NeedQuerySet.with_sharing`) when the need carries it."""
    shared = getattr(need, "description_shared", None)
    if shared is not None:
        return bool(shared)
    need_model = type(need)
    return (
        need_model.objects.filter(pk=need.pk)
        .filter(description_shared_filter(user))
        .exists()
    )


def can_see_internal_notes(user) -> bool:
    """Notes kept on assistance and consent records: the secretariat, and focal
    points on the records of their own State (the only ones they see); not viewers."""
    return is_secretariat(user) or focal_state_id(user) is not None


def _is_focal_point_of(user, state_id: int) -> bool:
    own = focal_state_id(user)
    return own is not None and own == state_id


# ---------------------------------------------------------------------------
# Follow-up
# ---------------------------------------------------------------------------
def can_view_desk(user) -> bool:
    """The follow-up desk and the regional clusters: the secretariat's work lists."""
    return is_secretariat(user)


def can_view_donor_mapping(user) -> bool:
    """Donor mapping and unmet needs: any role, over the needs it may see."""
    return has_role(user)


def can_record_follow_up(user) -> bool:
    """Letters, replies, events and next steps: the secretariat."""
    return is_secretariat(user)


def can_record_assistance(user) -> bool:
    """Donors, assistance and the needs it addresses: the secretariat."""
    return is_secretariat(user)


def can_report_assistance(user, state_id: int) -> bool:
    """Report assistance that addresses a State's needs (paragraphs 75-76): its
    focal points. (The secretariat records assistance directly.)"""
    return _is_focal_point_of(user, state_id)


def can_change_assistance_report(user, report) -> bool:
    """Its State's focal points, while it awaits the secretariat's confirmation."""
    return report.confirmation == report.Confirmation.AWAITING and (
        can_report_assistance(user, report.state_id)
    )


def can_confirm_assistance_report(user, report) -> bool:
    """Confirm (possibly correcting) or decline a report: the secretariat, once."""
    return report.confirmation == report.Confirmation.AWAITING and (
        can_record_assistance(user)
    )


def can_record_consent(user) -> bool:
    return is_secretariat(user)


def can_edit_plan(user, state_id: int) -> bool:
    """The secretariat, and the State's focal points, keep its action plans."""
    return is_secretariat(user) or _is_focal_point_of(user, state_id)


def plan_state_filter(user) -> Q:
    """Q selecting the States whose action plans `user` keeps (`can_edit_plan` as a
    scope): where the API looks up the State of a plan, so that another State's
    code is refused exactly as a code no State has."""
    if is_secretariat(user):
        return Q()
    state_id = focal_state_id(user)
    return NOTHING if state_id is None else Q(pk=state_id)


# ---------------------------------------------------------------------------
# Data exchange
# ---------------------------------------------------------------------------
def can_import_needs(user) -> bool:
    """Import a file of needs: the secretariat (any State), a focal point (its own)."""
    return is_secretariat(user) or focal_state_id(user) is not None


def can_import_assistance(user) -> bool:
    """Import donors' assistance (IATI activities): the secretariat."""
    return is_secretariat(user)


# ---------------------------------------------------------------------------
# Editions of the note
# ---------------------------------------------------------------------------
def note_edition_filter(user) -> Q:
    """Q (on NoteEdition): the secretariat's working documents, the secretariat's
    only (the public draft page shows the statistical sections, for everyone)."""
    return Q() if is_secretariat(user) else NOTHING


def can_view_note_editions(user) -> bool:
    """The list of editions and each edition's draft: the secretariat."""
    return is_secretariat(user)


def can_edit_note_edition(user, edition=None) -> bool:
    """Create an edition, or change its parameters and text blocks: the
    secretariat."""
    return is_secretariat(user)
