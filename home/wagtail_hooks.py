"""Admin hooks for the public pages: keep the pages the site's structure depends on."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks

from home.models import HomePage


@hooks.register("before_delete_page")
def protect_home_pages(request, page):
    """The home pages are the roots of both language trees: deleting one would take the whole site down."""
    if isinstance(page.specific, HomePage):
        messages.error(request, _("The home page cannot be deleted."))
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_move_page")
def keep_home_pages_in_place(request, page, destination):
    if isinstance(page.specific, HomePage):
        messages.error(request, _("The home page cannot be moved."))
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None
