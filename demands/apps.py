from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = _("需求征集")

    def ready(self):
        # The workbench (core) shows this app's blocks; core cannot import a later app itself.
        from core.workbench import register

        from . import workbench

        register(workbench.enterprise_demands_block, order=10)
        register(workbench.screening_block, order=70)

        # Public pages show the technical fields.
        from core import pagecache

        from .models import CollectionRound, TechField

        # The queue's filter choices are cached by the same version (selectors.queue_filter_options).
        pagecache.watch(TechField, CollectionRound)
