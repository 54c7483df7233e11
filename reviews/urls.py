from django.urls import path
from django.views.i18n import JavaScriptCatalog

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("language/", views.language_set, name="language_set"),
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path(
        "accounts/two-factor/setup/",
        views.two_factor_setup,
        name="two_factor_setup",
    ),
    path(
        "accounts/two-factor/verify/",
        views.two_factor_verify,
        name="two_factor_verify",
    ),
]

# Passkeys: the JSON steps django-otp-webauthn's scripts call, under the URL names
# (namespace "otp_webauthn") its template tags reverse.
passkey_urlpatterns = [
    path(
        "registration/begin/",
        views.PasskeyRegistrationBeginView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        views.PasskeyRegistrationCompleteView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        views.PasskeyAuthenticationBeginView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        views.PasskeyAuthenticationCompleteView.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
