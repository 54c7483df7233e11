from django.urls import path

from needs import views

app_name = "needs"
urlpatterns = [
    path("states/", views.state_list, name="state_list"),
    path("states/<str:code>/", views.state_detail, name="state_detail"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("needs/<int:pk>/history/", views.need_history, name="need_history"),
    path("history/", views.recent_changes, name="recent_changes"),
    path("history/<slug:model>/<int:pk>/", views.record_history, name="record_history"),
    path("reviews/<int:pk>/entry/", views.review_entry, name="review_entry"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/decisions/", views.review_decide, name="review_decide"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("my-state/", views.focal_state, name="focal_state"),
    path("my-state/follow-up/", views.focal_follow_up, name="focal_follow_up"),
]
