from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("任务书与军令状")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The workbench (core) shows this app's blocks; core cannot import a later app itself.
        from core.workbench import register

        from . import checks, workbench  # noqa: F401  (checks registers itself)

        register(workbench.my_task_books_block, order=35)
        register(workbench.signing_lists_block, order=65)
