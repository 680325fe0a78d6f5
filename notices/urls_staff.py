from django.urls import path

from . import views_staff as views

urlpatterns = [
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("responses/<int:pk>/", views.response, name="response"),
]
