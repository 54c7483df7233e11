"""Forms of the reviews app: a person's account."""

import unicodedata

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reviews.permissions import language_of


def _same_address(first: str, second: str) -> bool:
    """Unicode's caseless match (as Django's own form compares addresses)."""
    return (
        unicodedata.normalize("NFKC", first).casefold()
        == unicodedata.normalize("NFKC", second).casefold()
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's "forgot password" form, for the people tatracker knows.

    A person added with `add_user` has no password until they follow the link they
    were given; once that link has expired, this form sends a new one (Django's form
    would not: it skips unusable passwords). The e-mail is written in the language
    the person chose in their profile, else in the page's.
    """

    def get_users(self, email):
        email_field = get_user_model().get_email_field_name()
        users = get_user_model()._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        return (
            user for user in users if _same_address(email, getattr(user, email_field))
        )

    def send_mail(self, *args, **kwargs):
        context = kwargs.get("context") or args[2]
        language = language_of(context["user"]) or translation.get_language()
        with translation.override(language):
            super().send_mail(*args, **kwargs)


class SecondFactorForm(forms.Form):
    """The code of the second factor: six digits from the authenticator, or one of
    the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The six digits your authenticator app shows, or one of your recovery "
            "codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class EnrolmentForm(forms.Form):
    """Confirms an authenticator: the code it shows for the key just given."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=6,
        min_length=6,
        help_text=_("The six digits your authenticator app shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class RecoveryCodesForm(EnrolmentForm):
    """New recovery codes: the code the authenticator shows now (a recovery code
    will not do)."""
