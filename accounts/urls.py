from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("unit/", views.unit_detail, name="unit"),
    path("join-requests/", views.JoinRequestListView.as_view(), name="join_requests"),
    path("join-requests/<int:pk>/decide/", views.join_request_decide, name="join_request_decide"),
    path("staff/units/", views.UnitListView.as_view(), name="unit_list"),
    path("staff/units/<int:pk>/", views.unit_manage, name="unit_manage"),
    path("staff/users/", views.UserListView.as_view(), name="user_list"),
    path("staff/users/new/", views.user_edit, name="user_create"),
    path("staff/users/<int:pk>/", views.user_edit, name="user_edit"),
    path("staff/users/<int:pk>/reset-password/", views.user_password_reset, name="user_password_reset"),
    path("staff/users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("staff/locked-addresses/unlock/", views.address_unlock, name="address_unlock"),
]
