"""API of the reports: the statistics document."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from needs.reports.forms import StatisticsFilterForm

EVERYONE = _("Anyone may use it, without an account.")
SECRETARIAT_ONLY = _(
    "Secretariat and administrators only: it selects States by who or when, and two "
    "such selections could be subtracted to give one State's needs. For any other "
    "role (anonymous, no role, focal point, viewer) a request that uses it is "
    "refused with 400 and a message under this parameter's name; it is never "
    "silently ignored."
)


def _described(text, who):
    """A parameter's description: what it is, then who may use it."""
    return format_lazy("{} {}", text, who)


STATISTICS_PARAMETERS = [
    OpenApiParameter(
        "cycle",
        OpenApiTypes.INT,
        description=_described(_("Review cycle number."), EVERYONE),
    ),
    OpenApiParameter(
        "review_year",
        OpenApiTypes.INT,
        description=_described(_("Year of the cycle."), SECRETARIAT_ONLY),
    ),
    OpenApiParameter(
        "regional_group",
        OpenApiTypes.STR,
        description=_described(_("Regional group slug."), SECRETARIAT_ONLY),
    ),
    OpenApiParameter(
        "chapter",
        OpenApiTypes.STR,
        description=_described(_("Chapter: II, III, IV, V."), EVERYONE),
    ),
    OpenApiParameter(
        "article",
        OpenApiTypes.INT,
        description=_described(_("Article number (5-59)."), EVERYONE),
    ),
    OpenApiParameter(
        "need_type",
        OpenApiTypes.STR,
        description=_described(_("Need type slug."), EVERYONE),
    ),
    OpenApiParameter(
        "coverage",
        OpenApiTypes.STR,
        enum=["not-yet-addressed", "met-in-part", "met-fully"],
        description=_described(_("Coverage of the needs."), EVERYONE),
    ),
    OpenApiParameter(
        "as_of",
        OpenApiTypes.DATE,
        description=_described(
            _("Only reviews completed by this date."), SECRETARIAT_ONLY
        ),
    ),
]

DESCRIPTION = _(
    "The published statistics, for every State. Anyone may filter them by what a "
    "need is (cycle, chapter, article, need_type, coverage); the filters that select "
    "States (regional_group, review_year, as_of) are for the secretariat and "
    "administrators. For other roles, a document narrowed by chapter, article, "
    "need_type or coverage has empty regional breakdowns (`states_by_region`, "
    "`chapters.*.states_by_region`, `coverage.by_region`): the note publishes them "
    "per chapter for all States only."
)


class StatisticsView(APIView):
    """The statistics document; the same as `manage.py statistics --format json`."""

    permission_classes = [AllowAny]

    @extend_schema(
        description=DESCRIPTION,
        parameters=STATISTICS_PARAMETERS,
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description=_("Statistics document")
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=_(
                    'Field-level messages: {"field": ["message", …]}. An invalid '
                    "value, or a filter your role may not use: "
                    '{"regional_group": ["The regional group filter is for the '
                    'secretariat. …"]}.'
                ),
            ),
        },
    )
    def get(self, request):
        form = StatisticsFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            return Response(form.errors, status=400)
        return Response(form.document().as_dict())
