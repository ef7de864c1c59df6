"""The submission detail page, the audited reveal, the printed form and the state actions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.views.generic import InspectView

from forms_intake.backoffice.display import choice_label, user_name
from forms_intake.backoffice.filters import FLAG_CHOICES
from forms_intake.backoffice.policy import REVEAL, ScopedObjectMixin
from forms_intake.models import Submission
from forms_intake.rules import annex2
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import audit, correction_requests, notifications, submissions, transitions
from forms_intake.services.scope import (
    get_scoped_submission_or_404,
    scoped_submissions,
)

# --------------------------------------------------------------------------
# Detail page, reveal and actions
# --------------------------------------------------------------------------

#: The staff's processing fields, after the Annex 2 sections (labels are the model's verbose names).
PROCESSING_FIELDS = ["reference", "status", "channel", "queue_code", "declared_at", "created_at", "handler",
                     "handled_at", "reviewer", "reviewed_at", "resident_message", "rejection_reason"]
#: The Annex 2 fields of the detail page by section (from the schema), then the processing fields.
DETAIL_SECTIONS = [
    *((title, [f.name for f in annex2.schema().by_section.get(key, ())]) for key, title in annex2.schema().sections),
    (_("Processing"), PROCESSING_FIELDS),
]


def _annex2_value(spec, submission, revealed):
    """One Annex 2 answer as the detail page shows it: masked unless revealed (the ID number only)."""
    if spec.masked_column:
        return getattr(submission, spec.name if (revealed and spec.name == "id_number") else spec.masked_column)
    value = getattr(submission, spec.name)
    if spec.kind == "choice":
        return spec.choice_label(value) if value else ""
    if spec.kind == "bool":
        return _("Yes") if value else _("No")
    return value


def _processing_value(submission, name):
    field = Submission._meta.get_field(name)
    if name == "rejection_reason":
        reason = submission.rejection_reason
        return choice_label(transitions.RejectionReason, reason) if reason else ""
    if field.choices:
        return getattr(submission, f"get_{name}_display")()
    if name in ("handler", "reviewer"):
        return user_name(getattr(submission, name))
    return getattr(submission, name)


def _field_rows(submission, revealed):
    schema = annex2.schema()
    sections = []
    for key, title in schema.sections:
        rows = []
        for spec in schema.by_section.get(key, ()):
            value = _annex2_value(spec, submission, revealed)
            rows.append({"name": spec.name, "label": spec.label, "value": value if value not in (None, "") else "—"})
        sections.append((title, rows))
    rows = []
    for name in PROCESSING_FIELDS:
        value = _processing_value(submission, name)
        rows.append({"name": name, "label": Submission._meta.get_field(name).verbose_name,
                     "value": value if value not in (None, "") else "—"})
    sections.append((_("Processing"), rows))
    return sections


def _field_label(name):
    spec = annex2.schema().by_name.get(name)
    if spec is not None:
        return spec.label
    try:
        return Submission._meta.get_field(name).verbose_name
    except Exception:  # noqa: BLE001 - a field removed since the event was written
        return name


def _timeline(submission):
    """The submission's events, with corrected fields labelled as on the form."""
    events = list(submission.events.select_related("user").order_by("created_at", "id"))
    for event in events:
        event.change_rows = [
            (_field_label(name), change.get("before", ""), change.get("after", ""))
            for name, change in (event.changes or {}).items()
        ]
    return events


class ActionForm(forms.Form):
    """Note and reason of a transition (what each needs is checked by transitions.perform)."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", "—"), *transitions.RejectionReason.choices]
    )


class SubmissionInspectView(ScopedObjectMixin, InspectView):
    """Every Annex 2 field, the masked ID (reveal on POST), the timeline and the allowed actions."""

    template_name = "forms_intake/admin/inspect.html"
    revealed = False

    def get_fields(self):
        return []

    def get_page_subtitle(self):
        return self.object.reference

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.object
        user = self.request.user
        events = _timeline(submission)
        context.update(
            submission=submission,
            sections=_field_rows(submission, self.revealed),
            revealed=self.revealed,
            can_reveal=user.has_perm(REVEAL) and not self.revealed,
            can_print=user.has_perm(REVEAL),
            events=events,
            phone_confirmation=submissions.phone_confirmation(submission, events),
            action_labels=audit.ACTION_LABELS,
            status_labels=dict(SubmissionStatus.choices),
            transitions=transitions.available(submission, user),
            action_form=ActionForm(),
            resident_fields=correction_requests.resident_fields(),
            rejection_reasons=transitions.RejectionReason.choices,
            can_correct=transitions.can_correct(submission, user),
            can_reroute=user.has_perm(transitions.REROUTE),
            flags=[label for name, label in FLAG_CHOICES if getattr(submission, name)],
            # 已参保: the insurance found by the comparison job (issue 12), for staff who may see this submission.
            insurance=list(submission.insurance_matches.all()) if submission.flag_already_insured else [],
            # The text messages to the resident (issue 14): sent, waiting or failed, the number masked.
            notifications=notifications.for_staff(submission),
        )
        return context


class RevealView(SubmissionInspectView):
    """POST: show the full ID number once, and record who saw it (GET goes back to the detail page)."""

    def get(self, request, *args, **kwargs):
        return redirect("forms_intake_submission:inspect", self.object.pk)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(REVEAL):
            raise PermissionDenied
        audit.record(self.object, "reveal", request.user, from_status=self.object.status, to_status=self.object.status)
        self.revealed = True
        return self.render_to_response(self.get_context_data())


def print_view(request, pk):
    """The printable Annex 2 with the staff names and times (B's layout); shows the full ID, so it is recorded.

    ``?format=pdf``: the same form as a PDF download (recorded the same way, noted "PDF").
    """
    from forms_intake.services.pdf import pdf_response
    from forms_intake.services.printable import render_printable

    if not request.user.has_perm(REVEAL):
        raise PermissionDenied
    submission = get_scoped_submission_or_404(
        request.user, pk,
        Submission.objects.select_related(
            "hukou_division__parent__parent", "residence_division__parent__parent__parent",
            "employer_division__parent__parent__parent", "unit_division__parent__parent__parent",
            "handler", "reviewer",
        ),
    )
    as_pdf = request.GET.get("format") == "pdf"
    audit.record(submission, "print", request.user, from_status=submission.status, to_status=submission.status,
                 note="PDF" if as_pdf else "")
    if as_pdf:
        return pdf_response(request, submission)
    print_url = reverse("forms_intake_submission:print", args=[submission.pk])
    return render_printable(
        request, submission, back_url=reverse("forms_intake_submission:inspect", args=[submission.pk]),
        pdf_url=f"{print_url}?format=pdf",
    )


@require_POST
def action_view(request, pk, name):
    """Apply one transition from the detail page's buttons (or show why it is not possible)."""
    submission = get_scoped_submission_or_404(request.user, pk, Submission.objects.select_related("handler"))
    if name not in transitions.TRANSITIONS:
        raise Http404
    form = ActionForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        if name == "return":  # with the fields the resident may correct online (issue 14)
            correction_requests.return_for_correction(
                submission, request.user, note=data.get("note", ""), fields=request.POST.getlist("correct_fields")
            )
        else:
            transitions.perform(submission, name, request.user, note=data.get("note", ""),
                                reason=data.get("reason", ""))
    except transitions.TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(reference)s: %(action)s.") % {"reference": submission.reference,
                                                 "action": audit.ACTION_LABELS[name]},
        )
    return redirect("forms_intake_submission:inspect", submission.pk)


@require_POST
def bulk_claim_view(request):
    """Claim the checked waiting registrations; ids outside the user's divisions are ignored."""
    ids = [value for value in request.POST.getlist("id") if value.isdigit()][:500]
    queryset = scoped_submissions(request.user).filter(pk__in=ids, status=SubmissionStatus.SUBMITTED)
    claimed, skipped = transitions.claim_many(queryset.select_related("handler"), request.user)
    if claimed:
        messages.success(request, _("Claimed %(count)s registrations.") % {"count": len(claimed)})
    not_claimed = len(ids) - len(claimed)
    if not_claimed:
        messages.warning(
            request,
            _("%(count)s registrations could not be claimed (already claimed by someone else, or not available).")
            % {"count": not_claimed},
        )
    return redirect("forms_intake_submission:mine")


