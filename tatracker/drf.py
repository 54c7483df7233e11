"""REST framework glue: pagination, role permissions, optimistic locking, error
responses and the one exception handler."""

import base64
import binascii
import csv
import hashlib
import io
import json
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.http import Http404
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import renderers, serializers, status
from rest_framework.exceptions import (
    APIException,
    NotFound,
    PermissionDenied,
    Throttled,
)
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from reviews.permissions import has_role, is_secretariat
from tatracker.paging import Paginator, count_rows


class Pagination(PageNumberPagination):
    """Pages of 50 (`page_size` up to 500); a page or size that is not a whole
    number in range is a 400 naming it; a page past the last is a 404. A large list's
    count is the database's estimate (`count_estimated`, tatracker.paging)."""

    django_paginator_class = Paginator
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return self._whole_number(raw, self.page_size_query_param, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        return self._whole_number(raw, self.page_query_param, None)

    @staticmethod
    def _whole_number(raw: str, name: str, maximum: int | None) -> int:
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1 or (maximum is not None and number > maximum):
            message = (
                # Translators: %(maximum)s is the largest page size, e.g. 500.
                gettext("A whole number from 1 to %(maximum)s.") % {"maximum": maximum}
                if maximum
                else gettext("A whole number from 1.")
            )
            raise serializers.ValidationError({name: [message]})
        return number

    def counted(self) -> tuple[int, bool]:
        """(count, estimated) of the list just paginated."""
        return self.page.paginator.count, self.page.paginator.count_estimated

    def get_paginated_response(self, data):
        count, estimated = self.counted()
        return Response(
            {
                "count": count,
                "count_estimated": estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = str(COUNT_DESCRIPTION)
        response["properties"] = {
            "count": properties.pop("count"),
            "count_estimated": {
                "type": "boolean",
                "description": str(COUNT_ESTIMATED_DESCRIPTION),
            },
            **properties,
        }
        response["required"] = ["count", "count_estimated", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


COUNT_DESCRIPTION = _(
    "How many records the filters select: exact below 10 000; above, the "
    "database's estimate, rounded to two significant digits (`count_estimated`)."
)
COUNT_ESTIMATED_DESCRIPTION = _(
    "Whether `count` is an estimate (a large list is not counted on every page). "
    "The last page's count is always exact; `next` is null there."
)


class KeysetPagination(Pagination):
    """Pages by cursor (keyset), and by number for clients that ask for one.

    Without `page`, the first page is read from the start and `next` is a cursor
    link (`cursor=`, opaque): each further page is read from where the last one
    ended (`WHERE (ordering, id) > (its last row's)`), as fast a million rows in as
    at the start, and unaffected by rows added or removed before it. `previous` is
    a cursor link back. With `page=N` (and no cursor) the list is paged by number as
    before, its links page numbers; a deep page is slower there, as the database
    skips the rows before it. The ordering (`ordering=`, else the view's) ends with
    `id`, so that rows never tie; a cursor is valid for the ordering that gave it.
    """

    cursor_query_param = "cursor"
    cursor_query_description = _(
        "Where the page starts: a cursor from `next` or `previous` (opaque). Leave "
        "out for the first page; do not combine with `page`."
    )

    def paginate_queryset(self, queryset, request, view=None):
        """The page's rows: as `.values(*view.page_values)` where the view names
        them (the count is taken from the queryset as it is, whose plan holds no
        joins for the values)."""
        self.request = request
        self.keyset = False
        ordering = ordering_of(queryset, view)
        queryset = queryset.order_by(*ordering)
        fields = getattr(view, "page_values", None)
        read = queryset.values(*fields) if fields else queryset
        raw = request.query_params.get(self.cursor_query_param)
        if self.page_query_param in request.query_params:
            if raw is not None:
                raise serializers.ValidationError(
                    {self.cursor_query_param: [gettext("Give a cursor or a page.")]}
                )
            return self._page_by_number(read, queryset, request)
        self.keyset = True
        size = self.get_page_size(request)
        direction, values = ("after", None)
        if raw is not None:
            direction, values = self._decode(raw, ordering)
            try:
                queryset_from = read.filter(beyond(ordering, values, direction))
            except (ValueError, TypeError, DjangoValidationError):
                raise self._invalid_cursor() from None
        else:
            queryset_from = read
        if direction == "before":
            queryset_from = queryset_from.reverse()
        rows = list(queryset_from[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if direction == "before":
            rows.reverse()
        self._links(ordering, rows, direction=direction, started=values, more=more)
        if values is None and not more:  # the whole list on one page
            self.count, self.count_estimated = len(rows), False
        else:
            self.count, self.count_estimated = count_rows(queryset)
        return rows

    def _page_by_number(self, rows, counted, request) -> list:
        """REST framework's page by number, its rows read from `rows` and its
        count taken from `counted`."""
        paginator = Paginator(rows, self.get_page_size(request), count_from=counted)
        number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(number)
        except InvalidPage as error:
            raise NotFound(
                self.invalid_page_message.format(page_number=number, message=error)
            ) from error
        return list(self.page)

    def _links(self, ordering, rows, *, direction, started, more) -> None:
        self.next_cursor = self.previous_cursor = None
        if not rows:
            return
        last, first = row_values(rows[-1], ordering), row_values(rows[0], ordering)
        if direction == "after":
            if more:
                self.next_cursor = encode_cursor(last, ordering=ordering)
            if started is not None:
                self.previous_cursor = encode_cursor(
                    first, ordering=ordering, direction="before"
                )
        else:
            self.next_cursor = encode_cursor(last, ordering=ordering)
            if more:
                self.previous_cursor = encode_cursor(
                    first, ordering=ordering, direction="before"
                )

    def _decode(self, raw: str, ordering: list[str]):
        try:
            return decode_cursor(raw, ordering)
        except ValueError:
            raise self._invalid_cursor() from None

    def _invalid_cursor(self) -> serializers.ValidationError:
        message = gettext(
            "Not a cursor of this list in this order; start again from the first page."
        )
        return serializers.ValidationError({self.cursor_query_param: [message]})

    def counted(self):
        if self.keyset:
            return self.count, self.count_estimated
        return super().counted()

    def _cursor_link(self, cursor):
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self):
        if self.keyset:
            return self._cursor_link(self.next_cursor)
        return super().get_next_link()

    def get_previous_link(self):
        if self.keyset:
            return self._cursor_link(self.previous_cursor)
        return super().get_previous_link()

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(self.cursor_query_description),
                "schema": {"type": "string", "minLength": 1},
            }
        )
        return parameters


def ordering_of(queryset, view=None) -> list[str]:
    """The queryset's ordering as field paths (`-` for descending), ending with
    `id` so that no two rows tie."""
    terms = [t for t in queryset.query.order_by if isinstance(t, str)]
    if not terms:
        terms = list(getattr(view, "ordering", None) or [])
    terms = [t.replace("pk", "id") if t.lstrip("-") == "pk" else t for t in terms]
    if not any(t.lstrip("-") == "id" for t in terms):
        terms.append("id")
    return terms


def row_values(row, ordering: list[str]) -> list:
    """The values of `ordering`'s fields in `row` (a `.values()` dict or a model)."""
    values = []
    for term in ordering:
        path = term.lstrip("-")
        if isinstance(row, dict):
            value = row[path]
        else:
            value = row
            for name in path.split("__"):
                value = getattr(value, name)
        values.append(value)
    return values


def encode_cursor(values: list, *, ordering=("id",), direction="after") -> str:
    """An opaque cursor: the page starts after (or ends before) a row with these
    values of `ordering`'s fields."""
    data = {
        "order": list(ordering),
        direction: [v.isoformat() if hasattr(v, "isoformat") else v for v in values],
    }
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(raw: str, ordering: list[str]) -> tuple[str, list]:
    """(direction, values) of a cursor made for `ordering`; ValueError if not one."""
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        (direction,) = set(data) - {"order"}
        values = data[direction]
        valid = (
            direction in {"after", "before"}
            and data["order"] == list(ordering)
            and isinstance(values, list)
            and len(values) == len(ordering)
        )
    except (ValueError, TypeError, KeyError, binascii.Error):
        valid = False
    if not valid:
        raise ValueError(raw)
    return direction, values


def beyond(ordering: list[str], values: list, direction: str) -> Q:
    """Q for the rows after (or before) the row with `values`, in `ordering`:
    (a, b) > (x, y) as (a > x) OR (a = x AND b > y)."""
    condition = Q()
    for index, term in enumerate(ordering):
        path = term.lstrip("-")
        later = term.startswith("-") == (direction == "before")
        step = Q(**{f"{path}__{'gt' if later else 'lt'}": values[index]})
        for previous, value in zip(ordering[:index], values[:index], strict=True):
            step &= Q(**{previous.lstrip("-"): value})
        condition |= step
    return condition


class CSVRenderer(renderers.BaseRenderer):
    """text/csv, asked with `Accept: text/csv` or `?format=csv`, where a list offers
    it (CSVListMixin streams the rows itself). Anything else that reaches this
    renderer, an error, is written as `key,value` rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["key", "value"])
        for key, value in (data or {}).items():
            writer.writerow(
                [key, value if isinstance(value, str) else json.dumps(value)]
            )
        return buffer.getvalue().encode()


class CSVListMixin:
    """The list also as CSV: every row the filters select (not one page), with the
    same tokens and scope as the JSON. A viewset implements `csv(queryset)`,
    returning the streamed response (needs.exchange.spreadsheets.csv_response,
    which keeps cells from being read as formulas)."""

    def get_renderers(self):
        chosen = super().get_renderers()
        if getattr(self, "action", None) == "list":
            chosen.append(CSVRenderer())
        return chosen

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != CSVRenderer.format:
            return super().list(request, *args, **kwargs)
        return self.csv(self.filter_queryset(self.get_queryset()))


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
        try:
            rows = model._default_manager.select_for_update().filter(
                **{self.lookup_field: self.kwargs[lookup]}
            )
            list(rows.values_list("pk", flat=True))
        except (TypeError, ValueError, DjangoValidationError):
            return  # not an id at all: get_object() answers 404

    def check_precondition(self, instance) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        if not etag_matches(header, self.etag_of(instance)):
            raise self.stale(instance)

    def representation(self, instance) -> dict:
        """The record as a reader gets it."""
        return self.get_serializer(instance).data

    def stale(self, instance, **extra) -> "PreconditionFailed":
        """412, with the record as it is now and its ETag."""
        data = self.representation(instance)
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


NON_FIELD = "non_field_errors"  # messages about the request as a whole


class ErrorSerializer(serializers.Serializer):
    """Every error of the API has this shape, whatever its status."""

    status = serializers.IntegerField(help_text=_("The HTTP status, repeated."))
    code = serializers.CharField(
        help_text=_(
            "What went wrong, for programs: invalid, parse_error, "
            "unsupported_media_type, not_authenticated, authentication_failed, "
            "permission_denied, not_found, method_not_allowed, not_acceptable, "
            "conflict, precondition_failed, precondition_required, throttled."
        )
    )
    detail = serializers.CharField(help_text=_("What went wrong, for people."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_(
            "400 for invalid values only: the messages for each field by its name "
            "(`items.0.rank` inside a list); messages about the request as a whole "
            "under `non_field_errors`."
        ),
    )
    retry_after = serializers.IntegerField(
        required=False, help_text=_("429 only: seconds to wait (also Retry-After).")
    )
    etag = serializers.CharField(
        required=False, help_text=_("412 only: the record's ETag now.")
    )
    current = serializers.DictField(
        required=False, help_text=_("412 only: the record as it is now.")
    )
    current_version = serializers.IntegerField(
        required=False, help_text=_("412 on a need only: its version now.")
    )
    changes = serializers.DictField(
        child=serializers.DictField(),
        required=False,
        help_text=_(
            '412 on a need only: {field: {"yours": …, "now": …}} for each field '
            "changed since the version you edited."
        ),
    )


def _error(description) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERROR_RESPONSES = {
    400: _error(
        _(
            "Invalid: a value in `fields` by its name; a malformed or unknown query "
            "parameter by its name; a control character anywhere in the request."
        )
    ),
    401: _error(_("No credentials, or invalid or expired ones (WWW-Authenticate).")),
    403: _error(_("Authenticated, but not allowed to do this.")),
    404: _error(_("No such record among those you may see (or no such page).")),
    429: _error(_("Too many requests: wait for Retry-After seconds.")),
}
WRITE_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    409: _error(
        _("Conflicts with other records (e.g. a review that still has needs).")
    ),
    412: _error(
        _(
            "Stale: the record changed since the ETag you sent; `current` is the "
            "record now, `etag` its ETag. Nothing was changed."
        )
    ),
    428: _error(_("If-Match is required (on a need, or `version` in the body).")),
}


def field_messages(detail, prefix: str = "") -> dict[str, list[str]]:
    """Validation messages by field path: nested ones as `items.0.rank`, messages
    about the whole (`__all__` from Django, `non_field_errors` from REST framework)
    under NON_FIELD."""
    if isinstance(detail, dict):
        messages: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = NON_FIELD if key in {"__all__", NON_FIELD} else str(key)
            path = f"{prefix}.{name}" if prefix else name
            for field, texts in field_messages(value, path).items():
                messages.setdefault(field, []).extend(texts)
        return messages
    if isinstance(detail, list) and any(isinstance(d, (dict, list)) for d in detail):
        messages = {}
        for index, value in enumerate(detail):
            path = f"{prefix}.{index}" if prefix else str(index)
            for field, texts in field_messages(value, path).items():
                messages.setdefault(field, []).extend(texts)
        return messages
    texts = detail if isinstance(detail, list) else [detail]
    return {prefix or NON_FIELD: [str(text) for text in texts]}


def error_body(status_code: int, code: str, detail: str, **extra) -> dict:
    """The one error shape (ErrorSerializer)."""
    return {"status": status_code, "code": code, "detail": str(detail), **extra}


def _django_to_rest_framework(exc):
    if isinstance(exc, Http404):
        return NotFound(*exc.args)
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {NON_FIELD: exc.messages}
        )
        return serializers.ValidationError(detail=detail)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Conflict(
            gettext(
                "Other records depend on this one (for instance its needs); "
                "remove or move them first."
            )
        )
    if isinstance(exc, IntegrityError):
        return Conflict()
    return exc


def exception_handler(exc, context):
    """Every error in the one shape (ErrorSerializer). Django's ValidationError from a
    model or service becomes 400, its PermissionDenied 403 with the service's
    message; a protected deletion or a database integrity race becomes 409; the rest
    keep REST framework's status and headers (WWW-Authenticate, Retry-After)."""
    exc = _django_to_rest_framework(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, serializers.ValidationError):
        fields = field_messages(exc.detail)
        response.data = error_body(
            response.status_code,
            "invalid",
            gettext("Some values are not valid; see `fields`."),
            fields=fields,
        )
        return response
    detail = exc.detail if isinstance(exc, APIException) else response.data
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    extra = {}
    if isinstance(exc, Throttled) and exc.wait is not None:
        extra["retry_after"] = math.ceil(exc.wait)
    if isinstance(exc, PreconditionFailed):
        extra |= exc.extra
    if isinstance(detail, dict):  # an exception raised with a dict of its own
        extra = {k: v for k, v in detail.items() if k != "detail"} | extra
        detail = detail.get("detail", "")
    response.data = error_body(response.status_code, str(code), detail, **extra)
    return response
