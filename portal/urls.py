"""URL configuration.

Chinese pages live at "/" and English at "/en/" (i18n_patterns without a
prefix for the default language). The admin, documents, sitemap, robots.txt
and /healthz/ stay outside i18n_patterns so their URLs never change.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import feeds as home_feeds
from home import views as home_views
from home.sitemaps import PortalSitemap
from portal import page_serving, views

# Wagtail's front-end URLs (page view restrictions' password and login forms, then every page), with pages
# served through portal/page_serving.py: Wagtail's view with the route of a path remembered per content
# generation, under Wagtail's own pattern and URL name.
wagtail_front_end_urls = [
    re_path(wagtail_urls.serve_pattern, page_serving.serve, name="wagtail_serve")
    if getattr(pattern, "name", None) == "wagtail_serve"
    else pattern
    for pattern in wagtail_urls.urlpatterns
]

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Browsers ask for /favicon.ico on every page: the static file (its hashed name, worked out when asked).
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("favicon.ico")), name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PortalSitemap}}, name="sitemap"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("elder-mode/", home_views.elder_mode, name="elder_mode"),
    # The business systems' versioned JSON API (forms_intake/api, docs/api.md): no language prefix.
    path("api/v1/", include("forms_intake.api.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("search/", home_views.search, name="search"),
    path("feeds/notices/rss/", home_feeds.NoticeFeed(), name="notice_feed_rss"),
    path("feeds/notices/atom/", home_feeds.NoticeAtomFeed(), name="notice_feed_atom"),
    # Wagtail's page serving comes last: it catches every remaining path.
    path("", include(wagtail_front_end_urls)),
    prefix_default_language=False,
)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
