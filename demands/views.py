from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from core.exceptions import DomainError
from core.params import FilterParams, parse_ids
from core.selectors import activity_list_for
from core.views import FilteredListMixin, PortalPermissionMixin, perform

from . import services
from .enums import DemandState
from .exports import demand_queue_workbook
from .forms import DemandForm, RoundForm, ScreeningForm, TechFieldForm, WithdrawForm
from .models import CollectionRound, Demand, TechField
from .pdf import demand_pdf
from .selectors import (
    demand_list_for_user, demand_queue_for_user, demand_queue_rows, demand_screening_reason, queue_filter_options,
)


def _get_demand(request, pk: int, perm: str = "demands.view_demand") -> Demand:
    """Load a demand the user may see (else 404) and check `perm` on it (else 403)."""
    demand = get_object_or_404(demand_list_for_user(request.user), pk=pk)
    if not request.user.has_perm(perm, demand):
        raise PermissionDenied
    return demand


def _filter_demands(qs, params: FilterParams, *, text_fields=("name", "content", "organisation__name")):
    if q := params.text("q"):
        cond = Q()
        for name in text_fields:
            cond |= Q(**{f"{name}__icontains": q})
        qs = qs.filter(cond)
    if state := params.choice("state", label=_("状态"), choices=DemandState.choices):
        qs = qs.filter(state=state)
    if (round_id := params.integer("round", label=_("批次"))) is not None:
        qs = qs.filter(round_id=round_id)
    if (field_id := params.integer("field", label=_("领域"))) is not None:
        qs = qs.filter(field_id=field_id)
    if region := params.matching("region", label=_("地区"), pattern=r"out|[0-9]{4,6}"):
        if region == "out":
            qs = qs.exclude(organisation__region__code__startswith="15")
        else:
            # A 盟市 code matches the city and its 旗县 (same first four digits).
            qs = qs.filter(organisation__region__code__startswith=region[:4])
    return qs


class DemandListView(LoginRequiredMixin, FilteredListMixin, ListView):
    """The enterprise's own demands."""

    template_name = "demands/demand_list.html"
    paginate_by = 20

    def get_queryset(self):
        user = self.request.user
        qs = demand_list_for_user(user).filter(organisation_id=user.organisation_id)
        return _filter_demands(qs, FilterParams(self.request), text_fields=("name", "content"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            states=DemandState.choices, can_add=self.request.user.has_perm("demands.add_demand"), **kwargs
        )


def _prefill_from_user(user) -> dict:
    return {
        "contact_name": user.full_name,
        "contact_title": user.title,
        "contact_mobile": user.mobile,
        "contact_email": user.email,
    }


@login_required
def demand_form(request, pk: int | None = None):
    """Create or edit a draft; the "submit" button saves first, then submits, so nothing is lost."""
    if pk is None:
        if not request.user.has_perm("demands.add_demand"):
            raise PermissionDenied
        demand = Demand(organisation=request.user.organisation)
        round_id = FilterParams(request).integer("round", label=_("征集批次"))
        initial = _prefill_from_user(request.user)
        if round_id is not None:
            initial["round"] = round_id
    else:
        demand = _get_demand(request, pk, "demands.change_demand")
        initial = {}
    form = DemandForm(request.POST or None, instance=demand, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_save_draft(
                demand=demand if demand.pk else None, data=form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(None if field == "__all__" else field, errors)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if "submit" not in request.POST:
                messages.success(request, _("草稿已保存。"))
                return redirect("demands:edit", pk=demand.pk)
            try:
                services.demand_submit(demand=demand, by=request.user)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(None if field == "__all__" or field not in form.fields else field, errors)
                messages.error(request, _("提交未成功，请按提示修改。您填写的内容已保存为草稿。"))
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("demands:detail", pk=demand.pk)
            else:
                messages.success(request, _("需求已提交，请等待审核。"))
                return redirect("demands:detail", pk=demand.pk)
    return render(
        request,
        "demands/demand_form.html",
        {"form": form, "demand": demand, "org": request.user.organisation,
         "screening_reason": demand_screening_reason(demand) if demand.pk else ""},
    )


@login_required
def demand_detail(request, pk: int):
    demand = _get_demand(request, pk)
    can_internal = request.user.has_perm("demands.view_internal_notes", demand)
    activity = list(activity_list_for(demand))
    screening_reason = demand_screening_reason(demand, activity)
    return render(
        request,
        "demands/demand_detail.html",
        {
            "demand": demand,
            "activity": activity,
            "screening_reason": screening_reason,
            "bangs": demand.bangs.exclude(bang_list__state__in=["draft", "withdrawn"]).select_related("bang_list"),
            "opinions": demand.opinions.select_related("expert") if can_internal else [],
            "state_choices": DemandState.choices,
            "show_internal": can_internal,
            "can_edit": request.user.has_perm("demands.change_demand", demand),
            "can_withdraw": request.user.has_perm("demands.withdraw_demand", demand),
            "can_screen": request.user.has_perm("demands.screen_demand", demand),
            "screening_form": ScreeningForm(),
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
@require_POST
def demand_submit(request, pk: int):
    demand = _get_demand(request, pk, "demands.own_demand")
    try:
        services.demand_submit(demand=demand, by=request.user)
    except ValidationError:
        messages.error(request, _("需求填写不完整，请修改后提交。"))
        return redirect("demands:edit", pk=demand.pk) if demand.is_editable else redirect("demands:detail", pk=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("需求已提交，请等待审核。"))
    return redirect("demands:detail", pk=pk)


@login_required
@require_POST
def demand_withdraw(request, pk: int):
    demand = _get_demand(request, pk, "demands.own_demand")
    form = WithdrawForm(request.POST)
    form.is_valid()
    perform(
        request,
        lambda: services.demand_withdraw(demand=demand, by=request.user, reason=form.cleaned_data.get("reason", "")),
        success=_("需求已撤回，可修改后重新提交。"),
    )
    return redirect("demands:detail", pk=pk)


SCREEN_ACTIONS = {
    "accept": (services.demand_accept, _("已审核通过，进入需求库。")),
    "return": (services.demand_return, _("已退回企业修改。")),
    "reject": (services.demand_reject, _("已作不予通过处理。")),
}


@login_required
@require_POST
def demand_screen(request, pk: int):
    demand = _get_demand(request, pk, "demands.decide_demand")
    action = request.POST.get("action")
    if action not in SCREEN_ACTIONS:
        messages.error(request, _("未知的操作。"))
        return redirect("demands:detail", pk=pk)
    form = ScreeningForm(request.POST)
    form.is_valid()
    service, done = SCREEN_ACTIONS[action]
    kwargs = {"internal_note": form.cleaned_data.get("internal_note", "")}
    kwargs["note" if action == "accept" else "reason"] = form.cleaned_data.get("reason", "")
    perform(request, lambda: service(demand=demand, by=request.user, **kwargs), success=done)
    return redirect("demands:detail", pk=pk)


def _queue_params(request):
    """The queue shows demands awaiting screening unless another state (or "all": empty) is chosen."""
    params = request.GET.copy()
    params.setdefault("state", DemandState.SUBMITTED)
    return params


class QueueView(PortalPermissionMixin, FilteredListMixin, ListView):
    """The department's screening queue."""

    permission_required = "demands.view_queue"
    template_name = "demands/demand_queue.html"
    paginate_by = 20
    page_rows = staticmethod(demand_queue_rows)

    def get_queryset(self):
        params = FilterParams(self.request, _queue_params(self.request))
        self.effective_state = params.data["state"]
        return _filter_demands(demand_queue_for_user(self.request.user), params).order_by("submitted_at", "pk")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            states=[(v, label) for v, label in DemandState.choices if v != DemandState.DRAFT],
            effective_state=self.effective_state,
            **queue_filter_options(user),
            department=user.department,
            **kwargs,
        )


@login_required
@require_POST
def queue_bulk_accept(request):
    if not request.user.has_perm("demands.view_queue"):
        raise PermissionDenied
    ids = parse_ids(request.POST.getlist("ids"))
    if not ids:
        messages.warning(request, _("请先勾选要通过的需求。"))
        return redirect("demands:queue")
    demands = demand_queue_for_user(request.user).filter(pk__in=ids)
    accepted, errors = services.demand_bulk_accept(demands=demands, by=request.user)
    if accepted:
        messages.success(request, _("已批量通过%(n)d项需求。") % {"n": len(accepted)})
    for error in errors:
        messages.error(request, error)
    return redirect("demands:queue")


@login_required
def queue_export(request):
    if not request.user.has_perm("demands.view_queue"):
        raise PermissionDenied
    params = FilterParams(request, _queue_params(request), warn=False)
    qs = _filter_demands(demand_queue_for_user(request.user), params).order_by("submitted_at", "pk")
    content = demand_queue_workbook(qs)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"demands-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def demand_print(request, pk: int):
    demand = _get_demand(request, pk)
    return render(request, "pdf/demand.html", {"demand": demand, "for_browser": True})


@login_required
def demand_pdf_download(request, pk: int):
    demand = _get_demand(request, pk)
    response = HttpResponse(demand_pdf(demand), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{demand.number}.pdf"'
    return response


class RoundListView(PortalPermissionMixin, FilteredListMixin, ListView):
    permission_required = "demands.manage_rounds"
    template_name = "demands/round_list.html"
    paginate_by = 20

    def get_queryset(self):
        qs = CollectionRound.objects.prefetch_related("fields").annotate(demand_count=Count("demands"))
        if q := FilterParams(self.request).text("q"):
            qs = qs.filter(title__icontains=q)
        return qs.order_by("-opens_at")

    def get_context_data(self, **kwargs):
        return super().get_context_data(tech_fields=TechField.objects.select_related("department"), **kwargs)


def _reference_edit(request, *, model, form_class, service, pk, list_url, title):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("demands.manage_rounds"):
        raise PermissionDenied
    instance = get_object_or_404(model, pk=pk) if pk else model()
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        service(form.cleaned_data, instance)
        messages.success(request, _("已保存。"))
        return redirect(list_url)
    return render(
        request, "demands/reference_form.html",
        {"form": form, "title": title, "back_url": reverse(list_url),
         "activity": activity_list_for(instance) if instance.pk else []},
    )


def round_edit(request, pk: int | None = None):
    return _reference_edit(
        request, model=CollectionRound, form_class=RoundForm, pk=pk, list_url="demands:round_list",
        title=_("征集批次"),
        service=lambda data, obj: services.round_save(round_=obj, data=dict(data), by=request.user),
    )


def field_edit(request, pk: int | None = None):
    return _reference_edit(
        request, model=TechField, form_class=TechFieldForm, pk=pk, list_url="demands:round_list",
        title=_("技术领域"),
        service=lambda data, obj: services.tech_field_save(field=obj, data=dict(data), by=request.user),
    )
