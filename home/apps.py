from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Home page and public content pages (notices, posters, schedule)."""

    name = "home"
    verbose_name = _("Public content")
