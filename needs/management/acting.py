"""What the import commands share: the account a command acts as."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext


def acting_user(username: str | None):
    """The active account named `username` (`--as`), else the first superuser."""
    users = get_user_model().objects.filter(is_active=True)
    user = (
        users.filter(username=username).first()
        if username
        else users.filter(is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError(
            # Translators: username is an account's user name.
            gettext("No active account %(username)s; name one with --as.")
            % {"username": username or gettext("(a superuser)")}
        )
    return user
