from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _

from . import two_factor


class TwoFactorMiddleware:
    """The second factor's gate, after django-otp's OTPMiddleware.

    - The Django admin's own login page sends people to the portal's, so /admin/ is reached
      through the same two steps.
    - A signed-in session that is not verified by a second factor although the account needs one
      (the role requires it, or the user has an authenticator) is logged out and sent to sign in
      again: a session from before the requirement applied, or from before the user enrolled
      elsewhere, or whose device an administrator removed. The code and enrolment pages need no
      exemption: until the code is right the session is not signed in at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        user = request.user
        if user.is_authenticated and not user.is_verified() and self._needs_second_factor(user):
            if match is not None and match.url_name == "logout":
                return None
            logout(request)
            messages.warning(request, _("您的账号需要两步验证，请重新登录。"))
            if match is not None and match.url_name == "login":
                return redirect(request.get_full_path())
            return redirect_to_login(request.get_full_path())
        if match is not None and match.namespace == "admin" and match.url_name == "login":
            if user.is_authenticated:
                # Signed in (with the second factor their account needs), and sent here by the admin:
                # they are not admin staff. Sending them to sign in again would go round in a circle.
                raise PermissionDenied(_("您没有进入管理后台（/admin/）的权限。账号与角色管理请使用“用户管理”。"))
            return redirect_to_login(request.GET.get("next") or resolve_url("admin:index"))
        return None

    @staticmethod
    def _needs_second_factor(user) -> bool:
        if user.is_verified():
            return False
        if two_factor.two_factor_required(user):
            return True
        # The device query only for the accounts that may have one.
        return two_factor.two_factor_allowed(user) and two_factor.two_factor_enabled(user)

