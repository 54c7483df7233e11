from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from needs.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("reviews.urls")),
    path("needs/", include("needs.urls")),
    path("reports/", include("needs.report_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(("tatracker.api_urls", "api"))),
    path("admin/", admin.site.urls),
]
