"""API of needs: need types, needs, and the entry workflow of a review.

Viewsets load through `visible_to(user)` and write through `needs.services`.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from needs import selectors, services
from needs.exchange.spreadsheets import csv_response, need_rows
from needs.filtersets import NeedFilterSet
from needs.models import Need, NeedType
from needs.permissions import can_edit_need, sees_entry_workflow
from needs.serializers import (
    NEED_LIST_FIELDS,
    EntryDecisionSerializer,
    EntryStepSerializer,
    NeedSerializer,
    NeedTypeSerializer,
    NeedUpdateSerializer,
    ReturnDecisionSerializer,
    SubmitSerializer,
    need_list_data,
)
from reviews.api import CountryReviewViewSet
from tatracker.drf import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    CSVListMixin,
    CSVRenderer,
    HasRole,
    KeysetPagination,
    OptimisticLockingMixin,
    PreconditionRequired,
    etag_matches,
)
from tatracker.schema import IF_MATCH_OR_VERSION


class NeedTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The nine categories of the self-assessment checklist."""

    queryset = NeedType.objects.prefetch_related("aliases")
    serializer_class = NeedTypeSerializer
    permission_classes = [HasRole]
    lookup_field = "slug"
    filterset_fields = []
    ordering_fields = ["display_order"]


@extend_schema_view(
    list=extend_schema(
        responses={
            (200, "application/json"): NeedSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **ERROR_RESPONSES,
        },
    ),
    retrieve=extend_schema(responses={200: NeedSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: NeedSerializer, **ERROR_RESPONSES}),
    update=extend_schema(responses={200: NeedSerializer, **WRITE_ERROR_RESPONSES}),
    partial_update=extend_schema(
        responses={200: NeedSerializer, **WRITE_ERROR_RESPONSES}
    ),
    destroy=extend_schema(
        responses={204: None, 202: NeedSerializer, **WRITE_ERROR_RESPONSES}
    ),
)
class NeedViewSet(CSVListMixin, OptimisticLockingMixin, viewsets.ModelViewSet):
    """Technical assistance needs you may see.

    A focal point's new or changed needs are drafts until submitted and accepted
    (`POST /reviews/{id}/submit/`); the secretariat's are accepted at once. Address a
    need by id, or by State code, article and type: `/needs/KEN/15/other/`. A need's
    ETag is `"need-<id>-v<version>"`; a change gives `version` in the body or the
    ETag in If-Match.

    Pages: follow `next` (a cursor: as fast a million needs in as at the start), or
    ask `page=N`. `count` is exact up to 10 000 needs and the database's estimate
    above (`count_estimated`); the last page's is exact.
    """

    permission_classes = [HasRole]
    pagination_class = KeysetPagination
    page_values = NEED_LIST_FIELDS  # the list's rows, read as values
    if_match_description = IF_MATCH_OR_VERSION
    filterset_class = NeedFilterSet
    search_fields = ["description", "remaining", "review__state__name"]
    ordering_fields = ["id", "article__number", "updated_at", "created_at", "priority"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.needs_for(self.request.user).select_related("proposal")

    def get_serializer_class(self):
        # By method too: OPTIONS describes PUT with a PUT clone of its request.
        method = getattr(getattr(self, "request", None), "method", None)
        if self.action in {"update", "partial_update"} or method in {"PUT", "PATCH"}:
            return NeedUpdateSerializer
        return NeedSerializer

    def check_write_allowed(self, need) -> None:
        if not can_edit_need(self.request.user, need):
            raise PermissionDenied(_("You cannot change this need now."))

    def etag_of(self, need, data=None) -> str:
        """The version's ETag for those who edit; for a viewer, a digest of what
        they read (it moves with the accepted values, not with every save)."""
        if sees_entry_workflow(self.request.user):
            return etag(need)
        return super().etag_of(need, data)

    def filter_queryset(self, queryset):
        """A viewer's order by time of change is by the accepted values' change
        (`published_workflow`): a proposal's save must not reorder the list."""
        queryset = super().filter_queryset(queryset)
        if sees_entry_workflow(self.request.user):
            return queryset
        terms = [
            term.replace("updated_at", "accepted_changed_at")
            if isinstance(term, str) and term.lstrip("-") == "updated_at"
            else term
            for term in queryset.query.order_by
        ]
        return queryset.order_by(*terms)

    def representation(self, need) -> dict:
        return NeedSerializer(need, context=self.get_serializer_context()).data

    def check_precondition(self, need) -> None:
        """A change is checked by need_update against the version it edits (from
        If-Match or the body's `version`); a withdrawal needs If-Match."""
        if self.action == "destroy":
            super().check_precondition(need)

    def list(self, request, *args, **kwargs):
        """A page of needs, written from values (NeedSerializer's fields)."""
        if request.accepted_renderer.format == CSVRenderer.format:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(need_list_data(page, user=request.user))

    def csv(self, queryset):
        return csv_response("needs.csv", need_rows(queryset))

    def perform_create(self, serializer):
        serializer.instance = services.need_create(
            user=self.request.user, **serializer.validated_data
        )

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        need = self.get_object()
        expected = self.expected_version(need)
        serializer = self.get_serializer(
            need, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("expected_version", None)
        try:
            need = services.need_update(
                need=need, user=request.user, expected_version=expected, **values
            )
        except services.StaleEdit as error:
            changes = {k: {"yours": a, "now": b} for k, (a, b) in error.changes.items()}
            raise self.stale(
                error.current,
                current_version=error.current.version,
                changes=changes,
            ) from error
        return self.respond_with_etag(
            need, NeedSerializer(need, context=self.get_serializer_context()).data
        )

    def expected_version(self, need: Need) -> int:
        """The version the client edits: from If-Match, or the body's `version`."""
        header = self.request.headers.get("If-Match")
        if header:
            if not etag_matches(header, etag(need)):
                raise self.stale(need, current_version=need.version)
            return need.version
        data = self.request.data
        version = data.get("version") if isinstance(data, dict) else None
        if isinstance(version, int) and not isinstance(version, bool):
            return version
        raise PreconditionRequired(
            _(
                "Send If-Match with the need's ETag (or `version` in the body) so "
                "that a stale edit cannot overwrite someone else's."
            )
        )

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            remaining = services.need_withdraw(
                need=self.get_object(), user=request.user
            )
        if remaining is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self.respond_with_etag(
            remaining,
            self.get_serializer(remaining).data,
            status_code=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        operation_id="needs_by_key",
        responses={200: NeedSerializer, 404: ERROR_RESPONSES[404]},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"(?P<state>[A-Za-z0-9-]+)/(?P<article>\d+)/(?P<need_type>[a-z-]+)",
    )
    def by_key(self, request, state, article, need_type, format=None):
        """A need by State code, article number and type slug."""
        need = get_object_or_404(
            self.get_queryset(),
            review__state__code=state.upper(),
            article__number=article,
            need_type__slug=need_type,
        )
        return self.respond_with_etag(
            need, NeedSerializer(need, context=self.get_serializer_context()).data
        )


def etag(need: Need) -> str:
    return f'"need-{need.pk}-v{need.version}"'


class WorkflowMixin:
    """POST /reviews/{id}/submit|accept|return/: the entry workflow of a review."""

    def _step(self, service, **extra):
        review = self.get_object()
        event = service(review=review, user=self.request.user, **extra)
        step = {
            "action": event.action,
            "needs": event.need_count,
            "at": event.at,
            "comment": event.comment,
        }
        return Response(EntryStepSerializer(step).data, status=status.HTTP_201_CREATED)


STEP_RESPONSES = {201: EntryStepSerializer, **WRITE_ERROR_RESPONSES}


class ReviewViewSet(WorkflowMixin, CountryReviewViewSet):
    """Country reviews you may see, and the entry workflow of their needs."""

    def get_permissions(self):
        if self.action in {"submit", "accept", "reject"}:
            return [HasRole()]
        return super().get_permissions()

    @extend_schema(request=SubmitSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the review's drafts to the secretariat (the State's focal point or
        the secretariat); 400 when there is nothing to submit, or when needs the
        secretariat returned have not changed since and `resubmit_unchanged` is
        not true."""
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(
            services.review_submit,
            resubmit_unchanged=data.validated_data["resubmit_unchanged"],
        )

    @extend_schema(request=EntryDecisionSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the submitted needs (secretariat): they count from then on."""
        data = EntryDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(
            services.review_accept, comment=data.validated_data["comment"]
        )

    @extend_schema(request=ReturnDecisionSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="return")
    def reject(self, request, pk=None):
        """Return the submitted needs for revision (secretariat); the comment, saying
        what to revise, is required."""
        data = ReturnDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(
            services.review_return, comment=data.validated_data["comment"]
        )
