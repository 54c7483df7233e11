from django.contrib import admin
from django.urls import include, path

from needs.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("reviews.urls")),
    path("", include("needs.urls")),
    path("", include("needs.followup.urls")),
    path("reports/", include("needs.reports.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(("tatracker.api_urls", "api"))),
    path("admin/", admin.site.urls),
]
