"""RSS and Atom feeds of the notices, in the language of the URL (/feeds/… or /en/feeds/…)."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from wagtail.models import Locale

from home.models import NoticeIndexPage, NoticePage

FEED_LENGTH = 20


class NoticeFeed(Feed):
    """The latest notices, newest first."""

    def get_object(self, request, *args, **kwargs):
        self.request = request
        locale = Locale.get_active()
        return NoticeIndexPage.objects.live().filter(locale=locale).first()

    def title(self, obj):
        return _("Notices: Hunan Universal Social Insurance Registration")

    def link(self, obj):
        return obj.get_url(self.request) if obj else "/"

    def description(self, obj):
        return _("Notices about universal social insurance registration in Hunan Province.")

    def items(self, obj):
        if obj is None:
            return NoticePage.objects.none()
        return NoticePage.objects.child_of(obj).live().order_by("-issue_date", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.issue_date, datetime.time(9, 0)))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.issuing_authority


class NoticeAtomFeed(NoticeFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)
