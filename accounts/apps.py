from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与单位")

    def ready(self):
        # The workbench (core) shows this app's blocks; core cannot import a later app itself.
        from core.workbench import register

        from . import workbench

        register(workbench.join_requests_block, order=80)

        # Public pages show unit and region names.
        from core import pagecache

        from .models import Organisation, Region

        pagecache.watch(Organisation, Region)
