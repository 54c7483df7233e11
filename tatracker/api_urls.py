"""Everything under /api/v1/: one router and the non-model endpoints."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from needs.api.views import StatisticsView

router = DefaultRouter()

urlpatterns = [
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
]
