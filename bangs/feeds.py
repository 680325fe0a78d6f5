from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Bang
from .selectors import bang_list_browsable


class BangListFeed(Feed):
    """Atom feed of published lists, as anonymous visitors see them (never targeted lists)."""

    feed_type = Atom1Feed
    title = settings.PORTAL_NAME
    subtitle = _("最新发布的“揭榜挂帅”技术榜单")

    def link(self):
        return reverse("bangs:browse")

    def items(self):
        # Only what the entries print: the lists' and bangs' long texts stay in the database.
        bangs = Prefetch("bangs", queryset=Bang.objects.only("pk", "bang_list_id", "number", "title").order_by("number"))
        return (bang_list_browsable(None).only("pk", "title", "published_at", "organiser__name")
                .prefetch_related(bangs).order_by("-published_at")[:50])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        bangs = "；".join(f"{b.number}. {b.title}" for b in item.bangs.all())
        return f"{item.organiser.name}。{bangs}"

    def item_link(self, item):
        return reverse("bangs:list_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.organiser.name
