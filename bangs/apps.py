from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BangsConfig(AppConfig):
    name = "bangs"
    verbose_name = _("榜单发布")

    def ready(self):
        # The workbench (core) shows this app's blocks; core cannot import a later app itself.
        from core.workbench import register

        from . import workbench

        register(workbench.issued_bangs_block, order=20)
        register(workbench.expert_opinions_block, order=50)
        register(workbench.organiser_lists_block, order=60)

        # What anonymous visitors see (core.pagecache): lists and everything shown with them, and
        # the moments at which a list opens or closes by itself.
        from core import pagecache

        from .models import Amendment, Bang, BangList, ChecklistItem, Contact, Indicator, ListFile
        from .selectors import next_public_moment

        pagecache.watch(BangList, Bang, Indicator, ChecklistItem, Contact, ListFile, Amendment)
        pagecache.register_boundary(next_public_moment)
