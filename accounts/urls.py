from django.urls import path

from . import two_factor_views, views

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
    path("staff/users/<int:pk>/reset-two-factor/", views.user_two_factor_reset, name="user_two_factor_reset"),
    path("two-factor/", two_factor_views.two_factor_manage, name="two_factor"),
    path("two-factor/enrol/", two_factor_views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/recovery-codes/", two_factor_views.two_factor_codes, name="two_factor_codes"),
    path("login/code/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("login/recovery/", two_factor_views.two_factor_recovery, name="two_factor_recovery"),
    path("staff/locked-addresses/unlock/", views.address_unlock, name="address_unlock"),
]
