"""The public side of result notices (issue 11): the notices, their pages, filing an objection by
real name, and reading its status by number and phone. The notice pages, the feed and the API never
show anything about objections or objectors."""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache

from core.exceptions import DomainError
from core.pagecache import public_page
from core.params import FilterParams
from core.views import paginate, querystring_without_page

from . import services
from .enums import NoticeBangState, ObjectorKind
from .forms_public import ObjectionForm, StatusForm
from .models import Objection
from .selectors import notice_detail_qs, notice_public, notice_rows, notice_search

STATUSES = {"running": gettext_lazy("公示中"), "ended": gettext_lazy("已结束")}

# Besides the service's own limit per phone: filings and status look-ups per client address.
IP_FILINGS_PER_HOUR = 10
IP_LOOKUPS_PER_HOUR = 20
RECEIPT_SESSION_KEY = "notices:receipts"


# --- the notices -------------------------------------------------------------------------------


@public_page
def notice_index(request):
    """/notices/: 公示公告, newest first, searched by title or list, running or ended."""
    params = FilterParams(request)
    q = params.text("q")
    status = params.raw("status")
    if status and status not in STATUSES:
        params.ignored(_("状态"))
        status = ""
    qs = notice_search(notice_public(), q=q, status=status)
    page = paginate(request, qs, rows=notice_rows)
    return render(request, "notices/index.html", {
        "page_obj": page, "querystring": querystring_without_page(request), "q": q, "status": status,
        "statuses": STATUSES.items(), "now": timezone.now().replace(microsecond=0), "filters": bool(q or status),
    })


@public_page
def notice_detail(request, pk: int):
    notice = get_object_or_404(notice_detail_qs(), pk=pk)
    entries = list(notice.entries.all())
    running = notice.is_running()
    return render(request, "notices/detail.html", {
        "notice": notice, "entries": entries, "amendments": notice.amendments.all(), "running": running,
        "can_object": running and any(e.state == NoticeBangState.NOTICED for e in entries),
        "states": NoticeBangState,
    })


# --- objections --------------------------------------------------------------------------------


def _ip_key(request, what: str) -> str:
    return f"notices:{what}:{get_client_ip_address(request) or 'unknown'}"


def _ip_count(request, what: str) -> int:
    try:
        return caches["default"].get(_ip_key(request, what), 0)
    except Exception:  # a failing cache throttles nothing, as it caches nothing
        return 0


def _ip_add(request, what: str) -> None:
    cache, key = caches["default"], _ip_key(request, what)
    try:
        if not cache.add(key, 1, timeout=3600):
            cache.incr(key)
    except Exception:
        pass


def mask_id(value: str) -> str:
    """1101**********002X: enough for the objector to recognise, not to reuse."""
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 8 else value


@never_cache
def objection_create(request, pk: int):
    """对本公示提出异议: by real name, within the period (the service checks it to the second)."""
    notice = get_object_or_404(notice_public().select_related("bang_list"), pk=pk)
    entries = list(notice.entries.filter(state=NoticeBangState.NOTICED).order_by("bang__number", "pk"))
    ended = not notice.is_running()
    if request.method == "POST" and (ended or not entries):
        form = ObjectionForm(request.POST, entries=entries)  # what was typed stays on the page
        messages.error(request, _("公示期已于%(end)s结束，不再受理异议。") % {
            "end": timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M:%S")} if ended
            else _("本公示中的技术榜均已处理，不再受理异议。"))
    elif request.method == "POST":
        form = ObjectionForm(request.POST, request.FILES, entries=entries)
        if _ip_count(request, "filings") >= IP_FILINGS_PER_HOUR:
            messages.error(request, _("同一网络地址一小时内最多提交%(n)d份异议，请稍后再试。") % {"n": IP_FILINGS_PER_HOUR})
        elif form.is_valid():
            entry = next(e for e in entries if e.pk == form.cleaned_data["entry"])
            kind = form.cleaned_data["kind"]
            try:
                objection = services.objection_file(
                    entry=entry, kind=kind, data=form.service_data(), grounds=form.cleaned_data["grounds"],
                    evidence=form.cleaned_data["evidence"],
                    letter=form.cleaned_data.get("letter") if kind == ObjectorKind.ORGANISATION else None)
            except ValidationError as error:
                form.add_service_errors(error)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                _ip_add(request, "filings")
                receipts = request.session.get(RECEIPT_SESSION_KEY, [])[-9:]
                request.session[RECEIPT_SESSION_KEY] = [*receipts, objection.pk]
                return redirect("notices:receipt", number=objection.number)
        if request.FILES:
            messages.warning(request, _("出于安全原因，已选择的文件未保留，请重新选择后提交。"))
    else:
        form = ObjectionForm(entries=entries)
        if ended:
            messages.error(request, _("公示期已于%(end)s结束，不再受理异议。") % {
                "end": timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M:%S")})
    return render(request, "notices/object.html", {
        "notice": notice, "form": form, "entries": entries, "ended": ended, "kinds": ObjectorKind,
    })


@never_cache
def objection_receipt(request, number: str):
    """The receipt, to the browser that filed it only (its session holds the objection's id)."""
    objection = get_object_or_404(
        Objection.objects.select_related("entry__notice", "entry__bang").prefetch_related("files"),
        number=number, pk__in=request.session.get(RECEIPT_SESSION_KEY, []))
    return render(request, "notices/receipt.html", {
        "objection": objection, "masked_id": mask_id(objection.id_number),
        "masked_phone": mask_phone(objection.objector_phone), "kinds": ObjectorKind,
    })


@never_cache
def objection_status(request):
    """The objector reads the state and the reply by number and phone; a wrong pair says only 未找到."""
    form = StatusForm(request.POST or None)
    objection = None
    if request.method == "POST":
        if _ip_count(request, "lookups") >= IP_LOOKUPS_PER_HOUR:
            messages.error(request, _("查询过于频繁，请一小时后再试。"))
        elif form.is_valid():
            _ip_add(request, "lookups")
            objection = services.objection_status(form.cleaned_data["number"], form.cleaned_data["phone"])
            if objection is None:
                messages.error(request, _("未找到与该受理编号和联系电话相符的异议，请核对后重新输入。"))
    return render(request, "notices/status.html", {"form": form, "objection": objection})
