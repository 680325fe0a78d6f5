from django.db.models import Q, QuerySet

from accounts.enums import Role

from .enums import DemandState
from .models import CollectionRound, Demand, TechField


POOLED_STATES = [DemandState.ACCEPTED, DemandState.LISTED]


def demand_list_for_user(user) -> QuerySet[Demand]:
    """The demands `user` may see: its unit's own, or its department's submitted ones (staff)."""
    qs = Demand.objects.select_related("organisation__region__parent", "field__department", "round", "created_by")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    visible = Q(pk__in=[])
    if user.has_role(Role.ENTERPRISE) and user.organisation_id:
        visible |= Q(organisation_id=user.organisation_id)
    if user.has_role(Role.EXPERT):
        visible |= Q(opinions__expert=user)
    if user.is_superuser:
        visible |= ~Q(state=DemandState.DRAFT)
    elif user.has_role(Role.STAFF):
        # The demand pool (需求库) is shared by every organiser; screening stays with the department.
        visible |= Q(state__in=POOLED_STATES)
        if user.department_id:
            visible |= Q(field__department_id=user.department_id) & ~Q(state=DemandState.DRAFT)
    return qs.filter(pk__in=Demand.objects.filter(visible).values("pk"))


def demand_queue_for_user(user) -> QuerySet[Demand]:
    """The screening queue: submitted-or-later demands of the user's department."""
    qs = demand_list_for_user(user).exclude(state=DemandState.DRAFT)
    if not user.is_superuser:
        qs = qs.filter(field__department_id=user.department_id)
    return qs


def field_list_for_queue(user) -> QuerySet[TechField]:
    qs = TechField.objects.select_related("department")
    return qs if user.is_superuser else qs.filter(department_id=user.department_id)


def round_list_open() -> QuerySet[CollectionRound]:
    return CollectionRound.objects.order_by("-opens_at")
