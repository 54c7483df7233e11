from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("language/", views.language_set, name="language_set"),
]
