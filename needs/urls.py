from django.urls import path

from needs import views

app_name = "needs"
urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("<int:pk>/", views.need_detail, name="need_detail"),
]
