from django.urls import path

from core.pagecache import public_page

from . import views
from .feeds import BangListFeed

app_name = "bangs"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("feed/", public_page(BangListFeed()), name="feed"),
    path("lists/", views.list_index, name="list_index"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/edit/", views.list_edit, name="list_edit"),
    path("lists/<int:pk>/publish/", views.list_publish, name="list_publish"),
    path("lists/<int:pk>/withdraw/", views.list_withdraw, name="list_withdraw"),
    path("lists/<int:pk>/amend/", views.list_amend, name="list_amend"),
    path("lists/<int:pk>/files/", views.list_file_upload, name="list_file_upload"),
    path("lists/<int:list_pk>/bangs/new/", views.bang_edit, name="bang_create"),
    path("files/<int:pk>/", views.list_file_download, name="file"),
    path("<int:pk>/", views.bang_detail, name="bang_detail"),
    path("<int:pk>/edit/", views.bang_edit, name="bang_edit"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.list_edit, name="list_create"),
    path("pool/", views.pool, name="pool"),
    path("pool/condense/", views.condense, name="condense"),
    path("pool/<int:demand_pk>/experts/", views.assign_experts, name="assign_experts"),
    path("expert/", views.expert_dashboard, name="expert_dashboard"),
    path("opinions/<int:pk>/", views.opinion, name="opinion"),
]
