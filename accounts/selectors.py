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


def unit_flags(credit_codes) -> dict[str, str]:
    """For units named by credit code in a snapshot: "placeholder" (typed in, not registered) or
    "unverified" (registered, not yet checked by staff). Verified units are left out. One query."""
    from .models import Organisation

    codes = {code for code in credit_codes if code}
    if not codes:
        return {}
    rows = Organisation.objects.filter(credit_code__in=codes).filter(
        Q(is_placeholder=True) | Q(is_verified=False)).values_list("credit_code", "is_placeholder")
    return {code: "placeholder" if placeholder else "unverified" for code, placeholder in rows}
