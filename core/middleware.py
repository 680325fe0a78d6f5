from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


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
