"""API of the reports: the statistics document."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from needs.reports.forms import StatisticsFilterForm
from needs.reports.statistics import compute
from tatracker.drf import ERROR_RESPONSES

STATISTICS_PARAMETERS = [
    OpenApiParameter("cycle", OpenApiTypes.INT, description="Review cycle number."),
    OpenApiParameter("review_year", OpenApiTypes.INT, description="Year of the cycle."),
    OpenApiParameter("regional_group", OpenApiTypes.STR, description="Group slug."),
    OpenApiParameter(
        "chapter", OpenApiTypes.STR, description="Chapter: II, III, IV, V."
    ),
    OpenApiParameter("article", OpenApiTypes.INT, description="Article number (5-59)."),
    OpenApiParameter("need_type", OpenApiTypes.STR, description="Need type slug."),
    OpenApiParameter(
        "coverage",
        OpenApiTypes.STR,
        enum=["not-yet-addressed", "met-in-part", "met-fully"],
    ),
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description="Only reviews completed by this date."
    ),
]


class StatisticsView(APIView):
    """The statistics document; the same as `manage.py statistics --format json`."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=STATISTICS_PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Statistics document"
            ),
            400: ERROR_RESPONSES[400],
        },
    )
    def get(self, request):
        form = StatisticsFilterForm(request.query_params)
        if not form.is_valid():
            return Response(form.errors, status=400)
        return Response(compute(form.to_filter()).as_dict())
