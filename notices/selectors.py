"""Scoped querysets of notices (issue 11): what the public reads (never anything about objections or
objectors), and what the organiser's staff and the lead unit handle."""

import datetime

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.rules import is_portal_staff
from bangs.selectors import bang_list_for_organiser
from reviews.models import Award

from .enums import ObjectionState
from .models import Notice, NoticeAmendment, NoticeBang, Objection, ResponseRequest


# --- the public side ----------------------------------------------------------------------


def notice_public() -> QuerySet[Notice]:
    """Every published notice, newest first (a notice is public from its publication on)."""
    return Notice.objects.filter(published_at__lte=timezone.now()).order_by("-published_at", "-pk")


def notice_rows(queryset: QuerySet[Notice]) -> QuerySet[Notice]:
    """The columns a row of /notices/ shows: its list's title and how many bangs it notices."""
    return (queryset.select_related("bang_list").only(
        "pk", "title", "published_at", "ends_at", "period_unit", "period_days", "bang_list__title")
        .annotate(entry_count=Count("entries")))


def notice_search(queryset: QuerySet[Notice], *, q: str = "", status: str = "") -> QuerySet[Notice]:
    now = timezone.now().replace(microsecond=0)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(bang_list__title__icontains=q))
    if status == "running":
        queryset = queryset.filter(ends_at__gte=now)
    elif status == "ended":
        queryset = queryset.filter(ends_at__lt=now)
    return queryset


def notice_detail_qs() -> QuerySet[Notice]:
    return notice_public().select_related("bang_list").prefetch_related(
        Prefetch("entries", queryset=NoticeBang.objects.order_by("bang__number", "pk").only(
            "pk", "notice_id", "bang_id", "state", "content", "settled_at")),
        Prefetch("amendments", queryset=NoticeAmendment.objects.order_by("published_at", "pk").only(
            "pk", "notice_id", "title", "body", "published_at")),
    )


def countdown(ends_at: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """"剩余3天5小时" to the end of a period (the last second still counts), or "已结束"."""
    now = (now or timezone.now()).replace(microsecond=0)
    if ends_at is None or now > ends_at:
        return _("公示期已结束")
    left = int((ends_at - now).total_seconds()) + 1
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    if days == 0 and hours == 0:
        return _("剩余%(minutes)d分钟") % {"minutes": max(1, rest // 60)}
    return _("剩余%(days)d天%(hours)d小时") % {"days": days, "hours": hours}


def next_notice_moment(now: datetime.datetime) -> datetime.datetime | None:
    """The next moment a notice period ends (its page stops taking objections), for core.pagecache."""
    second = datetime.timedelta(seconds=1)
    found = Notice.objects.aggregate(ends=Min("ends_at", filter=Q(ends_at__gt=now - second)))["ends"]
    if found is None:
        return None
    moment = found.replace(microsecond=0) + second
    return moment if moment > now else None


def home_notice_rows(user, *, limit: int = 8) -> list[dict]:
    """公示 for the home page's 通知公告: notices and their corrections, newest first, in one query."""
    columns = ("published_at", "kind", "notice_pk", "label", "amendment")
    notices = notice_public().order_by().annotate(
        kind=Value("notice"), notice_pk=F("pk"), label=F("title"), amendment=Value("")).values(*columns)
    amendments = (NoticeAmendment.objects.filter(notice__published_at__lte=timezone.now()).annotate(
        kind=Value("amendment"), notice_pk=F("notice_id"), label=F("notice__title"), amendment=F("title"))
        .order_by().values(*columns))
    rows = notices.union(amendments, all=True).order_by("-published_at")[:limit]
    return [{"kind": _("公示") if row["kind"] == "notice" else _("更正"), "date": row["published_at"],
             "title": row["label"] if row["kind"] == "notice" else f"{row['label']}：{row['amendment']}",
             "url": reverse("notices:detail", args=[row["notice_pk"]])} for row in rows]


# --- staff and the lead unit --------------------------------------------------------------

# Accepted for handling and not decided: the handling deadline runs.
HANDLING = [ObjectionState.ACCEPTED, ObjectionState.INVESTIGATING]


def notices_for_organiser(user) -> QuerySet[Notice]:
    if not is_portal_staff(user):
        return Notice.objects.none()
    return Notice.objects.filter(bang_list__in=bang_list_for_organiser(user)).select_related("bang_list")


def objections_for_organiser(user) -> QuerySet[Objection]:
    """The objections on the notices of the user's organiser (none for anyone but its staff)."""
    if not is_portal_staff(user):
        return Objection.objects.none()
    return Objection.objects.filter(entry__notice__bang_list__in=bang_list_for_organiser(user))


def overdue_q(now=None) -> Q:
    return Q(state__in=HANDLING, handling_deadline__lt=now or timezone.now())


def response_requests_for_lead(user) -> QuerySet[ResponseRequest]:
    """Requests addressed to the user's unit as lead of an award the objection is about."""
    if not (user.is_authenticated and user.organisation_id and user.has_role(Role.APPLICANT)):
        return ResponseRequest.objects.none()
    decisions = Award.objects.filter(application__lead_id=user.organisation_id).values("decision_id")
    return ResponseRequest.objects.filter(objection__entry__decision_id__in=decisions)


def approval_awards_for(user) -> QuerySet[Award]:
    """Confirmed awards (with a project number) the user may print the 立项通知 of."""
    confirmed = Award.objects.filter(project_number__isnull=False)
    if not user.is_authenticated:
        return confirmed.none()
    scope = Q(pk__in=[])
    if is_portal_staff(user):
        scope |= Q(decision__bang__bang_list__in=bang_list_for_organiser(user))
    if user.organisation_id and user.has_role(Role.APPLICANT):
        scope |= Q(application__lead_id=user.organisation_id)
    return confirmed.filter(scope)
