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
    path("import/iati/", views.iati_import, name="iati_import"),
    path(
        "import/iati/preview/",
        views.iati_import_preview,
        name="iati_import_preview",
    ),
    path("export/assistance.xml", views.assistance_iati, name="assistance_iati"),
]
