from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.files import file_response
from core.forms import formset_rows, upload_error
from core.pagecache import public_page
from core.params import FilterParams, filterset_qs
from core.selectors import activity_list_for
from core.views import paginate, perform, querystring_without_page
from demands.enums import DemandState
from demands.selectors import demand_list_for_user

from . import services
from .enums import BangListState
from .filters import BangFilter, BangListFilter, style_filter_form
from .forms import (
    AmendmentForm,
    AssignExpertsForm,
    BangForm,
    BangListForm,
    ChecklistFormSet,
    ContactFormSet,
    IndicatorFormSet,
    ListFileForm,
    ListWithdrawForm,
    OpinionForm,
)
from .models import Bang, BangList, ChecklistItem, Contact, DemandOpinion, ListFile
from .selectors import (
    bang_browse,
    bang_list_stage_q,
    bang_list_browsable,
    bang_list_for_user,
    bang_list_list_for_user,
    bang_prefetch,
    list_prefetch,
)





# The stages of a list as organiser staff follow it (bangs.selectors.bang_list_stage_q).
LIST_STAGES = [("draft", _("草稿")), ("open", _("已发布未截止")), ("closed", _("已截止待评审"))]

def _require_login(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


# --- public --------------------------------------------------------------------------------


BROWSE_DEFERRED = ("background", "objectives", "field_test", "override_reason", "solver_requirements", "ip_terms",
                   "bang_list__preamble", "bang_list__conditions", "bang_list__process")


@public_page
def browse(request):
    """/bangs/: published lists and their bangs, filtered and searched."""
    bang_filter = BangFilter(request.GET or None, queryset=bang_browse(request.user))
    style_filter_form(bang_filter.form)
    # The rows show titles and figures: the long texts of bangs and lists stay in the database.
    qs = filterset_qs(request, bang_filter).defer(*BROWSE_DEFERRED).order_by(
        "-bang_list__published_at", "bang_list_id", "number")
    page = paginate(request, qs)
    return render(
        request, "bangs/browse.html",
        {"filter": bang_filter, "page_obj": page, "querystring": querystring_without_page(request)},
    )


@public_page
def list_index(request):
    list_filter = BangListFilter(
        request.GET or None,
        queryset=bang_list_browsable(request.user).annotate(bang_count=Count("bangs")).order_by("-published_at"),
    )
    style_filter_form(list_filter.form)
    page = paginate(request, filterset_qs(request, list_filter))
    return render(
        request, "bangs/list_index.html",
        {"filter": list_filter, "page_obj": page, "querystring": querystring_without_page(request)},
    )


def _get_list(request, pk: int) -> BangList:
    return get_object_or_404(bang_list_list_for_user(request.user).prefetch_related(*list_prefetch()), pk=pk)


def bang_contact_groups(bangs) -> list[dict]:
    """The bangs' own contacts, each person once with the numbers of the bangs they answer for:
    a list whose bangs share one contact names that contact once, not once per bang."""
    groups: dict[tuple[str, str, str], dict] = {}
    for bang in bangs:
        if bang.has_contact:
            key = (bang.contact_department, bang.contact_name, bang.contact_phone)
            group = groups.setdefault(key, {"department": key[0], "name": key[1], "phone": key[2], "numbers": []})
            group["numbers"].append(str(bang.number))
    return [dict(group, numbers="、".join(group["numbers"])) for group in groups.values()]


@public_page
def list_detail(request, pk: int):
    bang_list = _get_list(request, pk)
    can_manage = request.user.is_authenticated and request.user.has_perm("bangs.manage_banglist", bang_list)
    bangs = bang_list.bangs.all()
    context = {
        "bang_list": bang_list,
        "bangs": bangs,
        "bang_contacts": bang_contact_groups(bangs),
        "contacts": bang_list.contacts.all(),
        "files": bang_list.files.all(),
        "amendments": bang_list.amendments.all(),
        "checklist": bang_list.checklist.all(),
        "can_manage": can_manage,
    }
    if can_manage:
        context.update(
            activity=activity_list_for(bang_list),
            state_choices=BangListState.choices,
            show_internal=True,
            publication_errors=services.bang_list_publication_errors(bang_list) if bang_list.is_editable else [],
            amendment_form=AmendmentForm(),
            withdraw_form=ListWithdrawForm(),
            file_form=ListFileForm(),
        )
    return render(request, "bangs/list_detail.html", context)


@public_page
def bang_detail(request, pk: int):
    bang = get_object_or_404(bang_list_for_user(request.user).prefetch_related(*bang_prefetch()), pk=pk)
    bang_list = bang.bang_list
    contacts = [c for c in bang_list.contacts.all() if c.applies_to(bang.number)]
    from applications.views import bang_apply_context

    return render(
        request, "bangs/bang_detail.html",
        {
            **bang_apply_context(request, bang),
            "bang": bang, "bang_list": bang_list, "contacts": contacts,
            "can_manage": request.user.is_authenticated and request.user.has_perm("bangs.manage_banglist", bang_list),
            "amendments": bang_list.amendments.all(),
        },
    )


def list_file_download(request, pk: int):
    attached = get_object_or_404(ListFile, pk=pk, bang_list__in=bang_list_list_for_user(request.user))
    # file_response gives the name the extension of the stored content.
    return file_response(attached.file, attached.original_name or attached.title)


# --- organiser staff -----------------------------------------------------------------------


@login_required
def manage(request):
    if not request.user.has_perm("bangs.add_banglist"):
        raise PermissionDenied
    qs = BangList.objects.annotate(bang_count=Count("bangs")).select_related("organiser")
    if not request.user.is_superuser:
        qs = qs.filter(organiser_id=request.user.organisation_id)
    params = FilterParams(request)
    if q := params.text("q"):
        qs = qs.filter(title__icontains=q)
    if state := params.choice("state", label=_("状态"), choices=BangListState.choices):
        qs = qs.filter(state=state)
    # The workbench's stages (open: published and not past its deadline; closed: past it, awaiting review).
    if stage := params.choice("stage", label=_("阶段"), choices=LIST_STAGES):
        qs = qs.filter(bang_list_stage_q()[stage])
    page = paginate(request, qs.order_by("-created_at"))
    return render(
        request, "bangs/manage.html",
        {"page_obj": page, "querystring": querystring_without_page(request), "states": BangListState.choices,
         "stages": LIST_STAGES, "filters": request.GET},
    )


# The application form's wording (applications.views.edit) when a save is refused.
SAVE_REFUSED = gettext_lazy("保存未成功，请按提示修改。您填写的内容仍在页面上。")


def _refused(request, form, *formsets) -> bool:
    """A POST whose form or table forms carry errors: the page says so once at the top, since the
    errors themselves may sit far down the page."""
    return request.method == "POST" and (
        bool(form.errors) or any(f.total_error_count() for f in formsets)
    )


def _list_formsets(request, bang_list: BangList | None):
    checklist_initial = [
        {"kind": c.kind, "title": c.title, "required": c.required, "condition": c.condition}
        for c in (bang_list.checklist.all() if bang_list and bang_list.pk else [])
    ]
    contact_initial = [
        {"purpose": c.purpose, "department": c.department, "name": c.name, "phone": c.phone,
         "bang_numbers": c.bang_numbers}
        for c in (bang_list.contacts.all() if bang_list and bang_list.pk else [])
    ]
    data = request.POST if request.method == "POST" else None
    return (
        ChecklistFormSet(data, initial=checklist_initial, prefix="checklist"),
        ContactFormSet(data, initial=contact_initial, prefix="contacts"),
    )


@login_required
def list_edit(request, pk: int | None = None):
    """Create a draft list, or edit a draft's announcement, checklist and contacts."""
    if pk is None:
        if not request.user.has_perm("bangs.add_banglist"):
            raise PermissionDenied
        bang_list = BangList()
    else:
        bang_list = get_object_or_404(bang_list_list_for_user(request.user), pk=pk)
        if not request.user.has_perm("bangs.change_banglist", bang_list):
            raise PermissionDenied
    form = BangListForm(request.POST or None, instance=bang_list)
    checklist, contacts = _list_formsets(request, bang_list)
    if request.method == "POST" and form.is_valid() and checklist.is_valid() and contacts.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "invited"}
        try:
            if bang_list.pk:
                bang_list = services.bang_list_update(
                    bang_list=bang_list, data=data, invited=form.cleaned_data["invited"], by=request.user
                )
            else:
                bang_list = services.bang_list_create(data=data, invited=form.cleaned_data["invited"], by=request.user)
            if pk is not None or formset_rows(checklist):
                services.bang_list_set_rows(
                    bang_list=bang_list, model=ChecklistItem, rows=formset_rows(checklist), by=request.user
                )
            services.bang_list_set_rows(bang_list=bang_list, model=Contact, rows=formset_rows(contacts), by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("榜单已保存。"))
            return redirect("bangs:list_detail", pk=bang_list.pk)
    if _refused(request, form, checklist, contacts):
        messages.error(request, SAVE_REFUSED)
    return render(
        request, "bangs/list_form.html",
        {"form": form, "checklist": checklist, "contacts": contacts, "bang_list": bang_list},
    )


def _list_action(request, pk: int, perm: str):
    bang_list = get_object_or_404(bang_list_list_for_user(request.user), pk=pk)
    if not request.user.has_perm(perm, bang_list):
        raise PermissionDenied
    return bang_list


@login_required
@require_POST
def list_publish(request, pk: int):
    bang_list = _list_action(request, pk, "bangs.manage_banglist")
    perform(request, lambda: services.bang_list_publish(bang_list=bang_list, by=request.user),
            success=_("榜单已发布。"))
    return redirect("bangs:list_detail", pk=pk)


@login_required
@require_POST
def list_withdraw(request, pk: int):
    bang_list = _list_action(request, pk, "bangs.manage_banglist")
    form = ListWithdrawForm(request.POST)
    form.is_valid()
    perform(
        request,
        lambda: services.bang_list_withdraw(bang_list=bang_list, reason=form.cleaned_data.get("reason", ""),
                                            by=request.user),
        success=_("榜单已撤回。"),
    )
    return redirect("bangs:list_detail", pk=pk)


@login_required
def list_amend(request, pk: int):
    bang_list = _list_action(request, pk, "bangs.manage_banglist")
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bang_list_amend(bang_list=bang_list, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("bangs:list_detail", pk=pk)
        else:
            messages.success(request, _("更正/补充通知已发布。"))
            return redirect("bangs:list_detail", pk=pk)
    return render(request, "bangs/amend_form.html", {"form": form, "bang_list": bang_list})


@login_required
@require_POST
def list_file_upload(request, pk: int):
    """Attach a file to a list; asked for JSON (the page's script), answers with the new file list
    so the page is updated in place."""
    bang_list = _list_action(request, pk, "bangs.manage_banglist")
    form = ListFileForm(request.POST, request.FILES)
    if request.headers.get("Accept", "").startswith("application/json"):
        error = upload_error(form) if not form.is_valid() else None
        if error is None:
            try:
                services.bang_list_file_add(
                    bang_list=bang_list, upload=form.cleaned_data["file"], title=form.cleaned_data["title"],
                    by=request.user,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            except DomainError as exc:
                error = exc.message
        if error:
            return JsonResponse({"ok": False, "error": error}, status=400)
        html = render_to_string("bangs/_list_files.html", {"files": bang_list.files.all()}, request=request)
        return JsonResponse({"ok": True, "message": _("附件已上传。"), "html": html})
    if not form.is_valid():
        messages.error(request, upload_error(form))
        return redirect("bangs:list_detail", pk=pk)
    perform(
        request,
        lambda: services.bang_list_file_add(
            bang_list=bang_list, upload=form.cleaned_data["file"], title=form.cleaned_data["title"], by=request.user
        ),
        success=_("附件已上传。"),
    )
    return redirect("bangs:list_detail", pk=pk)


@login_required
def bang_edit(request, list_pk: int | None = None, pk: int | None = None):
    """Add a bang to a draft list (optionally from ?demands=1,2) or edit one."""
    if pk is not None:
        bang = get_object_or_404(bang_list_for_user(request.user), pk=pk)
        bang_list = bang.bang_list
    else:
        bang_list = get_object_or_404(bang_list_list_for_user(request.user), pk=list_pk)
        bang = Bang(bang_list=bang_list)
    if not request.user.has_perm("bangs.change_banglist", bang_list):
        raise PermissionDenied
    pool = services.bang_pool(request.user)
    initial, indicator_initial = {}, []
    if bang.pk:
        indicator_initial = [
            {"name": i.name, "target": i.target, "unit": i.unit, "test_method": i.test_method}
            for i in bang.indicators.all()
        ]
    else:
        chosen = FilterParams(request).ids("demands", label=_("来源需求"), separator=",")
        seeds = sorted(pool.filter(pk__in=chosen), key=lambda d: chosen.index(d.pk))
        if seeds:
            first = seeds[0]
            initial = {
                "demands": seeds, "title": first.name, "field": first.field,
                "background": "\n\n".join(d.background for d in seeds),
                "objectives": "\n\n".join(d.content for d in seeds), "field_test": first.field_test,
                "period_months": first.period_months, "total_investment": sum(d.total_investment or 0 for d in seeds),
                "solver_requirements": first.solver_requirements, "ip_terms": first.ip_terms,
                "issuers": list({d.organisation for d in seeds}),
            }
    data = request.POST if request.method == "POST" else None
    form = BangForm(data, instance=bang, initial=initial, pool=pool)
    indicators = IndicatorFormSet(data, initial=indicator_initial, prefix="indicators")
    if request.method == "POST" and form.is_valid() and indicators.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in {"demands", "issuers"}}
        try:
            bang = services.bang_save(
                bang_list=bang_list, bang=bang if bang.pk else None, data=values,
                demands=form.cleaned_data["demands"], issuers=form.cleaned_data["issuers"],
                indicators=formset_rows(indicators), by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("技术榜已保存。"))
            return redirect("bangs:list_detail", pk=bang_list.pk)
    if _refused(request, form, indicators):
        messages.error(request, SAVE_REFUSED)
    return render(
        request, "bangs/bang_form.html",
        {"form": form, "indicators": indicators, "bang": bang, "bang_list": bang_list},
    )


# --- demand pool and expert screening --------------------------------------------------------


@login_required
def pool(request):
    """Accepted demands in the pool, with their expert opinions, ready to be condensed."""
    if not request.user.has_perm("demands.view_queue"):
        raise PermissionDenied
    qs = (
        demand_list_for_user(request.user)
        .filter(state__in=[DemandState.ACCEPTED, DemandState.LISTED])
        .prefetch_related(Prefetch("opinions", queryset=DemandOpinion.objects.select_related("expert")))
        .order_by("state", "decided_at", "pk")
    )
    params = FilterParams(request)
    if q := params.text("q"):
        qs = qs.filter(name__icontains=q)
    if state := params.choice("state", label=_("状态"), choices=[DemandState.ACCEPTED, DemandState.LISTED]):
        qs = qs.filter(state=state)
    drafts = BangList.objects.filter(state=BangListState.DRAFT)
    if not request.user.is_superuser:
        drafts = drafts.filter(organiser_id=request.user.organisation_id)
    return render(
        request, "bangs/pool.html",
        {"page_obj": paginate(request, qs), "querystring": querystring_without_page(request), "draft_lists": drafts,
         "filters": request.GET, "available": set(services.bang_pool(request.user).values_list("pk", flat=True))},
    )


@login_required
def condense(request):
    """Pool page form: take the ticked demands to a new bang of the chosen draft list."""
    params = FilterParams(request)
    ids = params.ids("demands", label=_("需求"))
    list_pk = params.integer("list", label=_("榜单"))
    if not ids or list_pk is None:
        messages.warning(request, _("请勾选需求并选择要加入的榜单（草稿）。"))
        return redirect("bangs:pool")
    url = reverse("bangs:bang_create", args=[list_pk])
    return redirect(f"{url}?demands={','.join(map(str, ids))}")


@login_required
def assign_experts(request, demand_pk: int):
    demand = get_object_or_404(demand_list_for_user(request.user), pk=demand_pk)
    if not request.user.has_perm("bangs.assign_experts", demand):
        raise PermissionDenied
    form = AssignExpertsForm(request.POST or None, demand=demand)
    if request.method == "POST" and form.is_valid():
        try:
            services.demand_experts_assign(demand=demand, experts=form.cleaned_data["experts"], by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已指派专家。"))
            return redirect("bangs:assign_experts", demand_pk=demand.pk)
    opinions = demand.opinions.select_related("expert__organisation")
    return render(request, "bangs/assign_experts.html", {"demand": demand, "form": form, "opinions": opinions})


@login_required
def expert_dashboard(request):
    if not request.user.has_perm("bangs.expert_dashboard"):
        raise PermissionDenied
    qs = DemandOpinion.objects.filter(expert=request.user).select_related("demand__organisation", "demand__field")
    params = FilterParams(request)
    if params.choice("pending", label=_("只看待提交"), choices=["0", "1"]) == "1":
        qs = qs.filter(submitted_at__isnull=True)
    if q := params.text("q"):
        qs = qs.filter(demand__name__icontains=q)
    page = paginate(request, qs.order_by("submitted_at", "-assigned_at"))
    return render(
        request, "bangs/expert_dashboard.html",
        {"page_obj": page, "querystring": querystring_without_page(request), "filters": request.GET},
    )


@login_required
def opinion(request, pk: int):
    opinion = get_object_or_404(
        DemandOpinion.objects.select_related("demand__organisation", "demand__field", "demand__round"),
        pk=pk, expert=request.user,
    )
    if not request.user.has_perm("bangs.give_opinion", opinion):
        raise PermissionDenied
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.demand_opinion_submit(
                opinion=opinion, recommend=form.cleaned_data["recommend"], comments=form.cleaned_data["comments"],
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("bangs:expert_dashboard")
        else:
            messages.success(request, _("意见已提交。"))
            return redirect("bangs:expert_dashboard")
    return render(request, "bangs/opinion_form.html", {"opinion": opinion, "demand": opinion.demand, "form": form})
