from django.urls import path

from . import views

app_name = "notices"

# The pages are being built (issue 11): every name below is a page of its own.
urlpatterns = [
    path("", views.notice_index, name="index"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("responses/<int:pk>/", views.response, name="response"),
]
