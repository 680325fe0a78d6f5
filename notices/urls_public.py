from django.urls import path

from core.pagecache import public_page

from . import views_public as views
from .feeds import NoticeFeed

urlpatterns = [
    path("", views.notice_index, name="index"),
    path("feed/", public_page(NoticeFeed()), name="feed"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/object/", views.objection_create, name="object"),
    path("objections/status/", views.objection_status, name="status"),
    path("objections/receipt/<str:number>/", views.objection_receipt, name="receipt"),
]
