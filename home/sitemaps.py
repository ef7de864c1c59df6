"""sitemap.xml with the pages of every language, not only the default site's (Chinese) tree."""

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page, Site


class PortalSitemap(Sitemap):
    """Wagtail's sitemap lists the descendants of the site's root page; the English tree is a
    translation of that root beside it, so include the descendants of every translation."""

    def items(self):
        # The request's site, else the default one (as Wagtail's own sitemap finds it).
        site = Site.find_for_request(self.request) or Site.objects.select_related("root_page").get(is_default_site=True)
        root = site.root_page
        condition = Q()
        for path in Page.objects.filter(translation_key=root.translation_key).values_list("path", flat=True):
            condition |= Q(path__startswith=path)
        return Page.objects.filter(condition).live().public().order_by("path").defer_streamfields().specific()
