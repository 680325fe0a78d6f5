from django.db.models import Q, QuerySet

from .enums import Role
from .models import JoinRequest, User


def admin_users() -> QuerySet[User]:
    """Who handles accounts: active superusers and holders of the admin role."""
    return User.objects.filter(Q(is_superuser=True) | Q(role_grants__role=Role.ADMIN), is_active=True).distinct()


def staff_users(*, department=None) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True, role_grants__role=Role.STAFF)
    if department is not None:
        qs = qs.filter(department=department)
    return qs.distinct()


def join_request_list_for_user(user: User) -> QuerySet[JoinRequest]:
    qs = JoinRequest.objects.select_related("organisation", "user", "decided_by")
    if user.is_superuser or user.has_role(Role.ADMIN):
        return qs
    return qs.filter(Q(organisation__first_user=user))
