"""Assisted entry (seed items 6 and 16): staff type in a paper Annex 2 in the Wagtail admin.

The page composes the public wizard's own step forms (forms_intake.forms), so
the validation is exactly the resident's; the staff part records the channel
(窗口 counter or 入户 door to door) and that the resident signed the paper
form. The new submission goes through the same `create_submission` (routing,
flags) and its timeline records which staff member entered it. The employer's
name is filled in from a valid code by the wizard's own script
(employer_lookup.js, in the unit part's media); without it the unit part checks
the code/name pair against the registry (steps/forms.py UnitForm).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forms_intake.models import Submission
from forms_intake.rules import annex2
from forms_intake.services import audit, divisions, visits
from forms_intake.services.scope import in_scope, user_prefixes
from forms_intake.services.submissions import answers_from_steps, create_submission
from forms_intake.steps import forms as steps
from forms_intake.steps.forms import step_context

ADD_PERMISSION = "forms_intake.add_submission"


class StaffEntryForm(forms.Form):
    """What only staff fill in: how the form reached them, and the paper signature."""

    channel = forms.ChoiceField(
        label=_("channel"),
        choices=[(Submission.Channel.COUNTER, Submission.Channel.COUNTER.label),
                 (Submission.Channel.DOOR_TO_DOOR, Submission.Channel.DOOR_TO_DOOR.label)],
        widget=forms.RadioSelect,
    )
    is_proxy = forms.BooleanField(label=_("The form was filed by a proxy (代理人)"), required=False)
    signed = forms.BooleanField(
        label=_("The resident (or proxy) signed the paper form (本人签名 / 代理人签名)."),
        error_messages={"required": _("Enter only forms that are signed.")},
    )


#: The parts of the paper form: the wizard's steps that ask stored Annex 2 fields (not who is filing, nor the review).
PARTS = [step for step in annex2.schema().steps if any(f.stored for f in annex2.schema().step_fields(step.name))]


def _build_forms(data, initial=None):
    """Bind every part of the page; each part gets what the wizard would give it (the schema's needs).

    The filer step is the staff part's "filed by a proxy" box; a part whose condition fails (no proxy,
    not employed) is shown unbound and left out of the submission.
    """
    initial = initial or {}
    staff = StaffEntryForm(data=data, prefix="staff", initial=initial.get("staff"))
    is_proxy = bool(data) and data.get("staff-is_proxy") in ("on", "true", "1")
    filing_for = annex2.FilingFor.OTHER if is_proxy else annex2.FilingFor.SELF
    answers = {"filer": {"filing_for": filing_for}}  # valid answers of the parts bound so far

    def value_of(need):
        return (answers.get(need.step) or {}).get(need.field)

    parts, active = {}, {}
    form_classes = dict(steps.STEP_FORMS)
    for step in PARTS:
        condition = step.condition
        applies = condition is None or bool(condition.test(value_of(condition)))
        form = form_classes[step.name](
            data=data if applies else None, prefix=step.name, wizard_context=step_context(step.needs, value_of),
            initial=initial.get(step.name),
        )
        if applies and form.is_bound and form.is_valid():
            answers[step.name] = form.cleaned_data
        parts[step.name] = form
        if applies:
            active[step.name] = form
    return staff, parts, active


def _roster_entry(request):
    """The roster entry of ``?roster=<id>`` when the clerk may record its visit (404 otherwise), else None."""
    if "roster" not in request.GET:
        return None
    entry = visits.get_entry_or_404(request.user, request.GET["roster"])
    if not visits.can_visit(request.user) or entry.status not in visits.VISITABLE:
        raise PermissionDenied
    return entry


def _link_roster_entry(request, entry, submission):
    try:
        visits.register_on_the_spot(entry, submission, request.user)
    except visits.VisitConflict:
        messages.warning(request, _("The roster entry was settled meanwhile; the registration is not linked to it."))


def assisted_entry_view(request):
    """GET: an empty paper-form page. POST: "Update the lists" re-renders; "Save" validates and stores."""
    if not request.user.has_perm(ADD_PERMISSION) or user_prefixes(request.user) == []:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    # 入户 "registered on the spot" (outreach/roster.py): only the entry's id is in the URL; its details are
    # read here after the scope check (404 outside the clerk's divisions) and prefill the parts.
    entry = _roster_entry(request)
    initial = {"staff": {"channel": Submission.Channel.DOOR_TO_DOOR}, **visits.prefill(entry)} if entry else None
    staff, parts, active = _build_forms(data, initial)
    if data is not None and "save" in data:
        # Validate every part (not just up to the first error) so that all errors show at once.
        results = [staff.is_valid()] + [form.is_valid() for form in active.values()]
        if all(results):
            cleaned = {name: form.cleaned_data for name, form in active.items()}
            cleaned["filer"] = {"filing_for": annex2.FilingFor.OTHER if "proxy" in active else annex2.FilingFor.SELF}
            submission, _created = create_submission(
                answers_from_steps(cleaned), channel=staff.cleaned_data["channel"], declared_at=timezone.now()
            )
            audit.record(
                submission, "assisted_entry", request.user, to_status=submission.status,
                note=str(Submission.Channel(staff.cleaned_data["channel"]).label),
            )
            messages.success(request, _("Registration %(reference)s saved.") % {"reference": submission.reference})
            if entry is not None:
                _link_roster_entry(request, entry, submission)
            if in_scope(request.user, submission):
                return redirect("forms_intake_submission:inspect", submission.pk)
            messages.info(request, _("It belongs to another division's queue and was routed there."))
            return redirect("forms_intake_submission:index")
    sections = [(form.title, name, form) for name, form in parts.items()]
    # The parts' own scripts, as the wizard includes them: the unit part's employer lookup
    # (employer_lookup.js, the public /api/v1/employers/ endpoint) fills in the employer's name.
    media = sum((form.media for form in active.values()), staff.media)
    return TemplateResponse(request, "forms_intake/admin/assisted_entry.html", {
        "staff_form": staff, "sections": sections, "active": set(active), "parts_media": media,
        "header_title": _("Enter a paper form"),
        # The wizard's script (wizard.js) fills each division select from the one above, as for residents.
        "divisions_url": reverse("forms_intake_submission:divisions"),
    })


def divisions_view(request):
    """The divisions one level down, as JSON, for the paper form's cascading selects (the wizard's endpoint,
    pages.RegistrationPage.divisions, answers the same for residents; here behind the admin's sign-in)."""
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    level = request.GET.get("level", "")
    parent = request.GET.get("parent", "")
    if level not in divisions.LEVEL_NAMES or len(parent) > 12 or not parent.isdigit() and level != "province":
        raise Http404
    options = divisions.options_for(level, parent)
    return JsonResponse({"options": [{"code": o.code, "name": str(o.name)} for o in options]})
