"""API authentication by token, and the revocation of tokens on a password change.

Apart from tatracker.drf: REST framework imports its authentication classes while
`rest_framework.views` is still loading, so this module imports nothing that needs it.
"""

import datetime

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from reviews.models import ApiToken
from reviews.services import api_token_digest, api_tokens_revoke_all

# How stale `last_used_at` may be: refreshing it on every request would be a write
# per request.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`, or `Token <token>` as before.

    First among the authentication classes: REST framework answers a request without
    valid credentials with 401 and the first class's challenge (`WWW-Authenticate`),
    and with 403 when that class has none.
    """

    keyword = "Bearer"  # the scheme the schema documents
    keywords = ("Bearer", "Token")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        schemes = {keyword.lower().encode() for keyword in self.keywords}
        if not parts or parts[0].lower() not in schemes:
            return None  # another scheme (or none): not ours to refuse
        if len(parts) != 2:
            raise AuthenticationFailed(
                _("Send the token as: Authorization: Bearer <token>.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise AuthenticationFailed(_("Invalid token.")) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.select_related("user__account")
            .filter(digest=api_token_digest(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.expires_at <= now:
            raise AuthenticationFailed(
                _("The token has expired; ask for a new one at /api/v1/token/.")
            )
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return (token.user, token)

    def authenticate_header(self, request):
        return ", ".join(f'{keyword} realm="api"' for keyword in self.keywords)


class AccountModelBackend(ModelBackend):
    """Django's ModelBackend, whose user of a session comes with their Account (one
    query, not two: every signed-in request reads the account for the role, the
    scope and the language)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("account")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)


class RevokeApiTokensOnPasswordChange:
    """Not a rule on passwords: Django tells every password validator when a user's
    password changes, whichever way it changes (the password pages, a reset link,
    the admin, `manage.py changepassword`; not a hasher's upgrade at login). That is
    where the user's API tokens are revoked."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke_all(user=user)

    def get_help_text(self) -> str:
        return _("Changing your password revokes your API tokens.")
