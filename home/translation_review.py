"""Submitting an English translation for review (issue 17).

wagtail-localize's translation editor saves each translated string as the editor types, but its only
way to turn them into the page is "Publish in English", which editors (宣传编辑) may not do: for them
its primary button is "Convert to alias page", which throws the translation away. So:

- on the translation editor, an editor who cannot publish gets "Save and submit for review" as the
  footer's primary action in place of wagtail-localize's, and no "Convert to alias page"
  (home/static/home/js/translation_review.js, through Wagtail's `insert_editor_js` hook, which
  wagtail-localize's editor outputs ahead of its own script), and a message saying what to do (the
  `before_edit_page` hook below, ahead of wagtail-localize's);
- that link opens a confirmation page here, whose POST saves the translated strings as a draft
  revision of the English page (the page's live content untouched) and starts the page's
  workflow (or resumes it after the approver asked for changes), the same review as a Chinese page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin import messages
from wagtail.models import Page, WorkflowState
from wagtail_localize.models import Translation


def synced_translation(page):
    """The enabled (synced) translation whose target is `page`, or None."""
    return (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale_id=page.locale_id, enabled=True
        )
        .select_related("source", "target_locale")
        .first()
    )


def _editable_translation(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    permissions = page.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise PermissionDenied
    translation = synced_translation(page)
    if translation is None:
        raise PermissionDenied
    return page, translation


@require_http_methods(["GET", "POST"])
def submit_translation(request, page_id):
    page, translation = _editable_translation(request, page_id)
    workflow = page.get_workflow()
    state = page.current_workflow_state
    in_review = state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    if request.method == "POST":
        if workflow is None:
            messages.error(request, _("This page has no review workflow. Ask an approver to publish it."))
            return redirect(edit_url)
        # The translated strings become a draft revision of the English page. Not save_target(publish=False):
        # it saves the page's row first, which changes the live page before anyone approved it.
        draft = translation.source.get_ephemeral_translated_instance(translation.target_locale, fallback=True)
        draft.save_revision(user=request.user, log_action=True)
        page.refresh_from_db()
        if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(request.user)
        elif not in_review:
            workflow.start(page, request.user)
        messages.success(
            request,
            _("'%(title)s' in %(locale)s was saved and submitted for review.")
            % {"title": page.get_admin_display_title(), "locale": translation.target_locale.get_display_name()},
        )
        return redirect("wagtailadmin_home")
    progress_total, progress_done = translation.get_progress()
    return TemplateResponse(
        request,
        "home/admin/submit_translation.html",
        {
            "page": page,
            "translation": translation,
            "workflow": workflow,
            "in_review": in_review,
            "missing": progress_total - progress_done,
            "edit_url": edit_url,
        },
    )


@hooks.register("register_admin_urls")
def translation_review_urls():
    return [path("portal/translations/<int:page_id>/submit/", submit_translation, name="portal_submit_translation")]


@hooks.register("before_edit_page", order=-10)
def offer_submission_on_the_translation_editor(request, page):
    """Runs before wagtail-localize replaces the edit view with its translation editor."""
    if request.method != "GET" or page.permissions_for_user(request.user).can_publish():
        return None
    if synced_translation(page) is None:
        return None
    submit_url = reverse("portal_submit_translation", args=[page.pk])
    messages.warning(
        request,
        _(
            "Translate the strings below (each is saved as you go), then save the translation and submit it "
            "for review with the button at the bottom: the approver publishes it."
        ),
        buttons=[messages.button(submit_url, _("Save and submit for review"))],
    )
    return None


@hooks.register("insert_editor_js")
def submission_footer_script():
    """The translation editor's footer for someone who may not publish (the script decides from the editor's
    own props, so this hook needs no request). The URL's 0 stands for the page's id."""
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" data-submit-url="{}" data-submit-label="{}"'
        ' data-preview-label="{}" data-actions-label="{}"></script>',
        static("home/css/translation_review.css"),
        static("home/js/translation_review.js"),
        reverse("portal_submit_translation", args=[0]),
        _("Save and submit for review"),
        _("Preview"),
        _("Actions"),
    )
