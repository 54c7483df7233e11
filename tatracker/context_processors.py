"""Navigation facts for the base template, from the one permission module."""

from django.conf import settings

from reviews.models import Account
from reviews.permissions import focal_state_id, is_secretariat, role_of


def navigation(request):
    # Each language named in itself ("English" on a French page too), as settings
    # spell them: Django's get_available_languages would translate the names.
    languages = {"interface_languages": settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return languages | {"nav": {}}
    return languages | {
        "nav": {
            "role": Account.Role(role).label if (role := role_of(user)) else None,
            "focal_state": focal_state_id(user),
            "secretariat": is_secretariat(user),
        }
    }
