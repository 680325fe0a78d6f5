"""The organiser staff's side of the task books of a list: the online signing ceremony (网上签约)
and the military-order template. The list is loaded through the organiser's scoped selector
(another organiser's list is a 404), then the rules permission is checked (403)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bangs.models import BangList
from bangs.selectors import bang_list_for_organiser
from core.exceptions import DomainError
from core.params import FilterParams
from core.views import paginate, querystring_without_page

from . import content as rules_of
from . import services
from .enums import AWAITING_SIGNATURES, TaskBookState
from .forms_ceremony import PLACEHOLDERS, OrderTemplateForm
from .models import OrderTemplate, SigningParty
from .selectors import confirmed_awards

NO_TASK_BOOK = "none"


def _ceremony_list(request, pk: int) -> BangList:
    bang_list = get_object_or_404(bang_list_for_organiser(request.user), pk=pk)
    if not request.user.has_perm("contracts.ceremony", bang_list):
        raise PermissionDenied
    return bang_list


@login_required
@require_http_methods(["GET", "POST"])
def ceremony(request, pk: int):
    """Every confirmed award of the list with its task book and who has signed it; staff draft the
    missing task books and remind the parties that have not signed."""
    bang_list = _ceremony_list(request, pk)
    if request.method == "POST":
        return _ceremony_action(request, bang_list)
    params = FilterParams(request)
    awards = confirmed_awards(bang_list)
    all_awards = awards
    states = [(NO_TASK_BOOK, _("未生成任务书")), *TaskBookState.choices]
    if state := params.choice("state", label=_("状态"), choices=states):
        if state == NO_TASK_BOOK:
            awards = awards.filter(task_books__isnull=True)
        else:
            awards = awards.filter(task_books__state=state, task_books__amendment__isnull=True)
    if q := params.text("q", max_length=64):
        awards = awards.filter(Q(project_number__icontains=q) | Q(decision__bang__title__icontains=q)
                               | Q(application__lead__name__icontains=q) | Q(route_label__icontains=q))
    page = paginate(request, awards.order_by("project_number", "pk"), 20)
    rows = []
    for award in page:
        task_book = award.current_books[0] if award.current_books else None
        parties = list(task_book.parties.all()) if task_book else []
        rows.append({"award": award, "task_book": task_book, "parties": parties,
                     "signed": sum(1 for p in parties if p.signed), "awaiting": task_book is not None
                     and task_book.state in AWAITING_SIGNATURES})
    undrafted = all_awards.filter(task_books__isnull=True).count()
    unsigned = SigningParty.objects.filter(task_book__award__decision__bang__bang_list=bang_list,
                                           task_book__state__in=AWAITING_SIGNATURES, signed_at__isnull=True).count()
    return render(request, "contracts/ceremony.html", {
        "bang_list": bang_list, "rows": rows, "page_obj": page, "states": states,
        "undrafted": undrafted, "unsigned": unsigned,
        "querystring": querystring_without_page(request), "filters": request.GET,
    })


def _ceremony_action(request, bang_list: BangList):
    action = request.POST.get("action")
    if action == "draft":
        result = services.task_books_draft_for_list(bang_list=bang_list, by=request.user)
        if result.made:
            messages.success(request, _("已生成%(n)d份任务书草稿，并通知了各牵头单位。") % {"n": len(result.made)})
        for award, reason in result.refused:
            messages.error(request, _("%(number)s：%(reason)s") % {"number": award.project_number, "reason": reason})
        if not result.made and not result.refused:
            messages.info(request, _("已确认的立项均已生成任务书，没有需要生成的草稿。"))
    elif action == "remind":
        try:
            sent = services.signing_reminders_for_list(bang_list=bang_list, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if sent:
                messages.success(request, _("已向%(n)d个未签署单位发出提醒。") % {"n": sent})
            else:
                messages.info(request, _("没有需要提醒的单位：未签署的单位均已提醒过（每个单位只提醒一次）。"))
    else:
        messages.error(request, _("未知的操作。"))
    return redirect("contracts:ceremony", pk=bang_list.pk)


# --- the military-order template -----------------------------------------------------------------


def sample_content() -> dict:
    """A made-up project the preview fills the template with."""
    end = timezone.localdate() + datetime.timedelta(days=3 * 365)
    return {
        "project": {"name": _("高推力密度永磁同步直线电机研制（示例）"), "number": "NMKJ-JBGS-2026-001",
                    "end": end.isoformat()},
        "parties": {"lead": {"name": _("某某大学（示例）")}},
        "indicators": [
            {"name": _("推力密度"), "target": "≥ 300", "unit": "kN/m³", "test_method": _("第三方检测机构整机测试")},
            {"name": _("推力波动"), "target": "< 2", "unit": "%", "test_method": ""},
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def order_template(request):
    """Staff edit their organiser's wording of the military order; drafts take it on their next save."""
    user = request.user
    if not user.has_perm("contracts.order_template") or user.organisation_id is None:
        raise PermissionDenied
    organiser = user.organisation
    template = OrderTemplate.objects.filter(organiser=organiser).select_related("updated_by").first()
    initial = ({"body": template.body, "bar_years": template.bar_years} if template is not None
               else {"body": rules_of.DEFAULT_ORDER, "bar_years": settings.MILITARY_ORDER_BAR_YEARS})
    form = OrderTemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    body, years = initial["body"], initial["bar_years"]
    if request.method == "POST":
        if form.is_valid():
            body, years = form.cleaned_data["body"], form.cleaned_data["bar_years"]
            if "preview" in request.POST:
                messages.info(request, _("以下为预览，尚未保存。"))
            else:
                try:
                    services.order_template_save(organiser=organiser, by=user, body=body, bar_years=years)
                except ValidationError as error:
                    for field_name, errors in error.message_dict.items():
                        form.add_error(field_name if field_name in form.fields else None, errors)
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("军令状模板已保存。起草中的任务书在下次保存时采用新文本，已定稿的不受影响。"))
                    return redirect("contracts:order_template")
        if not form.is_valid():
            messages.error(request, _("无法预览，请按提示修改。") if "preview" in request.POST
                           else _("未能保存，请按提示修改。您填写的内容仍在页面上。"))
    return render(request, "contracts/order_template.html", {
        "form": form, "template": template, "placeholders": PLACEHOLDERS, "organiser": organiser,
        "preview": rules_of.order_text(body, sample_content(), years),
        "default_order": rules_of.DEFAULT_ORDER,
    })
