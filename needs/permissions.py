"""What a user may do with needs and the entry workflow (`can_<verb>_<entity>`).

Who sees which records is decided in `reviews/permissions.py`; these predicates decide
the writes on records a user can already see, and templates show buttons from them.
"""

from needs.models import Need
from reviews.models import CountryReview
from reviews.permissions import can_enter_needs, focal_state_id, is_secretariat

__all__ = [
    "can_decide_review",
    "can_edit_need",
    "can_enter_needs",
    "can_see_description",
    "can_submit_review",
    "can_view_history",
    "is_secretariat",
]


def _is_focal_point_of(user, review: CountryReview) -> bool:
    state_id = focal_state_id(user)
    return state_id is not None and state_id == review.state_id


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
    if is_secretariat(user) or _is_focal_point_of(user, need.review):
        return True
    return need.review.full_report_consent
