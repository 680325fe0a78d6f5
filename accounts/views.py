from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView

from core.exceptions import DomainError
from core.selectors import activity_list_for
from core.params import FilterParams
from core.views import FilteredListMixin, LenientPageMixin, PortalPermissionMixin, perform

from . import services, two_factor
from .enums import OrganisationKind, Role
from .lockout import login_lockout_addresses, login_lockout_status
from .forms import DishonestForm, OrganisationForm, RegisterForm, StaffUserForm
from .models import Organisation, RoleGrant, User
from .selectors import join_request_list_for_user


class RegisterView(FormView):
    template_name = "accounts/register.html"
    form_class = RegisterForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("dashboard")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user, join_request = services.organisation_register(
                unit=form.unit_data(), user=form.user_data(), password=form.cleaned_data["password1"],
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        login(self.request, user, backend="accounts.backends.PasswordBackend")
        if join_request:
            messages.info(
                self.request,
                _("该统一社会信用代码已注册，已向“%(unit)s”提交加入申请，审核通过后即可使用。")
                % {"unit": join_request.organisation.name},
            )
        else:
            messages.success(self.request, _("注册成功，欢迎使用。"))
        return redirect("dashboard")


@login_required
def unit_detail(request):
    org = request.user.organisation
    if org is None:
        raise PermissionDenied(_("您尚未加入任何单位。"))
    can_change = request.user.has_perm("accounts.change_unit", org)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            services.organisation_update(organisation=org, data=form.cleaned_data, by=request.user)
            messages.success(request, _("单位信息已保存。"))
            return redirect("accounts:unit")
        org.refresh_from_db()
    members = org.members.order_by("date_joined")
    return render(
        request, "accounts/unit_detail.html", {"org": org, "form": form, "members": members, "can_change": can_change}
    )


class JoinRequestListView(LoginRequiredMixin, LenientPageMixin, ListView):
    template_name = "accounts/joinrequest_list.html"
    paginate_by = 20

    def get_queryset(self):
        return join_request_list_for_user(self.request.user).order_by("state", "-created_at")


@login_required
@require_POST
def join_request_decide(request, pk: int):
    join_request = get_object_or_404(join_request_list_for_user(request.user), pk=pk)
    if not request.user.has_perm("accounts.decide_join_request", join_request):
        raise PermissionDenied
    approve = request.POST.get("decision") == "approve"
    perform(
        request,
        lambda: services.join_request_decide(join_request=join_request, by=request.user, approve=approve),
        success=_("已同意加入。") if approve else _("已拒绝申请。"),
    )
    return redirect("accounts:join_requests")


class UnitListView(PortalPermissionMixin, FilteredListMixin, ListView):
    permission_required = "accounts.manage_units"
    template_name = "accounts/staff/unit_list.html"
    paginate_by = 20

    def get_queryset(self):
        qs = Organisation.objects.select_related("region__parent").order_by("-created_at")
        params = FilterParams(self.request)
        if q := params.text("q"):
            qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
        if kind := params.choice("kind", label=_("单位类型"), choices=OrganisationKind.choices):
            qs = qs.filter(kind=kind)
        if verified := params.choice("verified", label=_("核验状态"), choices=["0", "1"]):
            qs = qs.filter(is_verified=verified == "1")
        if params.choice("dishonest", label=_("失信"), choices=["0", "1"]) == "1":
            qs = qs.filter(is_dishonest=True)
        if in_region := params.choice("in_region", label=_("区内外"), choices=["0", "1"]):
            q_in = Q(region__code__startswith="15")
            qs = qs.filter(q_in if in_region == "1" else ~q_in)
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=OrganisationKind.choices, **kwargs)


def _staff_only(request, perm: str):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return None


def unit_manage(request, pk: int):
    if (denied := _staff_only(request, "accounts.manage_units")) is not None:
        return denied
    org = get_object_or_404(Organisation.objects.select_related("region__parent", "first_user"), pk=pk)
    dishonest_form = DishonestForm(
        request.POST if request.POST.get("action") == "dishonest" else None,
        initial={"is_dishonest": org.is_dishonest, "note": org.dishonest_note},
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "verify":
                perform(request, lambda: services.organisation_set_verified(
                    organisation=org, verified=request.POST.get("verified") == "1", by=request.user
                ), success=_("核验状态已更新。"))
                return redirect("accounts:unit_manage", pk=org.pk)
            if request.POST.get("action") == "dishonest" and dishonest_form.is_valid():
                services.organisation_set_dishonest(
                    organisation=org, dishonest=dishonest_form.cleaned_data["is_dishonest"],
                    note=dishonest_form.cleaned_data["note"], by=request.user,
                )
                messages.success(request, _("失信状态已更新。"))
                return redirect("accounts:unit_manage", pk=org.pk)
        except DomainError as error:
            dishonest_form.add_error("note", error.message)
    return render(
        request,
        "accounts/staff/unit_manage.html",
        {
            "org": org,
            "dishonest_form": dishonest_form,
            "members": org.members.prefetch_related("role_grants").order_by("date_joined"),
            "activity": activity_list_for(org),
        },
    )


class UserListView(PortalPermissionMixin, FilteredListMixin, ListView):
    permission_required = "accounts.manage_users"
    template_name = "accounts/staff/user_list.html"
    paginate_by = 20

    def get_queryset(self):
        qs = (
            User.objects.select_related("organisation", "department")
            .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
            .order_by("-date_joined")
        )
        params = FilterParams(self.request)
        if q := params.text("q"):
            qs = qs.filter(
                Q(username__icontains=q) | Q(full_name__icontains=q) | Q(organisation__name__icontains=q)
                | Q(mobile__icontains=q)
            )
        if role := params.choice("role", label=_("角色"), choices=Role.choices):
            qs = qs.filter(role_grants__role=role)
        return qs.distinct()

    def get_context_data(self, **kwargs):
        return super().get_context_data(roles=Role.choices, locked_addresses=login_lockout_addresses(), **kwargs)


def _account_for(request, pk: int) -> User:
    """The account an administrator acts on; a superuser's is refused to anyone but a superuser."""
    target = get_object_or_404(User, pk=pk)
    if not request.user.has_perm("accounts.change_user", target):
        raise PermissionDenied(_("超级管理员的账号只能由超级管理员修改。"))
    return target


def user_edit(request, pk: int | None = None):
    if (denied := _staff_only(request, "accounts.manage_users")) is not None:
        return denied
    target = _account_for(request, pk) if pk else User()
    form = StaffUserForm(request.POST or None, instance=target, by=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in StaffUserForm.Meta.fields}
        roles = form.cleaned_data["roles"]
        try:
            if target.pk:
                services.user_update(user=target, data=data, roles=roles, by=request.user)
                messages.success(request, _("账号已保存。"))
            else:
                target, mail_error = services.user_create(data=data, roles=roles, by=request.user)
                if not target.is_active:
                    messages.success(request, _("账号已建立（停用）。启用后可在本页发送设置密码的邮件。"))
                elif mail_error:
                    messages.warning(request, _("账号已建立，但设置密码的邮件未能发出：%(error)s") % {"error": mail_error})
                else:
                    messages.success(request, _("账号已建立，设置密码的链接已发送至 %(email)s。") % {"email": target.email})
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("accounts:user_edit", pk=target.pk)
        if target.pk:
            target.refresh_from_db()
    return render(
        request,
        "accounts/staff/user_form.html",
        {
            "form": form, "target": target, "is_self": target.pk == request.user.pk,
            "lockout": login_lockout_status(username=target.username) if target.pk else None,
            "two_factor_enabled": two_factor.two_factor_enabled(target) if target.pk else False,
            "activity": activity_list_for(target) if target.pk else [],
        },
    )


@require_POST
def user_password_reset(request, pk: int):
    """An administrator sends the account's owner a link to set a new password (never sets it)."""
    if (denied := _staff_only(request, "accounts.manage_users")) is not None:
        return denied
    target = _account_for(request, pk)
    perform(
        request, lambda: services.user_password_reset_send(user=target, by=request.user),
        success=_("重置密码邮件已发送至 %(email)s。") % {"email": target.email},
    )
    return redirect("accounts:user_edit", pk=target.pk)


@require_POST
def user_unlock(request, pk: int):
    """An administrator lifts an account's sign-in lock before its cool-off ends."""
    if (denied := _staff_only(request, "accounts.manage_users")) is not None:
        return denied
    target = _account_for(request, pk)
    perform(request, lambda: services.user_login_unlock(user=target, by=request.user), success=_("已解除登录锁定。"))
    return redirect("accounts:user_edit", pk=target.pk)


@require_POST
def user_two_factor_reset(request, pk: int):
    """An administrator removes an account's authenticator and recovery codes (a lost phone)."""
    if (denied := _staff_only(request, "accounts.manage_users")) is not None:
        return denied
    target = _account_for(request, pk)
    perform(request, lambda: two_factor.two_factor_reset(user=target, by=request.user),
            success=_("已重置两步验证，该用户下次登录时需重新设置（如其角色要求）。"))
    return redirect("accounts:user_edit", pk=target.pk)


@require_POST
def address_unlock(request):
    """An administrator lifts the sign-in lock of a network address (shown on the user list)."""
    if (denied := _staff_only(request, "accounts.manage_users")) is not None:
        return denied
    address = request.POST.get("ip_address", "").strip()
    perform(request, lambda: services.address_login_unlock(ip_address=address, by=request.user),
            success=_("已解除网络地址 %(ip)s 的登录锁定。") % {"ip": address})
    return redirect("accounts:user_list")
