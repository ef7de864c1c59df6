from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Home page and public content pages (notices, posters, schedule)."""

    name = "home"
    verbose_name = _("Public content")

    def ready(self):
        # Imports Wagtail's models, which apps.py may not do at import time (before the app registry is ready).
        from portal.invalidation import connect_signals

        # Publishing moves the content generation on: the page cache and the memo of page parts follow it.
        connect_signals()
        # Admin hooks of the English translations' review (registered on import).
        from home import translation_review  # noqa: F401
