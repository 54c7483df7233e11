from django.urls import path

from needs.exchange import views

app_name = "exchange"
urlpatterns = [
    path("import/needs/", views.needs_import, name="needs_import"),
    path(
        "import/needs/preview/",
        views.needs_import_preview,
        name="needs_import_preview",
    ),
]
