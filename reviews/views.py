"""Pages of the reviews app: the language menu (a person's own preference), the
"forgot password" pages (Django's password reset by e-mail) and two-factor sign-in
(enrolment of an authenticator, the code after the password, passkeys)."""

import logging

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp_webauthn import exceptions as passkey_errors
from django_otp_webauthn import views as passkey_views

from reviews import mfa
from reviews.forms import (
    EnrolmentForm,
    PasswordResetForm,
    RecoveryCodesForm,
    SecondFactorForm,
)
from reviews.permissions import second_factor_required
from reviews.services import (
    account_language_set,
    login_lockout_clear,
    recovery_codes_regenerate,
    second_factor_check,
    second_factor_enrol,
)


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


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
def two_factor_setup(request):
    """Enrol an authenticator app: a QR code and the key to type by hand, confirmed
    with the code the app then shows; the recovery codes are shown once, on the
    answer to that confirmation. Required of the secretariat, offered to everyone.
    A session that has an authenticator but has not given its code yet gives it
    first (else a stolen password could replace the authenticator)."""
    user = request.user
    if user_has_device(user, confirmed=True) and mfa.second_factor_owed(request):
        return redirect("reviews:two_factor_verify")
    key = mfa.enrolment_key(request)
    form = EnrolmentForm(request.POST or None)
    if form.is_valid():
        try:
            code = form.cleaned_data["code"]
            codes = second_factor_enrol(user=user, key=key, code=code)
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, user.totpdevice_set.get())
            mfa.second_factor_given(request)
            return render(
                request,
                "registration/two_factor_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    context = {
        "form": form,
        "required": second_factor_required(user),
        "enrolled": user_has_device(user, confirmed=True),
        "next": request.GET.get("next", ""),
        **mfa.enrolment_details(user, key),
    }
    return render(request, "registration/two_factor_setup.html", context)


@never_cache
def two_factor(request):
    """One's own two-factor sign-in: whether an authenticator is set up, how many
    recovery codes are left, and new codes for the old ones, shown once. The
    authenticator's code is asked again, so that a session left open does not hand
    out codes that outlive it."""
    user = request.user
    form = RecoveryCodesForm(request.POST or None)
    if form.is_valid():
        try:
            codes = recovery_codes_regenerate(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            # The session may have signed in with a recovery code, now deleted: it
            # stands on the authenticator whose code it has just given.
            otp_login(request, user.totpdevice_set.get())
            context = {"codes": codes, "renewed": True, "next": request.path}
            return render(
                request, "registration/two_factor_recovery_codes.html", context
            )
    context = {
        "form": form,
        "enrolled": mfa.has_authenticator(user),
        "codes_left": mfa.recovery_codes_left(user),
        "passkeys": mfa.passkey_count(user),
    }
    return render(request, "registration/two_factor.html", context)


@never_cache
def two_factor_verify(request):
    """The code after the password. A wrong code counts as a failed log-in for
    django-axes (the same lockout as wrong passwords); once locked out the session
    ends."""
    user = request.user
    if not mfa.second_factor_owed(request):
        return redirect(_next_url(request))
    if not user_has_device(user, confirmed=True):
        return redirect("reviews:two_factor_setup")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return get_lockout_response(request, credentials=credentials)
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        device = second_factor_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            mfa.second_factor_given(request)
            return redirect(_next_url(request))
        user_login_failed.send(
            sender=__name__, credentials=credentials, request=request
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return get_lockout_response(request, credentials=credentials)
        form.add_error("code", _wrong_code())
    context = {
        "form": form,
        "next": request.GET.get("next", ""),
        "passkeys": mfa.passkey_count(user),
    }
    return render(request, "registration/two_factor_verify.html", context)


def _wrong_code() -> str:
    return gettext("That code is not valid, or it has already been used.")


# ---------------------------------------------------------------------------
# Passkeys (django-otp-webauthn): its JSON views, under tatracker's rules. A passkey
# is a second factor beside the authenticator app, never a way in on its own
# (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off).
# ---------------------------------------------------------------------------
security_log = logging.getLogger("tatracker.security")


class AuthenticatorFirst(passkey_errors.OTPWebAuthnApiError):
    status_code = 403
    default_code = "authenticator_first"
    default_detail = gettext_lazy(
        "Set up an authenticator app first: a passkey comes in addition to it."
    )


class LockedOut(passkey_errors.OTPWebAuthnApiError):
    status_code = 429
    default_code = "locked_out"
    default_detail = gettext_lazy("Too many failed log-in attempts: try again later.")


class AfterAuthenticator:
    """Adds a passkey only for a session that gave its second factor (the package
    checks it) of an account with an authenticator app: it keeps its recovery codes
    and can still obtain API tokens with a code."""

    def check_can_register(self):
        super().check_can_register()
        if not mfa.has_authenticator(self.request.user):
            raise AuthenticatorFirst()


class NotLockedOut:
    """Refuses the passkey, as the code is refused, while the account or the
    address is locked out (django-axes)."""

    def check_can_authenticate(self):
        super().check_can_authenticate()
        credentials = {"username": self.request.user.get_username()}
        if AxesProxyHandler.is_locked(self.request, credentials):
            raise LockedOut()


class PasskeyRegistrationBeginView(
    AfterAuthenticator, passkey_views.BeginCredentialRegistrationView
):
    """Adding a passkey: its options (challenge, this site, the user's others)."""


class PasskeyRegistrationCompleteView(
    AfterAuthenticator, passkey_views.CompleteCredentialRegistrationView
):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        security_log.info("passkey added", extra={"user_id": self.request.user.pk})
        return response


class PasskeyAuthenticationBeginView(
    NotLockedOut, passkey_views.BeginCredentialAuthenticationView
):
    """The passkey instead of the code after the password: its challenge."""


class PasskeyAuthenticationCompleteView(
    NotLockedOut, passkey_views.CompleteCredentialAuthenticationView
):
    """The passkey's answer: the session gave its second factor (as with a code,
    under a new session key)."""

    def complete_auth(self, device):
        super().complete_auth(device)
        mfa.second_factor_given(self.request)
