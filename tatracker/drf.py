"""REST framework glue: pagination, error responses and one exception handler."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send If-Match with the record's ETag."
    default_code = "precondition_required"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The change conflicts with another record; reload and retry."
    default_code = "conflict"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(OpenApiTypes.OBJECT, description=description)


ERROR_RESPONSES = {
    400: _error('Field-level messages: {"field": ["message", …]}'),
    401: _error("Not authenticated."),
    403: _error('Authenticated but not allowed: {"detail": …}.'),
    404: _error("No such record among those you may see."),
}
WRITE_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    409: _error("Conflicts with other records (e.g. a review that still has needs)."),
    412: _error("Stale edit: the record changed since the ETag you sent."),
    428: _error("If-Match (or `version`) is required."),
}


def exception_handler(exc, context):
    """Django ValidationError from a model or service becomes HTTP 400; a protected
    deletion or a database integrity race becomes 409; the rest as REST framework
    does it."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
        exc = serializers.ValidationError(detail=detail)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict(
            "Other records depend on this one (for instance its needs); "
            "remove or move them first."
        )
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    return drf_exception_handler(exc, context)
