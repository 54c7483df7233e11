from django.urls import path

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
