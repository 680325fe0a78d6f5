"""Error pages a person can read: in Chinese, in the portal's layout, with a way back.

Wired as handler400/403/404/500 in jiebang/urls.py; the 405 page comes from
core.middleware.MethodNotAllowedPageMiddleware, the CSRF page from settings.CSRF_FAILURE_VIEW.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def error_page(request, *, status: int, title: str, message: str, template: str | None = None):
    """An error response in the portal's layout (which needs the database, as every page does)."""
    return render(
        request, template or f"{status}.html", {"status": status, "title": title, "message": message}, status=status
    )


def refusal_reason(exception) -> str:
    """The message a permission check gave (`PermissionDenied(_("您尚未加入任何单位。"))`), if any."""
    if exception is None or not getattr(exception, "args", None):
        return ""
    reason = exception.args[0]
    return reason.strip() if isinstance(reason, str) else ""


@requires_csrf_token
def bad_request(request, exception=None):
    return error_page(
        request, status=400, title=_("请求无效"),
        message=_("无法处理此请求，请检查链接或表单内容是否完整后重试。"),
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return error_page(
        request, status=403, title=_("无权访问"),
        message=refusal_reason(exception) or _("您没有权限访问此页面或执行此操作。如有疑问，请联系本单位管理员或项目管理人员。"),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    # Never echo the exception: its text is technical, and a scoped 404 must not say what exists.
    return error_page(
        request, status=404, title=_("页面不存在"),
        message=_("您访问的页面不存在，可能已被删除、链接有误，或您无权查看。"),
    )


def csrf_failure(request, reason=""):
    return error_page(
        request, status=403, title=_("页面已过期"), template="403.html",
        message=_("页面已过期或表单来源无法验证，您的操作没有生效。请返回上一页，刷新后重新提交。"),
    )


def _plain_500() -> str:
    """The last resort, when even the simple template cannot be rendered: no template, no static."""
    return (
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<h1>{title}</h1><p>{message}</p><p><a href="/">{home}</a> · <a href="/dashboard/">{dashboard}</a></p>'
        "</body></html>"
    ).format(
        title=escape(_("系统出错")),
        message=escape(_("服务器处理您的请求时出错，我们已记录此问题。您刚才的操作可能没有完成，请稍后重试。")),
        home=escape(_("返回首页")),
        dashboard=escape(_("我的工作台")),
    )


def server_error(request):
    """The 500 page. Standalone on purpose: base.html reads the database (roles, unread count), and
    the database may be why we are here. Rendered without the request, so no context processor runs.

    When the database cannot be reached (restarting, failing over) it is a 503 that says so and when
    to try again: nothing is wrong with what the user did, and the same request will work shortly.
    """
    exception = sys.exc_info()[1]
    unavailable = isinstance(exception, (OperationalError, InterfaceError))
    context = {"PORTAL_NAME": settings.PORTAL_NAME, "PORTAL_ORGANISER": settings.PORTAL_ORGANISER, "status": 500}
    if unavailable:
        context.update(
            status=503, title=_("系统暂时无法使用"),
            message=_("系统正在恢复，暂时无法处理您的请求，您刚才的操作没有完成。请稍等片刻后刷新页面重试。"),
        )
    try:
        body = loader.get_template("500.html").render(context)
    except Exception:  # anything at all: this page must not fail
        logger.exception("The 500 page could not be rendered")
        body = _plain_500()
    if unavailable:
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(body)
