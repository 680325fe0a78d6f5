from django.core.cache import caches
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When

from accounts.enums import RegionLevel, Role
from accounts.models import Region
from core.models import ActivityLog
from core.pagecache import current_version
from core.selectors import activity_list_for

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
        # A subquery, not a join: joining the opinions would repeat rows and need a DISTINCT.
        opinions = Demand._meta.get_field("opinions").related_model.objects.filter(expert=user)
        visible |= Q(pk__in=opinions.values("demand_id"))
    if user.is_superuser:
        visible |= ~Q(state=DemandState.DRAFT)
    elif user.has_role(Role.STAFF):
        # The demand pool (需求库) is shared by every organiser; screening stays with the department.
        visible |= Q(state__in=POOLED_STATES)
        if user.department_id:
            visible |= Q(field__department_id=user.department_id) & ~Q(state=DemandState.DRAFT)
    return qs.filter(visible)


def demand_queue_for_user(user) -> QuerySet[Demand]:
    """The screening queue: submitted-or-later demands of the user's department."""
    qs = demand_list_for_user(user).exclude(state=DemandState.DRAFT)
    if not user.is_superuser:
        qs = qs.filter(field__department_id=user.department_id)
    return qs


def demand_queue_rows(queryset: QuerySet[Demand]) -> QuerySet[Demand]:
    """Only what a row of the screening queue shows, as columns of the demand's row: not its long
    texts, nor a unit, region and field object for each (`organisation_name`, `field_name`, and
    `region_name`, `region_level`, `region_parent` for `{% region_label %}`)."""
    return queryset.select_related(None).only("created_at", "name", "state", "submitted_at", "total_investment").annotate(
        organisation_name=F("organisation__name"), field_name=F("field__name"),
        region_name=F("organisation__region__name"), region_level=F("organisation__region__level"),
        region_parent=F("organisation__region__parent__name"),
    )


def queue_filter_options(user) -> dict[str, list[dict]]:
    """The screening queue's filter choices: the rounds, the user's department's fields and the
    cities. Read again only after one of them changes (the public version of core.pagecache goes up
    with every save of a round, a field or a region), not for every page of the queue."""
    key = "queue-options:%d:%s" % (current_version(), "all" if user.is_superuser else user.department_id)
    options = caches["default"].get(key)
    if options is None:
        options = {
            "rounds": list(CollectionRound.objects.order_by("-opens_at").values("pk", "title")),
            "fields": list(field_list_for_queue(user).values("pk", "name")),
            "cities": list(Region.objects.filter(level=RegionLevel.CITY).order_by("code").values("code", "name")),
        }
        caches["default"].set(key, options, 3600)
    return options


def field_list_for_queue(user) -> QuerySet[TechField]:
    qs = TechField.objects.select_related("department")
    return qs if user.is_superuser else qs.filter(department_id=user.department_id)


def round_list_open() -> QuerySet[CollectionRound]:
    return CollectionRound.objects.order_by("-opens_at")


def demand_todo_for_user(user) -> QuerySet[Demand]:
    """The unit's demands that wait for its enterprise: drafts, and returned ones to correct (each
    with `return_reason`, the note of its latest return). Returned ones first, then newest."""
    if not user.has_role(Role.ENTERPRISE) or not user.organisation_id:
        return Demand.objects.none()
    reason = ActivityLog.objects.filter(
        content_type__app_label="demands", content_type__model="demand", object_id=OuterRef("pk"),
        to_state=DemandState.RETURNED,
    ).order_by("-created_at", "-id").values("note")[:1]
    order = Case(When(state=DemandState.RETURNED, then=Value(0)), default=Value(1))
    return (
        demand_list_for_user(user)
        .filter(organisation_id=user.organisation_id, state__in=[DemandState.DRAFT, DemandState.RETURNED])
        .annotate(return_reason=Subquery(reason), todo_order=order)
        .order_by("todo_order", "-updated_at", "-pk")
    )


def demand_state_counts(queryset: QuerySet[Demand], states) -> dict[str, int]:
    """How many of `queryset` are in each of `states`, in one query."""
    counts = queryset.order_by().aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in states}
    )
    return {state: counts[state] or 0 for state in states}


def demand_screening_for_user(user) -> QuerySet[Demand]:
    """Demands of the user's department waiting to be screened, oldest first (the queue's default)."""
    if not user.is_superuser and not user.department_id:
        return Demand.objects.none()
    return demand_queue_for_user(user).filter(state=DemandState.SUBMITTED).order_by("submitted_at", "pk")


def demand_screening_reason(demand: Demand, activity=None) -> str:
    """Why the demand was returned or rejected: the note of the step that put it in that state."""
    if demand.state not in {DemandState.RETURNED, DemandState.REJECTED}:
        return ""
    if activity is None:
        activity = activity_list_for(demand)
    return next((e.note for e in reversed(list(activity)) if e.to_state == demand.state), "")
