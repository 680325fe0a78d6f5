from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("揭榜公示")

    def ready(self):
        # What anonymous visitors see (core.pagecache): the notices, their entries and corrections,
        # and the moments at which a period ends by itself (the objection button goes away).
        # Objections are never shown publicly: filing one does not touch the cache.
        from core import home, pagecache

        from .models import Notice, NoticeAmendment, NoticeBang
        from .selectors import home_notice_rows, next_notice_moment

        pagecache.watch(Notice, NoticeBang, NoticeAmendment)
        pagecache.register_boundary(next_notice_moment)
        # The home page's 通知公告 (core cannot import a later app itself).
        home.register(home_notice_rows)
