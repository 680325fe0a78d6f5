"""Sign-in with a second factor, enrolment, and the user's own 两步验证 page.

The password comes first, on the usual login page (SignInView). A user who has an authenticator,
or whose role requires one, is not signed in yet: the session keeps a pending sign-in (user,
backend, where to go next, when) for PENDING_SECONDS, and the code page or the enrolment page
finishes it. Only the session says whose sign-in it is; nothing posted names a user.

Every code checked here counts like a password in django-axes: a locked username may not try
codes, and a wrong code is a failed login (user_login_failed), so wrong codes and wrong passwords
add up to one lockout.
"""

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core.exceptions import DomainError

from . import two_factor
from .forms import RecoveryCodeForm, TwoFactorCodeForm
from .lockout import lockout_message, lockout_response
from .models import User

PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60
PENDING_EXPIRED_KEY = "two_factor_pending_expired"
NEW_CODES_KEY = "two_factor_new_codes"


class SignInView(LoginView):
    """Django's login page; a user who needs a second factor leaves it with a pending sign-in."""

    def form_valid(self, form):
        user = form.get_user()
        enabled = two_factor.two_factor_enabled(user)
        if not enabled and not two_factor.two_factor_required(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "next": self.get_redirect_url(),
            "started": timezone.now().timestamp(),
        }
        return redirect("accounts:two_factor_verify" if enabled else "accounts:two_factor_enrol")


def _pending_user(request) -> User | None:
    """The user whose sign-in waits for a code in this session, or None (none, or expired)."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if timezone.now().timestamp() - pending["started"] > PENDING_SECONDS:
        del request.session[PENDING_KEY]
        request.session[PENDING_EXPIRED_KEY] = True
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


def _pending_lost(request):
    """No sign-in waits for a code: it expired, was dropped by a lockout, or never started."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.session.pop(PENDING_EXPIRED_KEY, False):
        messages.warning(request, _("登录已超时，请重新输入用户名和密码。"))
    else:
        messages.info(request, _("请先输入用户名和密码。"))
    return redirect("login")


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _sign_in(request, *, user: User, device) -> str:
    """Finish the pending sign-in as verified by `device`; returns where to go next."""
    pending = request.session.pop(PENDING_KEY)
    login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
    return _safe_next(request, pending["next"])


def _credentials(user: User) -> dict:
    return {"username": user.username}


def _is_locked(request, user: User) -> bool:
    return not AxesProxyHandler.is_allowed(request, credentials=_credentials(user))


def _count_failure(request, user: User) -> None:
    """A wrong code is a failed login for django-axes, the same as a wrong password."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)


def _pending_locked(request, user: User):
    """The login page with the lockout message (429); the pending sign-in is dropped."""
    request.session.pop(PENDING_KEY, None)
    return lockout_response(request, credentials=_credentials(user))


def _pending_code(request, *, form_class, check, template: str, wrong: str) -> tuple:
    """The code and recovery-code pages of a pending sign-in: check, count, sign in. Returns the
    response and the user if this request signed them in (else None)."""
    user = _pending_user(request)
    if user is None:
        return _pending_lost(request), None
    if not two_factor.two_factor_enabled(user):
        return redirect("accounts:two_factor_enrol"), None
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _is_locked(request, user):
            return _pending_locked(request, user), None
        device = check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            return redirect(_sign_in(request, user=user, device=device)), user
        _count_failure(request, user)
        if getattr(request, "axes_locked_out", False):
            # AxesMiddleware answers with the login page and its lockout message.
            request.session.pop(PENDING_KEY, None)
        form.add_error("code", wrong)
    return render(request, template, {"form": form, "pending_user": user}), None


@sensitive_post_parameters("code")
@never_cache
def two_factor_verify(request):
    response, _user = _pending_code(
        request, form_class=TwoFactorCodeForm, check=two_factor.totp_verify,
        template="accounts/two_factor/verify.html",
        wrong=_("验证码不正确或已使用过，请输入身份验证器中当前显示的验证码。"),
    )
    return response


@sensitive_post_parameters("code")
@never_cache
def two_factor_recovery(request):
    response, user = _pending_code(
        request, form_class=RecoveryCodeForm, check=two_factor.recovery_code_verify,
        template="accounts/two_factor/recovery.html", wrong=_("恢复码不正确或已使用过。"),
    )
    if user is not None:
        left = two_factor.recovery_codes_left(user)
        messages.warning(
            request,
            _("您已使用恢复码登录，还剩 %(n)s 个恢复码。如手机已丢失，请联系平台管理员重置两步验证，再重新绑定身份验证器。")
            % {"n": left},
        )
    return response


@sensitive_post_parameters("code")
@never_cache
def two_factor_enrol(request):
    """Scan the QR code, type the first code: during a pending sign-in (a required user without an
    authenticator), or signed in, from the 两步验证 page."""
    signed_in = request.user.is_authenticated
    user = request.user if signed_in else _pending_user(request)
    if user is None:
        return _pending_lost(request)
    if not two_factor.two_factor_allowed(user):
        raise PermissionDenied(_("您的账号无需两步验证。"))
    if two_factor.two_factor_enabled(user):
        if signed_in:
            messages.info(request, _("已启用两步验证。"))
            return redirect("accounts:two_factor")
        return redirect("accounts:two_factor_verify")
    device = two_factor.totp_enrol_start(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    lock_message = ""
    if request.method == "POST" and form.is_valid():
        if _is_locked(request, user):
            if not signed_in:
                return _pending_locked(request, user)
            lock_message = lockout_message(request, _credentials(user))
        else:
            try:
                confirmed = two_factor.totp_enrol_confirm(user=user, code=form.cleaned_data["code"])
            except DomainError as error:
                messages.info(request, error.message)
                return redirect("accounts:two_factor" if signed_in else "accounts:two_factor_verify")
            if confirmed is not None:
                device, codes = confirmed
                if signed_in:
                    django_otp.login(request, device)
                    next_url = resolve_url("accounts:two_factor")
                else:
                    next_url = _sign_in(request, user=user, device=device)
                request.session[NEW_CODES_KEY] = {"codes": codes, "next": next_url}
                messages.success(request, _("两步验证已启用。"))
                return redirect("accounts:two_factor_codes")
            _count_failure(request, user)
            if getattr(request, "axes_locked_out", False):
                if not signed_in:
                    request.session.pop(PENDING_KEY, None)
                else:
                    # Signed in: stay on this page and say so, rather than AxesMiddleware's login page.
                    request.axes_locked_out = False
                    lock_message = lockout_message(request, _credentials(user))
            form.add_error("code", _("验证码不正确，请输入身份验证器中当前显示的6位数字。"))
    context = {
        "form": form, "signed_in": signed_in, "pending_user": None if signed_in else user,
        "qr": two_factor.totp_qr_data_uri(device), "secret": two_factor.totp_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER, "account": user.username, "lockout_message": lock_message,
    }
    return render(request, "accounts/two_factor/enrol.html", context, status=429 if lock_message else 200)


@login_required
@never_cache
def two_factor_codes(request):
    """The new recovery codes, shown once: this page is the only one that lists them."""
    shown = request.session.pop(NEW_CODES_KEY, None)
    if not shown:
        messages.info(request, _("恢复码只显示一次。如未保存，可在下方重新生成。"))
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor/codes.html", {"codes": shown["codes"], "next": shown["next"]})


@login_required
@sensitive_post_parameters("regenerate-code", "disable-code")
@never_cache
def two_factor_manage(request):
    """The user's own 两步验证 page: status, new recovery codes and turning it off (each with a
    current code)."""
    user = request.user
    if not two_factor.two_factor_allowed(user):
        raise PermissionDenied(_("您的账号无需两步验证。"))
    action = request.POST.get("action") if request.method == "POST" else None
    regenerate = TwoFactorCodeForm(request.POST if action == "regenerate" else None, prefix="regenerate")
    disable = TwoFactorCodeForm(request.POST if action == "disable" else None, prefix="disable")
    form = {"regenerate": regenerate, "disable": disable}.get(action)
    enabled = two_factor.two_factor_enabled(user)
    lock_message = ""
    if form is not None and enabled and form.is_valid():
        if _is_locked(request, user):
            lock_message = lockout_message(request, _credentials(user))
        elif two_factor.totp_verify(user=user, code=form.cleaned_data["code"]) is None:
            _count_failure(request, user)
            if getattr(request, "axes_locked_out", False):
                request.axes_locked_out = False  # stay on this page, with the message
                lock_message = lockout_message(request, _credentials(user))
            form.add_error("code", _("验证码不正确或已使用过，请输入身份验证器中当前显示的验证码。"))
        else:
            try:
                if action == "regenerate":
                    codes = two_factor.recovery_codes_regenerate(user=user)
                    request.session[NEW_CODES_KEY] = {"codes": codes, "next": resolve_url("accounts:two_factor")}
                    messages.success(request, _("已生成新的恢复码，原有恢复码已失效。"))
                    return redirect("accounts:two_factor_codes")
                two_factor.two_factor_disable(user=user)
            except DomainError as error:
                form.add_error("code", error.message)
            else:
                messages.success(request, _("两步验证已关闭。"))
                return redirect("accounts:two_factor")
    context = {
        "enabled": enabled, "required": two_factor.two_factor_required(user),
        "codes_left": two_factor.recovery_codes_left(user) if enabled else 0,
        "regenerate_form": regenerate, "disable_form": disable, "lockout_message": lock_message,
    }
    return render(request, "accounts/two_factor/manage.html", context, status=429 if lock_message else 200)
