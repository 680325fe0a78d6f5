from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _, gettext_lazy

from .models import NoticeAmendment
from .selectors import notice_public


class NoticeFeed(Feed):
    """Atom feed of the result notices (公示) and their corrections, newest first. Nothing about
    objections: only what the notice itself says."""

    feed_type = Atom1Feed
    title = settings.PORTAL_NAME
    subtitle = gettext_lazy("揭榜结果公示公告")

    def link(self):
        return reverse("notices:index")

    def items(self):
        notices = list(notice_public().select_related("bang_list").only(
            "pk", "title", "published_at", "ends_at", "period_unit", "period_days", "bang_list__title")[:50])
        amendments = list(NoticeAmendment.objects.filter(notice__published_at__lte=timezone.now())
                          .select_related("notice").only("pk", "title", "body", "published_at", "notice__title")
                          .order_by("-published_at", "-pk")[:50])
        return sorted(notices + amendments, key=lambda item: item.published_at, reverse=True)[:50]

    def item_title(self, item):
        if isinstance(item, NoticeAmendment):
            return _("【更正】%(notice)s：%(title)s") % {"notice": item.notice.title, "title": item.title}
        return item.title

    def item_description(self, item):
        if isinstance(item, NoticeAmendment):
            return item.body
        return _("%(list)s。公示期%(days)d个%(unit)s，截止%(end)s（北京时间）。") % {
            "list": item.bang_list.title, "days": item.period_days, "unit": item.get_period_unit_display(),
            "end": timezone.localtime(item.ends_at).strftime("%Y-%m-%d %H:%M:%S")}

    def item_link(self, item):
        if isinstance(item, NoticeAmendment):
            return reverse("notices:detail", args=[item.notice_id]) + f"#amendment-{item.pk}"
        return reverse("notices:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at
