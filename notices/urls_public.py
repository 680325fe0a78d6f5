from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.notice_index, name="index"),
    path("<int:pk>/", views.notice_detail, name="detail"),
]
