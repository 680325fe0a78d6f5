from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from .exceptions import DomainError
from .health import broker_status
from .pagecache import public_page
from .params import FilterParams
from .workbench import blocks_for_user


def perform(request, action, *, success: str):
    """Run a service call for a POST view: its refusals become error messages, its success a
    success message. Returns what the service returned, or None if it refused."""
    try:
        result = action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
        return result
    return None


def querystring_without_page(request) -> str:
    """The current filters, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class IdFirstPaginator(Paginator):
    """Loads a page of a queryset in two steps: the page's ids, sorted and sliced in a narrow query,
    then those rows with their joins and annotations. Sorting the whole filtered set with every
    joined column (what slicing the queryset itself asks the database to do) costs more than the
    page it returns. Distinct querysets, values() querysets and lists are paged as Django does.

    `rows(queryset)`, if given, is applied to the second query only: the columns a row shows (joined
    names, `only()`), which the count and the ids do not need."""

    def __init__(self, *args, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows

    def _pages_by_id(self) -> bool:
        queryset = self.object_list
        return (isinstance(queryset, QuerySet) and not queryset.query.distinct
                and queryset._iterable_class is ModelIterable)

    def get_page(self, number):
        # The page's ids and the total in one query; Django's way (a COUNT first) only when the
        # number is no page number, or the page is empty.
        if self._pages_by_id() and not self.orphans and "count" not in self.__dict__:
            try:
                wanted = 1 if number in (None, "") else int(number)  # no number is the first page
            except (TypeError, ValueError):
                wanted = 0
            bottom = (wanted - 1) * self.per_page
            if wanted >= 1 and bottom < 2**31:  # a larger offset is no page, and no database takes it
                found = list(self.object_list.annotate(_paged_total=Window(Count("*")))
                             .values_list("pk", "_paged_total")[bottom:bottom + self.per_page])
                if found:
                    self.__dict__["count"] = found[0][1]
                    return self._page_of([pk for pk, _total in found], wanted, self.object_list)
        return super().get_page(number)

    def page(self, number):
        queryset = self.object_list
        if not self._pages_by_id():
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._page_of(list(queryset.values_list("pk", flat=True)[bottom:top]), number, queryset)

    def _page_of(self, ids, number, queryset):
        queryset = queryset.order_by().filter(pk__in=ids)
        if self.rows is not None:
            queryset = self.rows(queryset)
        rows = {row.pk: row for row in queryset} if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def paginate(request, queryset, per_page: int = 20, *, rows=None):
    return IdFirstPaginator(queryset, per_page, rows=rows).get_page(request.GET.get("page"))


class PortalPermissionMixin(PermissionRequiredMixin):
    """Anonymous visitors go to the login page; signed-in users without the permission get 403."""

    def handle_no_permission(self):
        self.raise_exception = self.request.user.is_authenticated
        return super().handle_no_permission()


class LenientPageMixin:
    """For ListViews: a page number that is not one, or is past the end, shows the nearest page
    (as `paginate()` does) instead of a 404; pages are loaded ids first (IdFirstPaginator)."""

    paginator_class = IdFirstPaginator
    # IdFirstPaginator's `rows`, applied to the page's rows only: `page_rows = staticmethod(f)`.
    page_rows = None

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty(),
            rows=self.page_rows,
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class FilteredListMixin(LenientPageMixin):
    """Keeps the filter parameters in pagination links."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["querystring"] = querystring_without_page(self.request)
        context["filters"] = self.request.GET
        return context


@public_page
def home(request):
    from django.db.models import Count

    from bangs.selectors import home_notices, open_lists, programme_figures

    from . import home as home_registry
    from .models import FormTemplate

    # 通知公告: the lists' publications and corrections (bangs), and what other apps register
    # (the result notices, 公示).
    notices = sorted(home_notices(request.user) + home_registry.notice_rows(request.user),
                     key=lambda row: row["date"], reverse=True)[:8]
    return render(
        request,
        "home.html",
        {
            # Counted in the query: the page needs how many bangs, not the bangs.
            "open_lists": open_lists(request.user).annotate(bang_count=Count("bangs")).order_by("deadline")[:10],
            "figures": programme_figures(request.user),
            "notices": notices,
            "downloads": FormTemplate.objects.all()[:6],
        },
    )


@login_required
def dashboard(request):
    """我的工作台: for each of the user's roles, what waits for them (blocks registered by the apps)."""
    return render(request, "dashboard.html", {"blocks": blocks_for_user(request.user)})


@never_cache
def healthz(request):
    database = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database does not answer
        database = f"error: {exc.__class__.__name__}"
    broker = broker_status()
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database, "broker": broker}, status=status)


@login_required
def calendar_days(request):
    """Staff enter next year's holidays before the calendar package has them."""
    from .forms import CalendarDayForm
    from .models import CalendarDay
    from .services import calendar_day_set

    if not request.user.has_perm("accounts.manage_units"):
        raise PermissionDenied
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        calendar_day_set(by=request.user, **form.cleaned_data)
        messages.success(request, _("已保存。"))
        return redirect("calendar_days")
    year = FilterParams(request).integer("year", label=_("年份"), min_value=1, max_value=9999)
    days = CalendarDay.objects.all()
    if year is not None:
        days = days.filter(date__year=year)
    page = Paginator(days.order_by("date"), 50).get_page(request.GET.get("page"))
    return render(request, "calendar_days.html", {"form": form, "page_obj": page, "filters": request.GET,
                                                  "querystring": urlencode({"year": year}) if year else ""})


@public_page
def downloads(request):
    """下载中心: the official form templates, for anyone."""
    from .models import FormTemplate

    return render(request, "downloads.html", {
        "templates": FormTemplate.objects.all(), "can_manage": request.user.has_perm("accounts.manage_units"),
    })


def download(request, pk: int):
    from django.shortcuts import get_object_or_404

    from .files import file_response
    from .models import FormTemplate

    template = get_object_or_404(FormTemplate, pk=pk)
    return file_response(template.file, template.original_name)


@login_required
def download_edit(request, pk: int | None = None):
    """Staff add a template or replace its file; every change is logged with the file's hash."""
    from django.shortcuts import get_object_or_404

    from .forms import FormTemplateForm
    from .models import FormTemplate
    from .selectors import activity_list_for
    from .services import form_template_save

    if not request.user.has_perm("accounts.manage_units"):
        raise PermissionDenied
    template = get_object_or_404(FormTemplate, pk=pk) if pk else FormTemplate()
    initial = {"title": template.title, "description": template.description, "order": template.order}
    form = FormTemplateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = form_template_save(template=template, title=data["title"], description=data["description"],
                                          order=data["order"], upload=data["upload"], by=request.user)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已保存。"))
            return redirect("downloads")
    return render(request, "download_form.html", {
        "form": form, "template": template, "activity": activity_list_for(template) if template.pk else [],
    })


def bench_floor(request):
    """The benchmark's yardstick (routed only when BENCH_FLOOR is on): one query and base.html with
    an empty body, so a page's rate divided by this one's is the share the framework leaves it."""
    from bangs.models import BangList

    BangList.objects.filter(pk=0).exists()
    return render(request, "base.html")
