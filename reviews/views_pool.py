"""The expert pool (专家库) pages: staff keep the pool, experts keep their own profile."""

import io

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.enums import RegionLevel
from accounts.models import Region
from core.exceptions import DomainError
from core.params import FilterParams
from core.selectors import activity_list_for
from core.views import paginate, perform, querystring_without_page
from demands.models import TechField

from . import importer, pool
from .forms_pool import (
    ConflictForm,
    DeactivateForm,
    ExpertAccountForm,
    ImportForm,
    ProfileForm,
)
from .models import ExpertProfile

REGION_CHOICES = [("in", gettext_lazy("区内")), ("out", gettext_lazy("区外"))]
ACTIVE_CHOICES = [("1", gettext_lazy("在库")), ("0", gettext_lazy("已停用"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request, perm: str):
    """None if the user may go on; a redirect to the login page for a visitor; 403 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return None


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- staff -------------------------------------------------------------------------------------


def pool_list(request):
    if (denied := _require(request, "reviews.manage_pool")) is not None:
        return denied
    params = FilterParams(request)
    fields = list(TechField.objects.all())
    cities = list(Region.objects.filter(level=RegionLevel.CITY).order_by("code"))
    field_id = params.integer("field", label=_("技术领域"))
    field = next((f for f in fields if f.pk == field_id), None)
    if field_id is not None and field is None:
        params.ignored(_("技术领域"))
    city_code = params.choice("city", label=_("盟市"), choices=[c.code for c in cities])
    active = params.choice("active", label=_("状态"), choices=ACTIVE_CHOICES)
    experts = pool.pool_search(
        q=params.text("q"), field=field, region=params.choice("region", label=_("区内/区外"), choices=REGION_CHOICES),
        city_code=city_code, active=None if active is None else active == "1",
    )
    return render(request, "reviews/pool/pool_list.html", {
        # The page's ids are sorted without joins; only the page's rows are joined and prefetched.
        "page_obj": paginate(request, experts.select_related(None).prefetch_related(None),
                             rows=lambda qs: qs.select_related("user", "unit__region__parent")
                             .prefetch_related(pool.FIELDS_PREFETCH)),
        "querystring": querystring_without_page(request), "filters": request.GET,
        "fields": fields, "cities": cities, "region_choices": REGION_CHOICES, "active_choices": ACTIVE_CHOICES,
    })


def _profile_for_staff(request, pk: int) -> ExpertProfile:
    return get_object_or_404(pool.pool_experts().prefetch_related("conflicts"), pk=pk)


def pool_detail(request, pk: int):
    if (denied := _require(request, "reviews.manage_pool")) is not None:
        return denied
    profile = _profile_for_staff(request, pk)
    return render(request, "reviews/pool/pool_detail.html", {
        "profile": profile, "deactivate_form": DeactivateForm(), "activity": activity_list_for(profile),
    })


def pool_edit(request, pk: int | None = None):
    """Create an expert (a new account with its profile) or edit one."""
    if (denied := _require(request, "reviews.manage_pool")) is not None:
        return denied
    profile = _profile_for_staff(request, pk) if pk else None
    data = request.POST if request.method == "POST" else None
    # Prefixed: the account's e-mail and the profile's contact e-mail are two fields.
    account_form = ExpertAccountForm(data, prefix="account", editing=profile is not None,
                                     initial={"full_name": profile.user.full_name} if profile else None)
    form = ProfileForm(data, instance=profile)
    if request.method == "POST" and account_form.is_valid() and form.is_valid():
        try:
            if profile is not None:
                pool.expert_update(profile=profile, data=form.profile_data(), account=account_form.cleaned_data,
                                   by=request.user)
                messages.success(request, _("专家信息已保存。"))
            else:
                profile, notice = pool.expert_create(account=account_form.cleaned_data, data=form.profile_data(),
                                                     by=request.user)
                if notice:
                    messages.warning(request, _("专家已加入专家库；%(notice)s") % {"notice": notice})
                else:
                    messages.success(request, _("专家已加入专家库，设置密码的链接已发送至 %(email)s。")
                                     % {"email": profile.user.email})
        except ValidationError as error:
            target = account_form if hasattr(error, "error_dict") and set(error.message_dict) & set(
                account_form.fields) else form
            _errors_to_form(target, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("reviews:pool_detail", pk=profile.pk)
    return render(request, "reviews/pool/pool_form.html", {
        "form": form, "account_form": account_form, "profile": profile,
    })


def pool_deactivate(request, pk: int):
    """GET: the confirmation page with the reason to give; POST: take the expert out of the pool."""
    if (denied := _require(request, "reviews.manage_pool")) is not None:
        return denied
    profile = _profile_for_staff(request, pk)
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(request, lambda: pool.expert_set_active(profile=profile, active=False,
                                                               reason=form.cleaned_data["reason"], by=request.user),
                       success=_("已停用该专家，不再参与抽取。"))
        if done is not None:
            return redirect("reviews:pool_detail", pk=profile.pk)
    return render(request, "reviews/pool/pool_deactivate.html", {"profile": profile, "form": form})


@require_POST
def pool_reactivate(request, pk: int):
    if (denied := _require(request, "reviews.manage_pool")) is not None:
        return denied
    profile = _profile_for_staff(request, pk)
    form = DeactivateForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, _("重新启用原因：%(error)s") % {"error": error})
        return redirect("reviews:pool_detail", pk=profile.pk)
    perform(request, lambda: pool.expert_set_active(profile=profile, active=True, by=request.user,
                                                    reason=form.cleaned_data["reason"]),
            success=_("已重新启用该专家。"))
    return redirect("reviews:pool_detail", pk=profile.pk)


@require_GET
def pool_template(request):
    if (denied := _require(request, "reviews.manage_pool")) is not None:
        return denied
    out = io.BytesIO()
    importer.template_workbook(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%B8%93%E5%AE%B6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return response


def pool_import(request):
    if (denied := _require(request, "reviews.manage_pool")) is not None:
        return denied
    form = ImportForm(request.POST or None, request.FILES or None)
    results = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = importer.read_rows(form.cleaned_data["file"])
            results = importer.pool_import(rows=rows, by=request.user)
        except DomainError as error:
            form.add_error("file", error.message)
    summary = None
    if results is not None:
        summary = {status: sum(r.status == status for r in results)
                   for status in (importer.CREATED, importer.UPDATED, importer.REFUSED)}
    return render(request, "reviews/pool/pool_import.html", {
        "form": form, "results": results, "summary": summary, "max_rows": importer.MAX_ROWS,
    })


# --- the expert's own profile --------------------------------------------------------------------


def my_profile(request):
    """The expert's profile and conflict declarations; the profile is always the signed-in user's."""
    if (denied := _require(request, "reviews.own_profile")) is not None:
        return denied
    profile = (ExpertProfile.objects.select_related("unit__region").prefetch_related("fields", "conflicts")
               .filter(user=request.user).first())
    initial = None if profile else {"unit": request.user.organisation_id, "phone": request.user.mobile,
                                    "email": request.user.email, "title": request.user.title}
    post = request.method == "POST"
    action = request.POST.get("action") if post else None
    form = ProfileForm(request.POST if action == "profile" else None, instance=profile, initial=initial)
    conflict_form = ConflictForm(request.POST if action == "conflict" else None)
    if action == "profile" and form.is_valid():
        try:
            pool.own_profile_save(user=request.user, data=form.profile_data())
        except ValidationError as error:
            _errors_to_form(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("专家信息已保存。"))
            return redirect("reviews:my_profile")
    elif action == "conflict" and profile is None:
        messages.error(request, _("请先填写并保存专家信息。"))
    elif action == "conflict" and conflict_form.is_valid():
        try:
            pool.conflict_declare(profile=profile, by=request.user, **conflict_form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(conflict_form, error)
        else:
            messages.success(request, _("已添加利益冲突申明。"))
            return redirect("reviews:my_profile")
    elif post and action not in ("profile", "conflict"):
        messages.error(request, _("无法识别的操作，请重试。"))
    return render(request, "reviews/profile.html", {
        "profile": profile, "form": form, "conflict_form": conflict_form,
    })


@require_POST
def my_conflict_withdraw(request, pk: int):
    """Withdraw one of the signed-in expert's declarations: looked up within their own profile."""
    if (denied := _require(request, "reviews.own_profile")) is not None:
        return denied
    profile = get_object_or_404(ExpertProfile, user=request.user)
    perform(request, lambda: pool.conflict_withdraw(profile=profile, conflict_id=pk, by=request.user),
            success=_("已撤回该利益冲突申明。"))
    return redirect("reviews:my_profile")
