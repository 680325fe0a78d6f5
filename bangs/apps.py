from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BangsConfig(AppConfig):
    name = "bangs"
    verbose_name = _("榜单发布")
