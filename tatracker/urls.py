from django.contrib import admin
from django.urls import include, path

from needs.views import home
from reviews.urls import passkey_urlpatterns
from reviews.views import PasswordResetConfirmView, PasswordResetView
from tatracker.health import health, metrics, ready

urlpatterns = [
    path("", home, name="home"),
    path("", include("reviews.urls")),
    path(
        "accounts/two-factor/passkeys/",
        include((passkey_urlpatterns, "otp_webauthn")),
    ),
    path("", include("needs.urls")),
    path("", include("needs.followup.urls")),
    path("reports/", include("needs.reports.urls")),
    path("exchange/", include("needs.exchange.urls")),
    # "Forgot password?": Django's password reset by e-mail, with tatracker's form and
    # link (the other steps are Django's views with the templates in registration/).
    path(
        "accounts/password_reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(("tatracker.api_urls", "api"))),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("ready/", ready, name="ready"),
    path("metrics", metrics, name="metrics"),
]
