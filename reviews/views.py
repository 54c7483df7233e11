"""Pages of the reviews app: the language menu (a person's own preference)."""

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from reviews.services import account_language_set


@login_not_required
@require_POST
def language_set(request):
    """Django's set_language (the cookie, and back to the page), remembered in the
    profile of a logged-in user."""
    response = set_language(request)
    if request.user.is_authenticated:
        account_language_set(user=request.user, language=request.POST.get("language"))
    return response
