"""REST framework glue: pagination, role permissions, optimistic locking, error
responses and the one exception handler."""

import hashlib
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
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
from rest_framework.response import Response
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

    def __init__(self, detail=None, code=None, *, extra=None):
        super().__init__(detail, code)
        self.extra = extra or {}  # added to the body as they are (not as strings)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _(
        "Send If-Match with the record's ETag (from the GET that you edit) so that "
        "a stale edit cannot overwrite someone else's."
    )
    default_code = "precondition_required"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The change conflicts with another record; reload and retry.")
    default_code = "conflict"


LOCKED_ACTIONS = frozenset({"update", "partial_update", "destroy"})


class OptimisticLockingMixin:
    """Optimistic locking: an `ETag` on every read of one record (304 for a matching
    `If-None-Match`), and `If-Match` required to change or delete it: 428 without,
    412 with the current record when the record changed since.

    The ETag is a digest of the record as the reader sees it (nested items, events
    and links included), so nothing needs a version column, and a change made
    through any door (pages, admin, another service) changes it. The row is locked
    (SELECT … FOR UPDATE) before it is read for the check, so two writers holding
    the same ETag cannot both pass it. A viewset with a version of its own
    overrides `etag_of`.
    """

    def etag_of(self, instance, data=None) -> str:
        """The record's ETag; `data`, when given, is its representation."""
        if data is None:
            data = self.get_serializer(instance).data
        return representation_etag(data)

    def get_object(self):
        if self.action in LOCKED_ACTIONS:
            self._lock_row()
        instance = super().get_object()
        if self.request.method not in SAFE_METHODS:
            self.check_write_allowed(instance)  # 403 comes before 428 and 412
        if self.action in LOCKED_ACTIONS:
            self.check_precondition(instance)
        return instance

    def check_write_allowed(self, instance) -> None:
        """Refuse (PermissionDenied) a write the user may not make to `instance`."""

    def _lock_row(self):
        """Lock the addressed row until the write's transaction ends."""
        lookup = self.lookup_url_kwarg or self.lookup_field
        model = self.get_queryset().model
        rows = model._default_manager.select_for_update().filter(
            **{self.lookup_field: self.kwargs[lookup]}
        )
        list(rows.values_list("pk", flat=True))

    def check_precondition(self, instance) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        if not etag_matches(header, self.etag_of(instance)):
            raise self.stale(instance)

    def stale(self, instance, **extra) -> "PreconditionFailed":
        """412, with the record as it is now and its ETag."""
        data = self.get_serializer(instance).data
        return PreconditionFailed(
            gettext(
                "The record changed since you read it: here it is now, with its "
                "new ETag."
            ),
            extra={"etag": self.etag_of(instance, data), "current": data, **extra},
        )

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.respond_with_etag(instance, self.get_serializer(instance).data)

    def respond_with_etag(self, instance, data, status_code=status.HTTP_200_OK):
        """The record with its ETag; 304 for a GET whose If-None-Match holds it."""
        tag = self.etag_of(instance, data)
        if self.request.method in SAFE_METHODS and tag in parse_etags(
            self.request.headers.get("If-None-Match", "")
        ):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(data, status=status_code)
        response["ETag"] = tag
        return response

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().update(request, *args, **kwargs)
        response["ETag"] = self.etag_of(None, response.data)
        return response

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.has_header("ETag"):
            # The representation, hence its ETag, depends on who reads it.
            patch_vary_headers(response, ["Authorization", "Cookie"])
        return response


def etag_matches(header: str, current: str) -> bool:
    """Whether an If-Match header names `current` (or is `*`)."""
    sent = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in sent or current in sent


def representation_etag(data) -> str:
    """A strong ETag: the digest of a record's representation."""
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


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
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PreconditionFailed):
        response.data.update(exc.extra)
    return response
