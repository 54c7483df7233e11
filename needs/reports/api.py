"""API of the reports: the statistics document."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from needs.models import Need
from needs.reports.forms import StatisticsFilterForm
from tatracker.drf import ERROR_RESPONSES
from tatracker.filters import check_query_parameters

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


def _counts(help_text):
    return serializers.DictField(child=serializers.IntegerField(), help_text=help_text)


def _counts_by(help_text):
    return serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text=help_text,
    )


class ArticleStatisticsSerializer(serializers.Serializer):
    """One article: the note's table for it."""

    article = serializers.IntegerField()
    title = serializers.CharField()
    section = serializers.CharField(allow_blank=True)
    subsection = serializers.CharField(allow_blank=True)
    states = serializers.IntegerField(help_text=_("States with needs here."))
    needs = serializers.IntegerField()
    by_type = _counts(_("Type slug -> States, largest first."))
    coverage = _counts(_("Coverage -> needs."))
    states_by_needs_count = _counts(_('"1" -> States with one need, and so on.'))


class ChapterStatisticsSerializer(serializers.Serializer):
    title = serializers.CharField()
    states = serializers.IntegerField()
    needs = serializers.IntegerField()
    states_by_region = _counts(
        _("Regional group slug -> States; empty when withheld from your role.")
    )
    needs_by_type = _counts(_("Type slug -> needs."))
    articles = ArticleStatisticsSerializer(many=True)
    coverage = _counts(_("Coverage -> needs."))


class CoverageStatisticsSerializer(serializers.Serializer):
    overall = _counts(_("Coverage -> needs."))
    by_chapter = _counts_by(_("Chapter -> coverage -> needs."))
    by_type = _counts_by(_("Type slug -> coverage -> needs."))
    by_region = _counts_by(
        _("Regional group -> coverage -> needs; empty when withheld from your role.")
    )


class StatisticsFiltersSerializer(serializers.Serializer):
    """The filters the document was computed with (only those given)."""

    cycle = serializers.IntegerField(required=False)
    review_year = serializers.IntegerField(required=False)
    regional_group = serializers.CharField(required=False)
    chapter = serializers.CharField(required=False)
    article = serializers.IntegerField(required=False)
    need_type = serializers.CharField(required=False)
    coverage = serializers.ChoiceField(choices=Need.Coverage.choices, required=False)
    as_of = serializers.DateField(required=False)


class StatisticsDocumentSerializer(serializers.Serializer):
    """The statistics document (needs.reports.statistics.StatisticsDocument)."""

    filters = StatisticsFiltersSerializer()
    states_reviewed = serializers.IntegerField()
    reviews = serializers.IntegerField()
    reviews_completed = serializers.IntegerField()
    states_reviewed_by_region = _counts(_("Regional group slug -> States reviewed."))
    states_with_needs = serializers.IntegerField()
    needs = serializers.IntegerField()
    needs_by_type = _counts(_("Type slug -> needs."))
    states_by_type = _counts(_("Type slug -> States."))
    states_by_region = _counts(
        _("Regional group slug -> States with needs; empty when withheld.")
    )
    chapters = serializers.DictField(
        child=ChapterStatisticsSerializer(), help_text=_("Chapter number -> chapter.")
    )
    states_by_needs_count = _counts_by(
        _('Chapter -> "1" -> States with one need, and so on.')
    )
    coverage = CoverageStatisticsSerializer()


class StatisticsView(APIView):
    """The statistics document; the same as `manage.py statistics --format json`."""

    permission_classes = [AllowAny]

    @extend_schema(
        description=DESCRIPTION,
        parameters=STATISTICS_PARAMETERS,
        responses={
            200: StatisticsDocumentSerializer,
            400: OpenApiResponse(
                ERROR_RESPONSES[400].response,
                description=_(
                    "An invalid, empty or unknown parameter, or a filter your role "
                    "may not use, named in `fields`: "
                    '{"regional_group": ["The regional group filter is for the '
                    'secretariat. …"]}.'
                ),
            ),
        },
    )
    def get(self, request):
        check_query_parameters(request, {p.name for p in STATISTICS_PARAMETERS})
        form = StatisticsFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        return Response(form.document().as_dict())
