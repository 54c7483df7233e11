"""The OpenAPI schema class (drf-spectacular)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from needs.services import NEED_TYPES
from reviews.services import CHAPTERS, CYCLES, REGIONAL_GROUPS
from tatracker.drf import (
    ERROR_RESPONSES,
    LOCKED_ACTIONS,
    WRITE_ERROR_RESPONSES,
    CSVListMixin,
    OptimisticLockingMixin,
)

IF_MATCH = _(
    "The record's ETag from your last read of it (GET). Required: without it the "
    "answer is 428; when the record has changed since, 412 with the record as it "
    "is now and its new ETag, and nothing is changed."
)
IF_MATCH_OR_VERSION = _(
    'The need\'s ETag from your last read of it (GET), `"need-<id>-v<version>"`. '
    "Required to withdraw; to change the need, `version` in the body may stand in "
    "for it. Without either the answer is 428; a stale one is refused with 412, the "
    "need as it is now and what changed."
)
IF_NONE_MATCH = _("An ETag you hold: 304 with no body when the record still has it.")
CSV_LIST = _(
    "JSON, one page at a time; or CSV (`Accept: text/csv` or `format=csv`): every "
    "row the filters select, with the same scope and withheld descriptions."
)
ETAG = _(
    "The record's ETag: send it in If-Match to change or delete the record, or in "
    "If-None-Match to read it only when it changed."
)


# Query parameters that take reference data, typed as exactly as the data allows
# (the lists the reference data is loaded from), wherever they appear.
REFERENCE_PARAMETERS = {
    "regional_group": {"type": "string", "enum": [slug for slug, _ in REGIONAL_GROUPS]},
    "chapter": {"type": "string", "enum": [number for number, *_ in CHAPTERS]},
    "chapter__number": {"type": "string", "enum": [number for number, *_ in CHAPTERS]},
    "need_type": {"type": "string", "enum": [slug for slug, *_ in NEED_TYPES]},
    "cycle": {"type": "integer", "enum": [number for number, *_ in CYCLES]},
    "article": {"type": "integer", "minimum": 5, "maximum": 59},
}


class AutoSchema(openapi.AutoSchema):
    """Every operation documents the errors it can return, so that the schema is
    complete and a client (or schemathesis) meets no undocumented status; records
    under optimistic locking document If-Match (required), ETag and If-None-Match."""

    def _locking(self) -> str | None:
        """'write', 'read' or None: what optimistic locking asks of this operation."""
        if not isinstance(self.view, OptimisticLockingMixin):
            return None
        action = getattr(self.view, "action", None)
        if action in LOCKED_ACTIONS and self.method in {"PUT", "PATCH", "DELETE"}:
            return "write"
        if self.method == "GET" and (action == "retrieve" or "{" in self.path):
            return "read"
        return None

    def _get_parameters(self):
        """Query parameters as the server takes them: reference data with its values,
        and no empty strings (an empty parameter is a 400, tatracker.filters)."""
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] != "query":
                continue
            schema = parameter.setdefault("schema", {})
            if parameter["name"] in REFERENCE_PARAMETERS:
                schema.clear()
                schema.update(REFERENCE_PARAMETERS[parameter["name"]])
            if schema.get("type") == "string" and "enum" not in schema:
                schema["minLength"] = 1
        return parameters

    def get_description(self):
        description = super().get_description()
        if isinstance(self.view, CSVListMixin) and self._is_list_view():
            description = f"{description}\n\n{CSV_LIST}".strip()
        return description

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        locking = self._locking()
        if locking == "write":
            own = getattr(self.view, "if_match_description", None)
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    description=own or IF_MATCH,
                )
            )
        if locking == "read":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description=IF_NONE_MATCH,
                )
            )
        if locking:
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[200, 202],
                    description=ETAG,
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # 400 everywhere: a control character in the address or the query string is
        # refused before any view (tatracker.middleware), whatever the operation.
        # 429 everywhere: the rate limits (tatracker.throttling) apply to every door.
        codes = {"400", "401", "403", "429"}
        if "{" in self.path or self._is_list_view():
            codes.add("404")  # no such record, or a page out of range
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            codes |= {"400", "409"}
        locking = self._locking()
        if locking == "write":
            codes |= {"412", "428"}
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ERROR_RESPONSES.get(int(code))
                    or WRITE_ERROR_RESPONSES.get(int(code))
                    or WRITE_ERROR_RESPONSES[409],
                    code,
                    direction=direction,
                )
        if locking == "read" and "304" not in responses:
            responses["304"] = self._get_response_for_code(
                OpenApiResponse(description=_("Not modified: the ETag still holds.")),
                "304",
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
