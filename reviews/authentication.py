"""API authentication by token.

Apart from tatracker.drf: REST framework imports its authentication classes while
`rest_framework.views` is still loading, so this module imports nothing that needs it.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(authentication.TokenAuthentication):
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

    def authenticate_header(self, request):
        return ", ".join(f'{keyword} realm="api"' for keyword in self.keywords)
