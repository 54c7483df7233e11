"""REST framework glue: pagination, role permissions, error responses and the one
exception handler."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import (
    APIException,
    PermissionDenied,
)
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.views import exception_handler as drf_exception_handler

from reviews.permissions import has_role, is_secretariat


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class HasRole(BasePermission):
    """Any tatracker role may read; what each sees is the viewset's scoped queryset."""

    message = _("Your account has no tatracker role; ask an administrator.")

    def has_permission(self, request, view):
        return has_role(request.user)


class SecretariatWritesOthersRead(HasRole):
    """Everyone with a role reads (scoped); only the secretariat writes.

    Writes to one record are decided after the record is loaded through the scoped
    queryset, so that a record you may not see is "not found", never "forbidden".
    """

    message = _("Only the secretariat may change these records.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS or view.kwargs.get(view.lookup_field):
            return True
        return is_secretariat(request.user)

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or is_secretariat(request.user)


class ServiceWritesMixin:
    """Create, change and delete through services, never `serializer.save()`.

    The validated values are set on the instance (a new one from `new_instance`);
    the related lists named in `separate_fields` are handed to `save_through` apart.
    A viewset implements `save_through(instance, *, user, **separate)` and
    `delete_through(instance, *, user)` by calling its services.
    """

    separate_fields: tuple[str, ...] = ()

    def new_instance(self):
        return self.get_queryset().model()

    def perform_create(self, serializer):
        self._write(serializer, self.new_instance())

    def perform_update(self, serializer):
        self._write(serializer, serializer.instance)

    def perform_destroy(self, instance):
        self.delete_through(instance, user=self.request.user)

    def _write(self, serializer, instance):
        values = dict(serializer.validated_data)
        separate = {name: values.pop(name, None) for name in self.separate_fields}
        for field, value in values.items():
            setattr(instance, field, value)
        serializer.instance = self.save_through(
            instance, user=self.request.user, **separate
        )


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since you read it.")
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _("Send If-Match with the record's ETag.")
    default_code = "precondition_required"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The change conflicts with another record; reload and retry.")
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
    """Django ValidationError from a model or service becomes HTTP 400; Django's
    PermissionDenied from a service becomes 403 with the service's message; a protected
    deletion or a database integrity race becomes 409; the rest as REST framework
    does it."""
    if isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
        exc = serializers.ValidationError(detail=detail)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict(
            gettext(
                "Other records depend on this one (for instance its needs); "
                "remove or move them first."
            )
        )
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    return drf_exception_handler(exc, context)
