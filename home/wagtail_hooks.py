"""Admin hooks for the public pages: keep the pages the site's structure depends on, and help editors.

Editors get pinyin slugs from Chinese titles (home/slugs.py) and, on their dashboard, the approver's
comments; approvers get a confirmation of each approval (home/review.py).
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from home import review, slugs
from home.models import HomePage
from home.work_items_admin import WorkItemViewSet

# The campaign's work items (工作安排表) as tracked data, for provincial administrators.
register_snippet(WorkItemViewSet)


@hooks.register("insert_global_admin_css")
def work_item_css():
    return format_html('<link rel="stylesheet" href="{}">', static("home/css/work_items_admin.css"))


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


@hooks.register("register_admin_urls")
def slug_urls():
    return [path("portal/slug/", slugs.slug_view, name="portal_slug_from_title")]


@hooks.register("insert_editor_js")
def slug_script():
    return format_html(
        '<script src="{}" data-endpoint="{}"></script>',
        static("home/js/slug.js"),
        reverse("portal_slug_from_title"),
    )


@hooks.register("insert_editor_js")
def localize_labels_script():
    """Chinese for the label wagtail-localize's translation editor writes without gettext
    (home/static/home/js/localize_labels.js)."""
    return format_html('<script src="{}"></script>', static("home/js/localize_labels.js"))


@hooks.register("before_create_page")
def slug_on_create(request, parent_page, page_class):
    """A page titled in Chinese gets its pinyin slug even without the browser's help."""
    slugs.fill_slug(request, parent_page)


@hooks.register("before_edit_page")
def slug_on_edit(request, page):
    slugs.fill_slug(request, page.get_parent(), page)
    if request.method == "GET":
        review.confirm_approvals(request, page)


@hooks.register("after_edit_page")
def confirm_approval_from_the_editor(request, page):
    if request.POST.get("workflow-action-name") == "approve":
        review.confirm_approvals(request, page)


@hooks.register("construct_homepage_panels")
def review_panels(request, panels):
    panels.append(review.ChangesRequestedPanel(request))
    review.confirm_approvals(request)
