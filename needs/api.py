"""API of needs: need types, needs, and the entry workflow of a review.

Viewsets load through `visible_to(user)` and write through `needs.services`.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from needs import selectors, services
from needs.filtersets import NeedFilterSet
from needs.models import Need, NeedType
from needs.permissions import can_edit_need
from needs.serializers import (
    EntryDecisionSerializer,
    NeedSerializer,
    NeedTypeSerializer,
    NeedUpdateSerializer,
)
from reviews.api import CountryReviewViewSet
from tatracker.drf import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    HasRole,
    PreconditionFailed,
    PreconditionRequired,
)


class NeedTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The nine categories of the self-assessment checklist."""

    queryset = NeedType.objects.prefetch_related("aliases")
    serializer_class = NeedTypeSerializer
    permission_classes = [HasRole]
    lookup_field = "slug"
    filterset_fields = []
    ordering_fields = ["display_order"]


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The need\'s ETag ("need-<id>-v<version>"). Required unless the body '
    "gives `version`; a stale value is refused with 412.",
)


@extend_schema_view(
    list=extend_schema(responses={200: NeedSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: NeedSerializer, **ERROR_RESPONSES}),
    create=extend_schema(responses={201: NeedSerializer, **ERROR_RESPONSES}),
    update=extend_schema(
        parameters=[IF_MATCH],
        responses={200: NeedSerializer, **WRITE_ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH],
        responses={200: NeedSerializer, **WRITE_ERROR_RESPONSES},
    ),
    destroy=extend_schema(
        responses={204: None, 202: NeedSerializer, **ERROR_RESPONSES}
    ),
)
class NeedViewSet(viewsets.ModelViewSet):
    """Technical assistance needs you may see.

    A focal point's new or changed needs are drafts until submitted and accepted
    (`POST /reviews/{id}/submit/`); the secretariat's are accepted at once. Address a
    need by id, or by State code, article and type: `/needs/KEN/15/other/`.
    """

    permission_classes = [HasRole]
    filterset_class = NeedFilterSet
    search_fields = ["description", "remaining", "review__state__name"]
    ordering_fields = ["id", "article__number", "updated_at", "created_at", "priority"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.needs_for(self.request.user).select_related("proposal")

    def get_serializer_class(self):
        if self.action in {"update", "partial_update"}:
            return NeedUpdateSerializer
        return NeedSerializer

    def get_object(self):
        need = super().get_object()
        if self.request.method not in {"GET", "HEAD", "OPTIONS"} and not can_edit_need(
            self.request.user, need
        ):
            raise PermissionDenied(_("You cannot change this need now."))
        return need

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(self.get_object())
        return response

    def perform_create(self, serializer):
        serializer.instance = services.need_create(
            user=self.request.user, **serializer.validated_data
        )

    def update(self, request, *args, **kwargs):
        need = self.get_object()
        expected = expected_version(request, need)
        serializer = self.get_serializer(
            need, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        try:
            need = services.need_update(
                need=need,
                user=request.user,
                expected_version=expected,
                **serializer.validated_data,
            )
        except services.StaleEdit as error:
            raise PreconditionFailed(
                {
                    "detail": str(error),
                    "current_version": error.current.version,
                    "changes": {
                        k: {"yours": a, "now": b} for k, (a, b) in error.changes.items()
                    },
                }
            ) from error
        response = Response(self.get_serializer(need).data)
        response["ETag"] = etag(need)
        return response

    def destroy(self, request, *args, **kwargs):
        remaining = services.need_withdraw(need=self.get_object(), user=request.user)
        if remaining is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(
            self.get_serializer(remaining).data, status=status.HTTP_202_ACCEPTED
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
        response = Response(
            NeedSerializer(need, context=self.get_serializer_context()).data
        )
        response["ETag"] = etag(need)
        return response


def etag(need: Need) -> str:
    return f'"need-{need.pk}-v{need.version}"'


def expected_version(request, need: Need) -> int:
    """The version the client edits: from If-Match, or the body's `version`."""
    header = request.headers.get("If-Match")
    if header:
        if header.strip() not in {etag(need), f"W/{etag(need)}", "*"}:
            raise PreconditionFailed(
                {
                    # Translators: etag is the need's current ETag, e.g.
                    # '"need-12-v3"'.
                    "detail": _("The need changed: its ETag is now %(etag)s.")
                    % {"etag": etag(need)},
                    "current_version": need.version,
                }
            )
        return need.version
    version = request.data.get("version") if hasattr(request.data, "get") else None
    if isinstance(version, int) and not isinstance(version, bool):
        return version
    raise PreconditionRequired(
        _(
            "Send If-Match with the need's ETag (or `version` in the body) so that a "
            "stale edit cannot overwrite someone else's."
        )
    )


class WorkflowMixin:
    """POST /reviews/{id}/submit|accept|return/: the entry workflow of a review."""

    def _step(self, service, **extra):
        review = self.get_object()
        event = service(review=review, user=self.request.user, **extra)
        return Response(
            {
                "action": event.action,
                "needs": event.need_count,
                "at": event.at,
                "comment": event.comment,
            },
            status=status.HTTP_201_CREATED,
        )


STEP_RESPONSES = {201: OpenApiResponse(OpenApiTypes.OBJECT), **ERROR_RESPONSES}


class ReviewViewSet(WorkflowMixin, CountryReviewViewSet):
    """Country reviews you may see, and the entry workflow of their needs."""

    def get_permissions(self):
        if self.action in {"submit", "accept", "reject"}:
            return [HasRole()]
        return super().get_permissions()

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the review's drafts to the secretariat."""
        return self._step(services.review_submit)

    @extend_schema(request=EntryDecisionSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the submitted needs (secretariat)."""
        data = EntryDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(
            services.review_accept, comment=data.validated_data["comment"]
        )

    @extend_schema(request=EntryDecisionSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="return")
    def reject(self, request, pk=None):
        """Return the submitted needs for revision, with a comment (secretariat)."""
        data = EntryDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(
            services.review_return, comment=data.validated_data["comment"]
        )
