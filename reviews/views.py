"""Pages of the reviews app: the language menu (a person's own preference) and the
"forgot password" pages (Django's password reset by e-mail)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from reviews.forms import PasswordResetForm
from reviews.services import account_language_set, login_lockout_clear


@login_not_required
@require_POST
def language_set(request):
    """Django's set_language (the cookie, and back to the page), remembered in the
    profile of a logged-in user."""
    response = set_language(request)
    if request.user.is_authenticated:
        account_language_set(user=request.user, language=request.POST.get("language"))
    return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and sends a link to set a new password. The same
    answer whether the address is known or not; the link is built on SITE_URL, never
    on the host a request names."""

    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"

    @property
    def extra_email_context(self):
        return {"site_name": "tatracker", "site_url": settings.SITE_URL.rstrip("/")}


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Sets the new password from the e-mailed link; the failed log-ins that locked
    the account (django-axes) are forgotten, so that the person logs in at once."""

    def form_valid(self, form):
        response = super().form_valid(form)
        login_lockout_clear(user=form.user)
        return response
