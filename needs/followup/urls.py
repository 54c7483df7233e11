from django.urls import path

from needs.followup import views

app_name = "followup"
urlpatterns = [
    path("follow-up/", views.desk, name="desk"),
    path("follow-up/states/<str:code>/", views.state_follow_up, name="state_follow_up"),
    path("follow-up/donors/", views.donor_mapping, name="donor_mapping"),
    path("follow-up/unmet/", views.unmet_needs, name="unmet_needs"),
    path("follow-up/clusters/", views.clusters, name="clusters"),
    path(
        "follow-up/assistance/<int:pk>/",
        views.assistance_detail,
        name="assistance_detail",
    ),
    path("needs/<int:pk>/coverage/", views.need_coverage, name="need_coverage"),
]
