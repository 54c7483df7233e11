"""Who sees what: the one place where the scope of a user is decided.

Every queryset that holds a State's records is filtered with these Q objects
(`visible_to(user)` on the QuerySets), and every write is checked with the predicates
here and in `needs/permissions.py`. Pages, forms, exports, the API and the admin all
use them.

* secretariat and administrators: every State;
* a focal point: their own State only (anything else is "not found");
* a viewer (a donor or partner, or a United Nations entity): completed reviews and
  their States (executive summaries are published); which of their needs, and what of
  them, follows the State's consent (`needs/permissions.py`);
* anyone else (anonymous, no role): nothing beyond the public statistics.

This module reads the user's account through `user.account` and never imports
`reviews.models` (which imports it), so the two cannot form a cycle.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django_otp import user_has_device

from reviews.roles import STAFF_ROLES, Organisation, Role

NOTHING = Q(pk__in=[])


def _account(user):
    """The user's Account (or None), read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_tatracker_account"):
        try:
            user._tatracker_account = user.account
        except ObjectDoesNotExist:
            user._tatracker_account = None
    return user._tatracker_account


def role_of(user) -> str | None:
    """The user's role; superusers are administrators; None for no role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    account = _account(user)
    return account.role if account else None


def focal_state_id(user) -> int | None:
    """The State a focal point acts for; None for every other user."""
    account = _account(user)
    if account and account.role == Role.FOCAL_POINT and user.is_active:
        return account.state_id
    return None


def is_secretariat(user) -> bool:
    """Secretariat staff and administrators: every State, every description."""
    return role_of(user) in STAFF_ROLES


def organisation_of(user) -> str | None:
    """A viewer's organisation kind ("donor-partner" or "un-entity"); else None."""
    account = _account(user)
    if role_of(user) == Role.VIEWER and account is not None:
        return account.organisation or Organisation.DONOR_OR_PARTNER
    return None


def language_of(user) -> str:
    """The language a user chose in their profile ("" if none)."""
    account = _account(user)
    return account.language if account is not None else ""


def has_role(user) -> bool:
    """Any tatracker role: the pages beyond the public statistics."""
    return role_of(user) is not None


def review_filter(user, prefix: str = "") -> Q:
    """Q selecting the country reviews `user` may see (prefix: path to the review)."""
    role = role_of(user)
    if role in STAFF_ROLES:
        return Q()
    if role == Role.FOCAL_POINT:
        return Q(**{f"{prefix}state_id": focal_state_id(user)})
    if role == Role.VIEWER:
        return Q(**{f"{prefix}status": "completed"})
    return NOTHING


def state_filter(user, prefix: str = "") -> Q:
    """Q selecting the States parties whose pages `user` may open."""
    role = role_of(user)
    if role in STAFF_ROLES:
        return Q()
    if role == Role.FOCAL_POINT:
        return Q(**{f"{prefix}pk": focal_state_id(user)})
    if role == Role.VIEWER:
        reviews = apps.get_model("reviews", "CountryReview").objects
        completed = reviews.filter(status="completed").values("state")
        return Q(**{f"{prefix}pk__in": completed})
    return NOTHING


def can_enter_needs(user, review) -> bool:
    """Enter or change a review's needs: its State's focal points, the secretariat."""
    if is_secretariat(user):
        return True
    state_id = focal_state_id(user)
    return state_id is not None and state_id == review.state_id


def can_change_reviews(user) -> bool:
    """Record and change country reviews and reference data: the secretariat."""
    return is_secretariat(user)


def second_factor_required(user) -> bool:
    """The secretariat and administrators sign in with a second factor (an
    authenticator's code or a recovery code) unless TATRACKER_REQUIRE_2FA is off;
    for everybody else it is optional."""
    return settings.TATRACKER_REQUIRE_2FA and is_secretariat(user)


def has_verified_second_factor(user) -> bool:
    """Whether this session's user gave their second factor (django-otp's
    OTPMiddleware sets `user.is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def can_issue_api_token(user) -> bool:
    """An API token goes only to a session that gave its second factor, when the
    user must have one (the secretariat) or has an authenticator (anyone who chose
    one); others may have a token after their password alone."""
    if has_verified_second_factor(user):
        return True
    if second_factor_required(user):
        return False
    return not user_has_device(user, confirmed=True)


def can_revoke_api_token(user, token) -> bool:
    """One's own tokens only (another's are not even found: ApiToken.visible_to)."""
    return getattr(user, "is_authenticated", False) and token.user_id == user.pk
