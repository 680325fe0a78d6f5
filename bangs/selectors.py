import datetime

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role

from .enums import BangListState
from .models import Bang, BangList, Contact, DemandOpinion, Indicator

# States in which a list has been published (its content is public, within its audience).
PUBLIC_STATES = [
    BangListState.PUBLISHED, BangListState.REVIEWING, BangListState.NOTICED, BangListState.CONCLUDED,
    BangListState.WITHDRAWN,
]
BROWSABLE_STATES = [s for s in PUBLIC_STATES if s != BangListState.WITHDRAWN]


def _audience_q(user) -> Q:
    """Published lists this user may see: open lists, lists it is invited to, lists of its bangs."""
    public = Q(is_targeted=False)
    if user is not None and user.is_authenticated and user.organisation_id:
        org = user.organisation_id
        public |= Q(pk__in=BangList.invited.through.objects.filter(organisation_id=org).values("banglist_id"))
        public |= Q(pk__in=Bang.issuers.through.objects.filter(organisation_id=org).values("bang__bang_list_id"))
    return Q(state__in=PUBLIC_STATES) & public


def bang_list_list_for_user(user) -> QuerySet[BangList]:
    """Every list the user may open: published ones in its audience, and its organiser's own."""
    qs = BangList.objects.select_related("organiser")
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs
    visible = _audience_q(user)
    if user is not None and user.is_authenticated and user.organisation_id and user.has_role(Role.STAFF):
        visible |= Q(organiser_id=user.organisation_id)
    return qs.filter(visible)


def bang_list_browsable(user) -> QuerySet[BangList]:
    """Lists shown in public browsing, the feed and the API (never drafts or withdrawn ones)."""
    return BangList.objects.select_related("organiser").filter(_audience_q(user), state__in=BROWSABLE_STATES)


def bang_list_for_user(user) -> QuerySet[Bang]:
    return Bang.objects.select_related("bang_list__organiser", "field").filter(
        bang_list__in=bang_list_list_for_user(user)
    )


def bang_browse(user) -> QuerySet[Bang]:
    return (
        Bang.objects.filter(bang_list__in=bang_list_browsable(user))
        .select_related("bang_list__organiser", "field")
        .prefetch_related("issuers")
    )


def bang_prefetch() -> list:
    return [
        Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk")),
        "issuers",
    ]


def list_prefetch() -> list:
    return [
        Prefetch(
            "bangs",
            queryset=Bang.objects.select_related("field").prefetch_related(*bang_prefetch()).order_by("number"),
        ),
        Prefetch("contacts", queryset=Contact.objects.order_by("order", "pk")),
    ]


def programme_figures(user=None) -> dict:
    """The home page's figures: every published list (open or closed), its bangs and their
    enterprises' total R&D investment, and how many lists are open now."""
    lists = bang_list_browsable(user)
    bangs = Bang.objects.filter(bang_list__in=lists)
    return {
        "lists": lists.count(),
        "open_lists": open_lists(user).count(),
        "bangs": bangs.count(),
        "investment": bangs.aggregate(total=Sum("total_investment"))["total"] or 0,
    }


def next_public_moment(now: datetime.datetime) -> datetime.datetime | None:
    """The next moment after `now` at which a list opens, or its application or recommendation
    deadline passes (a deadline holds to its last second): when public pages change by themselves."""
    second = datetime.timedelta(seconds=1)
    found = BangList.objects.exclude(state=BangListState.DRAFT).aggregate(
        opens=Min("opens_at", filter=Q(opens_at__gt=now)),
        closes=Min("deadline", filter=Q(deadline__gt=now - second)),
        recommend=Min("recommend_deadline", filter=Q(recommend_deadline__gt=now - second)),
    )
    moments = [found["opens"]] + [
        moment.replace(microsecond=0) + second for moment in (found["closes"], found["recommend"]) if moment
    ]
    moments = [moment for moment in moments if moment is not None and moment > now]
    return min(moments, default=None)


def open_lists(user) -> QuerySet[BangList]:
    now = timezone.now()
    return bang_list_browsable(user).filter(
        state=BangListState.PUBLISHED, opens_at__lte=now, deadline__gte=now.replace(microsecond=0)
    )


def home_notices(user, *, limit: int = 8) -> list[dict]:
    """通知公告 for the home page, newest first: lists published, and their corrections and
    deadline extensions. Two queries, whatever the number of lists."""
    from .models import Amendment

    lists = bang_list_browsable(user)
    published = lists.exclude(published_at__isnull=True).order_by("-published_at").values(
        "pk", "title", "published_at")[:limit]
    amendments = (Amendment.objects.filter(bang_list__in=lists).select_related("bang_list")
                  .order_by("-published_at", "-pk")[:limit])
    rows = [{"kind": _("发布"), "date": row["published_at"], "title": row["title"], "list_id": row["pk"]}
            for row in published]
    rows += [{"kind": _("延期") if a.new_deadline else _("更正"), "date": a.published_at,
              "title": f"{a.bang_list.title}：{a}", "list_id": a.bang_list_id} for a in amendments]
    return sorted(rows, key=lambda row: row["date"], reverse=True)[:limit]


def bang_issuer_q(organisation_id: int) -> Q:
    """Bangs the unit issues, or that were made from its demands."""
    return Q(pk__in=Bang.issuers.through.objects.filter(organisation_id=organisation_id).values("bang_id")) | Q(
        pk__in=Bang.demands.through.objects.filter(demand__organisation_id=organisation_id).values("bang_id")
    )


def bang_list_for_issuer(user) -> QuerySet[Bang]:
    """Published bangs that the user's unit issues or that were made from its demands, newest first."""
    if not user.is_authenticated or not user.organisation_id:
        return Bang.objects.none()
    return (
        Bang.objects.select_related("bang_list")
        .filter(bang_issuer_q(user.organisation_id), bang_list__state__in=BROWSABLE_STATES)
        .order_by("-bang_list__published_at", "bang_list_id", "number")
    )


def demand_opinion_todo_for_user(user) -> QuerySet[DemandOpinion]:
    """The screening opinions the expert has still to give, oldest assignment first."""
    return (
        DemandOpinion.objects.filter(expert_id=user.pk, submitted_at__isnull=True)
        .select_related("demand__organisation")
        .order_by("assigned_at", "pk")
    )


def bang_list_for_organiser(user) -> QuerySet[BangList]:
    """The lists of the user's organiser (every list for a superuser), as on the management page."""
    qs = BangList.objects.select_related("organiser")
    if user.is_superuser:
        return qs
    if not user.organisation_id:
        return qs.none()
    return qs.filter(organiser_id=user.organisation_id)


def bang_list_stage_q(now=None) -> dict[str, Q]:
    """Where a list stands for its organiser: a draft; open (published, deadline not passed); or
    closed (published past its deadline, or in review or public notice), waiting for the next step."""
    now = (now or timezone.now()).replace(microsecond=0)
    return {
        "draft": Q(state=BangListState.DRAFT),
        "open": Q(state=BangListState.PUBLISHED, deadline__gte=now),
        "closed": Q(state=BangListState.PUBLISHED, deadline__lt=now)
        | Q(state__in=[BangListState.REVIEWING, BangListState.NOTICED]),
    }


def bang_list_stage_counts(queryset: QuerySet[BangList], now=None) -> dict[str, int]:
    """How many lists are at each stage of `bang_list_stage_q`, in one query."""
    stages = bang_list_stage_q(now)
    counts = queryset.order_by().aggregate(**{name: Count("pk", filter=q) for name, q in stages.items()})
    return {name: counts[name] or 0 for name in stages}
