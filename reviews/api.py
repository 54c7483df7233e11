"""API of the reviews app: reference data (read-only), country reviews, and one's
API tokens."""

from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews import services
from reviews.filtersets import CountryReviewFilterSet, StatePartyFilterSet
from reviews.models import (
    ApiToken,
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.permissions import can_issue_api_token
from reviews.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenRequestSerializer,
    ApiTokenSerializer,
    ArticleSerializer,
    CountryReviewSerializer,
    RegionalGroupSerializer,
    ReviewCycleSerializer,
    StatePartySerializer,
)
from tatracker.drf import (
    ERROR_RESPONSES,
    HasRole,
    OptimisticLockingMixin,
    SecretariatWritesOthersRead,
    ServiceWritesMixin,
)
from tatracker.throttling import TokenFailures, client_address


class RegionalGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """The five United Nations regional groups."""

    queryset = RegionalGroup.objects.all()
    serializer_class = RegionalGroupSerializer
    permission_classes = [HasRole]
    lookup_field = "slug"
    filterset_fields = []
    ordering_fields = ["display_order", "name"]


class StatePartyViewSet(viewsets.ReadOnlyModelViewSet):
    """States parties you may see (a focal point: their own)."""

    serializer_class = StatePartySerializer
    permission_classes = [HasRole]
    lookup_field = "code"
    filterset_class = StatePartyFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]

    def get_queryset(self):
        return StateParty.objects.visible_to(self.request.user).select_related(
            "regional_group"
        )


class ReviewCycleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ReviewCycle.objects.prefetch_related("chapters")
    serializer_class = ReviewCycleSerializer
    permission_classes = [HasRole]
    lookup_field = "number"
    filterset_fields = []
    ordering_fields = ["number"]


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    """Articles 5-59 of the Convention with the note's section headings."""

    queryset = Article.objects.select_related("chapter")
    serializer_class = ArticleSerializer
    permission_classes = [HasRole]
    lookup_field = "number"
    filterset_fields = {"chapter__number": ["exact"]}
    search_fields = ["title", "section"]
    ordering_fields = ["number"]


class CountryReviewViewSet(
    OptimisticLockingMixin, ServiceWritesMixin, viewsets.ModelViewSet
):
    """Country reviews you may see; the secretariat records and changes them."""

    serializer_class = CountryReviewSerializer
    permission_classes = [SecretariatWritesOthersRead]
    filterset_class = CountryReviewFilterSet
    search_fields = ["state__name", "state__code"]
    ordering_fields = ["completed_on", "cycle_year", "state__name", "id"]
    ordering = ["id"]

    def get_queryset(self):
        return CountryReview.objects.visible_to(self.request.user).select_related(
            "state", "cycle"
        )

    def save_through(self, review, *, user):
        return services.review_save(review=review, user=user)

    def delete_through(self, review, *, user):
        services.review_delete(review=review, user=user)


class TokenObtainView(APIView):
    """Make an API token from a username and password.

    A user may hold several tokens, one per integration (`name`). A token expires
    after the configured number of days (API_TOKEN_DAYS, 30 unless set: see
    `expires_at`), when it is revoked (`DELETE /api/v1/tokens/{id}/` or
    `/api/v1/tokens/current/`), when its user's password changes and when its user
    is deactivated.
    """

    authentication_classes = []  # credentials are in the body; a stale header is moot
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="token_create",
        request=ApiTokenRequestSerializer,
        responses={201: ApiTokenCreatedSerializer, 400: ERROR_RESPONSES[400]},
        auth=[],
    )
    def post(self, request):
        data = ApiTokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        who = {"address": client_address(request), "username": username}
        failures = TokenFailures()
        wait = failures.retry_after(**who)
        if wait is not None:
            raise Throttled(
                wait,
                _(
                    "Too many failed log-ins for this account or from this address; "
                    "try again later (see Retry-After)."
                ),
            )
        user = authenticate(
            request, username=username, password=data.validated_data["password"]
        )
        if user is None:
            failures.record(**who)
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with these credentials.")]}
            )
        if not can_issue_api_token(user) and not services.second_factor_check(
            user=user, code=data.validated_data["code"]
        ):
            failures.record(**who)
            raise serializers.ValidationError(
                {
                    "code": [
                        _(
                            "This account signs in with a second factor: give the "
                            "code your authenticator shows now, or a recovery code."
                        )
                    ]
                }
            )
        token, key = services.api_token_create(
            user=user, name=data.validated_data["name"]
        )
        token.key = key
        return Response(
            ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(description=_("Your tokens, newest first.")),
    destroy=extend_schema(description=_("Revoke one of your tokens.")),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own API tokens (never their keys); another person's are not found."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return ApiToken.objects.visible_to(self.request.user)

    def perform_destroy(self, token):
        services.api_token_revoke(token=token, user=self.request.user)

    def get_extra_action_url_map(self):
        """The browsable API links `current` only for a request made with a token:
        a session has none, and the link would lead to a 404."""
        links = super().get_extra_action_url_map()
        if isinstance(self.request.auth, ApiToken):
            return links
        current = self.reverse_action(self.current.url_name)
        return {name: url for name, url in links.items() if url != current}

    @extend_schema(
        methods=["GET"],
        operation_id="tokens_current_retrieve",
        responses={200: ApiTokenSerializer, **ERROR_RESPONSES},
    )
    @extend_schema(
        methods=["DELETE"],
        operation_id="tokens_current_destroy",
        responses={204: None, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["get", "delete"])
    def current(self, request):
        """The token this request is made with (404 when it is made without one);
        DELETE revokes it."""
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is None:
            raise Http404(_("This request was not made with a token."))
        if request.method == "DELETE":
            services.api_token_revoke(token=token, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(token).data)
