"""Navigation facts for the base template, from the one permission module."""

from reviews.models import Account
from reviews.permissions import focal_state_id, is_secretariat, role_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "role": Account.Role(role).label if (role := role_of(user)) else None,
            "focal_state": focal_state_id(user),
            "secretariat": is_secretariat(user),
        }
    }
