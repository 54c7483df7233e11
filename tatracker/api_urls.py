"""Everything under /api/v1/: one router, the statistics, the schema and its docs."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.csp import CSP
from django.utils.translation import gettext
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from needs.api import NeedTypeViewSet, NeedViewSet, ReviewViewSet
from needs.followup.api import (
    ActionPlanViewSet,
    AssistanceViewSet,
    ConsentViewSet,
    DonorMappingView,
    DonorViewSet,
    FollowUpViewSet,
    UnmetNeedViewSet,
)
from needs.reports.api import StatisticsView
from reviews.api import (
    ApiTokenViewSet,
    ArticleViewSet,
    RegionalGroupViewSet,
    ReviewCycleViewSet,
    StatePartyViewSet,
    TokenObtainView,
)

router = DefaultRouter()
router.register("regional-groups", RegionalGroupViewSet, basename="regional-group")
router.register("states", StatePartyViewSet, basename="state")
router.register("cycles", ReviewCycleViewSet, basename="cycle")
router.register("reviews", ReviewViewSet, basename="review")
router.register("articles", ArticleViewSet, basename="article")
router.register("need-types", NeedTypeViewSet, basename="need-type")
router.register("needs", NeedViewSet, basename="need")
router.register("donors", DonorViewSet, basename="donor")
router.register("assistance", AssistanceViewSet, basename="assistance")
router.register("action-plans", ActionPlanViewSet, basename="action-plan")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("consents", ConsentViewSet, basename="consent")
router.register("unmet-needs", UnmetNeedViewSet, basename="unmet-need")
router.register("tokens", ApiTokenViewSet, basename="token")

# Swagger UI sets inline styles; everything else stays as strict as the site's policy.
docs_view = csp_override(
    {
        "default-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:"],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "frame-ancestors": [CSP.NONE],
    }
)(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))

urlpatterns = [
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    path("donor-mapping/", DonorMappingView.as_view(), name="donor-mapping"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_view, name="docs"),
    path("token/", TokenObtainView.as_view(), name="token"),
    *router.urls,
]


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/ answers in JSON, as the API does."""
    body = {"status": 404, "code": "not_found", "detail": gettext("Not found.")}
    return JsonResponse(body, status=404)  # the one error shape (tatracker.drf)


not_found.login_required = False
urlpatterns.append(re_path(r"^[\s\S]*$", not_found))
