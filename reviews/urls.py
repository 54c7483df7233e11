from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("states/", views.state_list, name="state_list"),
    path("states/<str:code>/", views.state_detail, name="state_detail"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
]
