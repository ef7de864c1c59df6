"""Bulk actions of the registrations queue: claim, send for review, register, print as one PDF, export.

Wagtail's own mechanism (``BulkAction``, registered with the ``register_bulk_action`` hook in
``wagtail_hooks``): the listing's checkboxes lead to a confirmation page (GET, the ids in the query
string: numbers only, never personal data) that says, item by item, what will happen; its POST applies
the action and reports, item by item, what was done and what was refused and why.

- **Scope**: every id must be a registration of the user's divisions; one that is not (another
  division's, or no registration at all) makes the whole request a 404, so nothing is acted on and
  nothing tells whether the id exists. "Select all in listing" is not offered (the footer gets no
  page object), and ``all`` is refused.
- **Rules**: the state transitions are ``services.transitions.perform`` (state, handler, four-eyes,
  one conditional UPDATE, audit, notifications), applied one registration at a time; the preview
  on the confirmation page is ``transitions.why_not``, the same check.
- **Audit**: per registration, as the single actions are (timeline and Wagtail log); the PDF records a
  ``print`` per form; an export is one ``ExportAudit`` entry (as every export).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.bulk_action import BulkAction

from forms_intake.backoffice.policy import REVEAL
from forms_intake.models import Submission
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import audit, transitions
from forms_intake.services.scope import scoped_submissions

#: The most registrations one bulk request takes (ids beyond make it a 404 like any bad id list).
MAX_ITEMS = 500
#: The most forms one PDF holds: each is laid out by WeasyPrint (~0.3 s a page) inside the request.
MAX_PDF_FORMS = 50

TEMPLATE_DIR = "forms_intake/admin/bulk/"
VIEW_PERMISSION = "forms_intake.view_submission"


def requested_ids(request):
    """The ids of the request (``?id=1&id=2``): whole numbers, at most MAX_ITEMS; anything else is a 404."""
    values = request.GET.getlist("id")
    if not values or len(values) > MAX_ITEMS or not all(value.isdigit() for value in values):
        raise Http404
    return list(dict.fromkeys(int(value) for value in values))


def scoped_selection(request, queryset=None):
    """The requested registrations, oldest first, all of them in the user's divisions (else 404)."""
    ids = requested_ids(request)
    base = queryset if queryset is not None else Submission.objects.select_related("handler")
    objects = list(scoped_submissions(request.user, base).filter(pk__in=ids).order_by("created_at", "pk"))
    if len(objects) != len(ids):
        raise Http404
    return objects


class SubmissionBulkAction(BulkAction):
    """What every bulk action of the queue shares: scope, the confirmation page, no "select all"."""

    models = [Submission]
    template_name = TEMPLATE_DIR + "confirm.html"
    do_not_call_in_templates = True  # the footer lists the classes themselves
    #: The permission the user needs for the action to be offered and applied at all.
    permission = VIEW_PERMISSION
    #: Why the whole request is refused before any item is looked at (None: it is not).
    refusal = None

    def __init__(self, request, model):
        super().__init__(request, model)
        if not get_valid_next_url_from_request(request):
            self.next_url = reverse("forms_intake_submission:index")  # not the bulk URL itself

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    #: The selected registrations, read once per request.
    selection = None

    def get_actionable_objects(self):
        if self.selection is None:
            self.selection = scoped_selection(self.request, self.selection_queryset())
        return self.selection, {"items_with_no_access": []}

    def selection_queryset(self):
        return Submission.objects.select_related("handler")

    def get_all_objects_in_listing_query(self, parent_id):
        raise Http404  # "select all in listing" is not offered: the listing's filters would not apply

    def whole_refusal(self, objects):
        """A message when the action cannot run on this selection at all, else None."""
        if not self.request.user.has_perm(self.permission):
            return _("You do not have permission for this action.")
        return None

    def preview(self, obj):
        """Why this item will be refused, or None when the action will be applied to it."""
        return None

    def object_context(self, obj):
        return {"item": obj, "status": SubmissionStatus(obj.status).label, "refused": self.preview(obj)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = context["items"]
        context.update(
            action=self,
            refusal=self.whole_refusal([entry["item"] for entry in items]),
            will_apply=sum(1 for entry in items if not entry["refused"]),
            will_refuse=sum(1 for entry in items if entry["refused"]),
        )
        return context

    def form_valid(self, form):
        objects, _none = self.get_actionable_objects()
        refusal = self.whole_refusal(objects)
        if refusal:
            return self.form_invalid(form)  # the confirmation page again, with the reason
        return super().form_valid(form)


class TransitionBulkAction(SubmissionBulkAction):
    """A state transition applied to each selected registration in turn, each in its own savepoint."""

    transition = ""
    permission = transitions.CLAIM

    def preview(self, obj):
        return transitions.why_not(obj, self.transition, self.request.user)

    def get_execution_context(self):
        self.results = []
        return {"user": self.request.user, "name": self.transition, "results": self.results}

    @classmethod
    def execute_action(cls, objects, *, user, name, results, **kwargs):
        done = 0
        for submission in objects:
            try:
                with transaction.atomic():
                    transitions.perform(submission, name, user)
            except transitions.TransitionError as error:
                results.append({"item": submission, "done": False, "message": error.message})
            else:
                done += 1
                results.append({"item": submission, "done": True,
                                "message": SubmissionStatus(submission.status).label})
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return None  # the results page says it, item by item, with the counts

    def form_valid(self, form):
        response = super().form_valid(form)
        if getattr(self, "results", None) is None or response.status_code != 302:
            return response  # refused as a whole (the confirmation again), or a hook's own response
        done = sum(1 for result in self.results if result["done"])
        refused = len(self.results) - done
        if done:
            messages.success(self.request, ngettext(
                "%(action)s: %(count)s registration done.", "%(action)s: %(count)s registrations done.", done
            ) % {"action": self.display_name, "count": done})
        if refused:
            messages.warning(self.request, ngettext(
                "%(count)s registration was not changed (see the reason on its row).",
                "%(count)s registrations were not changed (see the reason on each row).", refused,
            ) % {"count": refused})
        return TemplateResponse(self.request, TEMPLATE_DIR + "results.html", {
            "action": self, "results": self.results, "done": done, "refused": refused, "next": self.next_url,
        })


class ClaimBulkAction(TransitionBulkAction):
    display_name = _("Claim")
    aria_label = _("Claim the selected registrations")
    action_type = "claim"
    transition = "claim"
    action_priority = 10


class CompleteBulkAction(TransitionBulkAction):
    display_name = _("Send for review")
    aria_label = _("Send the selected registrations for review")
    action_type = "complete"
    transition = "complete"
    action_priority = 20


class RegisterBulkAction(TransitionBulkAction):
    display_name = _("Confirm and register")
    aria_label = _("Confirm and register the selected registrations (as reviewer)")
    action_type = "register"
    transition = "register"
    permission = transitions.REVIEW
    action_priority = 30


class PrintBulkAction(SubmissionBulkAction):
    """The selected forms as one PDF, one A4 page each, from the printable form's template."""

    display_name = _("Print as one PDF")
    aria_label = _("Print the selected registration forms as one PDF")
    action_type = "print"
    permission = REVEAL
    action_priority = 40

    def selection_queryset(self):
        from forms_intake.services.bulk_pdf import PRINT_RELATED

        return Submission.objects.select_related(*PRINT_RELATED)

    def whole_refusal(self, objects):
        refusal = super().whole_refusal(objects)
        if refusal is None and len(objects) > MAX_PDF_FORMS:
            return _("One PDF holds at most %(max)s forms; you selected %(count)s. Select fewer and print "
                     "them in several PDFs.") % {"max": MAX_PDF_FORMS, "count": len(objects)}
        return refusal

    def as_job(self):
        from forms_intake.backoffice.bulk_print_job import INLINE_PDF_FORMS

        return len(self.selection or ()) > INLINE_PDF_FORMS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["as_job"] = self.as_job()
        return context

    def get_execution_context(self):
        # A job records each form as its worker renders it (bulk_print_job); here they are rendered now.
        return {"user": self.request.user, "record": not self.as_job()}

    @classmethod
    def execute_action(cls, objects, *, user, record, **kwargs):
        for submission in objects if record else ():  # the forms show the full ID: recorded as the print view
            audit.record(submission, "print", user, from_status=submission.status, to_status=submission.status,
                         note="PDF")
        return len(objects), 0

    def form_valid(self, form):
        from forms_intake.backoffice.bulk_print_job import start_print_job
        from forms_intake.services.bulk_pdf import forms_filename, render_many_pdf

        response = super().form_valid(form)
        if response.status_code != 302:
            return response
        if self.as_job():
            job = start_print_job(self.request, self.selection)
            messages.success(self.request, _("The PDF of %(count)s forms is being prepared; it will be ready to "
                                             "download here.") % {"count": len(self.selection)})
            return redirect("forms_intake_jobs:detail", pk=job.pk)
        content = render_many_pdf(self.request, self.selection)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{forms_filename(len(self.selection))}"'
        add_never_cache_headers(response)
        return response


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")],
                               initial="xlsx", widget=forms.RadioSelect)


class ExportBulkAction(SubmissionBulkAction):
    """The selected rows as the queue's own export (columns, labels, masking, one ExportAudit entry)."""

    display_name = _("Export selected")
    aria_label = _("Export the selected registrations")
    action_type = "export"
    action_priority = 50
    form_class = ExportFormatForm

    def selection_queryset(self):
        return Submission.objects.all()

    def get_execution_context(self):
        return {}

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return len(objects), 0  # the export records itself (AuditedExport), once

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code != 302:
            return response
        view = queue_export_view(self.request, [obj.pk for obj in self.selection], form.cleaned_data["format"])
        queryset = view.get_queryset().filter(pk__in=[obj.pk for obj in self.selection])
        return view.as_spreadsheet(queryset, form.cleaned_data["format"])


def queue_export_view(request, ids, spreadsheet_format):
    """The queue's index view set up as for its export URL, the ids as the recorded filter."""
    url = reverse("forms_intake_submission:index")
    match = resolve(url)
    query = QueryDict(mutable=True)
    query["export"] = spreadsheet_format
    query.setlist("id", [str(pk) for pk in ids])
    export_request = HttpRequest()
    export_request.method = "GET"
    export_request.path = export_request.path_info = url
    export_request.GET = query
    export_request.user = request.user
    export_request.session = request.session
    export_request.resolver_match = match
    export_request.META = request.META
    view = match.func.view_class(**match.func.view_initkwargs)
    view.setup(export_request, *match.args, **match.kwargs)
    view.audit_listing = "selected"
    return view


BULK_ACTIONS = [ClaimBulkAction, CompleteBulkAction, RegisterBulkAction, PrintBulkAction, ExportBulkAction]


def offered_actions(user):
    """The bulk actions the user may use, in order (for the footer of the listing)."""
    return [action for action in sorted(BULK_ACTIONS, key=lambda a: a.action_priority)
            if user.has_perm(action.permission)]
