from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _


class PortalLocaleMiddleware(MiddlewareMixin):
    """Chinese unless the user chose another language (cookie set by the language selector).

    Django's LocaleMiddleware would follow the browser's Accept-Language; on a Chinese government
    portal an English-language browser should still get Chinese until the user asks otherwise.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class MethodNotAllowedPageMiddleware:
    """`require_POST` and friends answer a wrong method with an empty 405; show a page instead.

    Keeps the status and the Allow header. Responses with a body (the API's JSON) are left alone.
    Listed last in MIDDLEWARE, so the request has its user and messages when the page renders.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        from .errors import error_page

        page = error_page(
            request, status=405, title=_("不支持的访问方式"),
            message=_("此地址只接受通过页面上的按钮或表单提交，不能直接打开。请返回上一页，在页面上操作。"),
        )
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
