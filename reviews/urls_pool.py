from django.urls import path

from . import views_pool as views

urlpatterns = [
    path("pool/", views.pool_list, name="pool"),
    path("pool/new/", views.pool_edit, name="pool_create"),
    path("pool/import/", views.pool_import, name="pool_import"),
    path("pool/import/template.xlsx", views.pool_template, name="pool_template"),
    path("pool/<int:pk>/", views.pool_detail, name="pool_detail"),
    path("pool/<int:pk>/edit/", views.pool_edit, name="pool_edit"),
    path("pool/<int:pk>/deactivate/", views.pool_deactivate, name="pool_deactivate"),
    path("pool/<int:pk>/reactivate/", views.pool_reactivate, name="pool_reactivate"),
    path("profile/", views.my_profile, name="my_profile"),
    path("profile/conflicts/<int:pk>/withdraw/", views.my_conflict_withdraw, name="my_conflict_withdraw"),
]
