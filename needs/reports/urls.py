from django.urls import path

from needs.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("chapters/<str:number>/", views.chapter, name="chapter"),
    path("articles/<int:number>/", views.article, name="article"),
    path("types/", views.types, name="types"),
    path("regions/", views.regions, name="regions"),
    path("distribution/", views.distribution, name="distribution"),
    path("draft-note/", views.draft, name="draft_note"),
    path("editions/", views.edition_list, name="edition_list"),
    path("editions/new/", views.edition_create, name="edition_create"),
    path("editions/<int:pk>/", views.edition_detail, name="edition_detail"),
    path("editions/<int:pk>/edit/", views.edition_edit, name="edition_edit"),
    path("tables/<slug:slug>.csv", views.table_csv, name="table_csv"),
    path("tables/<slug:slug>.xlsx", views.table_xlsx, name="table_xlsx"),
]
