"""Re-routing a submission to another division's queue (provincial administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView

from forms_intake.backoffice.policy import ScopedObjectMixin
from forms_intake.models import Division
from forms_intake.rules.routing import UNASSIGNED_QUEUE
from forms_intake.services import transitions
from forms_intake.services.scope import (
    get_scoped_submission_or_404,
)


class RerouteForm(forms.Form):
    queue_code = forms.CharField(
        label=_("New division code"), max_length=12,
        help_text=_("A county (6 digits) or township (9 or 12 digits) code, or 43 for the provincial queue."),
    )
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)

    def clean_queue_code(self):
        code = self.cleaned_data["queue_code"].strip()
        if code != UNASSIGNED_QUEUE and not Division.objects.filter(code=code, code__startswith="43").exists():
            raise ValidationError(_("No division in Hunan has this code."))
        return code


class RerouteView(ScopedObjectMixin, InspectView):
    """Provincial administrators move a registration to another queue (logged)."""

    template_name = "forms_intake/admin/reroute.html"

    def get_fields(self):
        return []

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(transitions.REROUTE):
            get_scoped_submission_or_404(request.user, kwargs.get("pk"))
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RerouteForm())
        context["submission"] = self.object
        return context

    def post(self, request, *args, **kwargs):
        form = RerouteForm(request.POST)
        if form.is_valid():
            try:
                transitions.reroute(self.object, request.user, form.cleaned_data["queue_code"],
                                    note=form.cleaned_data["note"])
            except transitions.TransitionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Re-routed."))
                return redirect("forms_intake_submission:inspect", self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))


