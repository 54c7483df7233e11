"""The OpenAPI schema class (drf-spectacular)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from tatracker.drf import ERROR_RESPONSES, WRITE_ERROR_RESPONSES


class AutoSchema(openapi.AutoSchema):
    """Every operation documents the errors it can return, so that the schema is
    complete and a client (or schemathesis) meets no undocumented status."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # 400 everywhere: a control character in the address or the query string is
        # refused before any view (tatracker.middleware), whatever the operation.
        codes = {"400", "401", "403"}
        if "{" in self.path or self._is_list_view():
            codes.add("404")  # no such record, or a page out of range
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            codes |= {"400", "409"}
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ERROR_RESPONSES.get(int(code), WRITE_ERROR_RESPONSES[409]),
                    code,
                    direction=direction,
                )
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    """The API token: a bearer token (the `Token` scheme accepted too)."""

    target_class = "reviews.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "A token from POST /api/v1/token/, sent as `Authorization: Bearer "
                "<token>` (`Authorization: Token <token>` is accepted too). Without "
                "valid credentials the answer is 401 with WWW-Authenticate."
            ),
        }
