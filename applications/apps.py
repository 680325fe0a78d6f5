from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("揭榜申报")

    def ready(self):
        # The workbench (core) shows this app's blocks; core cannot import a later app itself.
        from core.workbench import register

        from . import workbench

        register(workbench.applicant_block, order=30)
        register(workbench.recommender_block, order=40)
