from django.urls import path

from needs import followup_views, views

app_name = "needs"
urlpatterns = [
    path("needs/", views.need_list, name="need_list"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("needs/<int:pk>/history/", views.need_history, name="need_history"),
    path("history/", views.recent_changes, name="recent_changes"),
    path("history/<slug:model>/<int:pk>/", views.record_history, name="record_history"),
    path("reviews/<int:pk>/entry/", views.review_entry, name="review_entry"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/accept/", views.review_accept, name="review_accept"),
    path("reviews/<int:pk>/return/", views.review_return, name="review_return"),
    path("my-state/", views.focal_state, name="focal_state"),
    path("my-state/follow-up/", views.focal_follow_up, name="focal_follow_up"),
]

urlpatterns += [
    path("follow-up/", followup_views.desk, name="desk"),
    path(
        "follow-up/states/<str:code>/",
        followup_views.state_follow_up,
        name="state_follow_up",
    ),
    path("follow-up/donors/", followup_views.donor_mapping, name="donor_mapping"),
    path("follow-up/unmet/", followup_views.unmet_needs, name="unmet_needs"),
    path("follow-up/clusters/", followup_views.clusters, name="clusters"),
    path(
        "follow-up/assistance/<int:pk>/",
        followup_views.assistance_detail,
        name="assistance_detail",
    ),
    path(
        "needs/<int:pk>/coverage/", followup_views.need_coverage, name="need_coverage"
    ),
]
