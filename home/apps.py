from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Home page and public content pages (notices, posters, schedule)."""

    name = "home"
    verbose_name = _("Public content")

    def ready(self):
        # Invalidate the anonymous page cache when content is published (portal/cache.py).
        from portal.cache import connect_signals

        connect_signals()
