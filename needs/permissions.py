"""What a user may do with needs and their follow-up (`can_<verb>_<entity>`).

Who sees which records (the scope, `visible_to`) is decided in `reviews/permissions.py`;
these predicates decide what a user may do with records they can already see. Views,
viewsets, the admin and templates (for buttons) all ask them; nobody re-implements
them inline.
"""

from django.db.models import Q

from needs.models import Need
from reviews.models import CountryReview
from reviews.permissions import (
    NOTHING,
    can_enter_needs,
    focal_state_id,
    has_role,
    is_secretariat,
)

__all__ = [
    "can_decide_review",
    "can_edit_need",
    "can_edit_plan",
    "can_enter_needs",
    "can_record_assistance",
    "can_record_consent",
    "can_record_follow_up",
    "can_see_description",
    "can_submit_review",
    "can_view_desk",
    "can_view_donor_mapping",
    "can_view_history",
    "plan_state_filter",
]


def _is_focal_point_of(user, state_id: int) -> bool:
    own = focal_state_id(user)
    return own is not None and own == state_id


# ---------------------------------------------------------------------------
# Needs and the entry workflow
# ---------------------------------------------------------------------------
def can_edit_need(user, need: Need) -> bool:
    """Not while the secretariat is deciding on it (status submitted)."""
    if need.status == Need.Status.SUBMITTED:
        return False
    return can_enter_needs(user, need.review)


def can_submit_review(user, review: CountryReview) -> bool:
    return can_enter_needs(user, review)


def can_decide_review(user, review: CountryReview) -> bool:
    """Accept or return submitted needs: the secretariat only."""
    return is_secretariat(user)


def can_view_history(user) -> bool:
    return is_secretariat(user)


def can_see_description(user, need: Need) -> bool:
    """Descriptions of a State that did not agree to the use of its full report are
    shown to the secretariat and to that State's focal points only."""
    if is_secretariat(user) or _is_focal_point_of(user, need.review.state_id):
        return True
    return need.review.full_report_consent


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
