"""API of the reviews app: reference data (read-only) and country reviews."""

from rest_framework import viewsets

from reviews import services
from reviews.filtersets import CountryReviewFilterSet, StatePartyFilterSet
from reviews.models import (
    Article,
    CountryReview,
    RegionalGroup,
    ReviewCycle,
    StateParty,
)
from reviews.serializers import (
    ArticleSerializer,
    CountryReviewSerializer,
    RegionalGroupSerializer,
    ReviewCycleSerializer,
    StatePartySerializer,
)
from tatracker.drf import HasRole, SecretariatWritesOthersRead, ServiceWritesMixin


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


class CountryReviewViewSet(ServiceWritesMixin, viewsets.ModelViewSet):
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
