from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("遴选评审")

    def ready(self):
        # The workbench (core) shows this app's block; core cannot import a later app itself.
        from core.workbench import register

        from . import workbench

        register(workbench.expert_review_block, order=55)
