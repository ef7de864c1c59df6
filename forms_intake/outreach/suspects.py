"""Admin screens of suspect insured records (疑点信息): a scoped list with counts per division, and the result.

Scoped like submissions (services/suspects.py ``scoped_suspects``): a clerk sees the records of their
divisions only, and any record elsewhere answers 404 on every URL. Recording a result needs
``change_suspectrecord`` and is written to Wagtail's log. The ID number is shown masked.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms_intake.models import SuspectRecord
from forms_intake.models.outreach import InsuranceType
from forms_intake.services import suspects

PER_PAGE = 50
RESULT_CHOICES = [(value, label) for value, label in SuspectRecord.Result.choices if value]


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=RESULT_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was checked and with whom. No ID or phone numbers."),
    )


class FilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=[("", _("All"))] + SuspectRecord.Rule.choices)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), ("open", _("待核查")), ("done", _("Verified"))]
    )


class _SuspectMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(suspects.VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SuspectListView(_SuspectMixin, WagtailAdminTemplateMixin, TemplateView):
    """The suspect records of the user's divisions, filtered by rule and state, with counts per division."""

    template_name = "forms_intake/outreach/suspects_list.html"
    page_title = _("Suspect insured records")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scoped = suspects.scoped_suspects(self.request.user)
        form = FilterForm(self.request.GET or None)
        records = scoped
        if form.is_valid():
            if form.cleaned_data["rule"]:
                records = records.filter(rule=form.cleaned_data["rule"])
            if form.cleaned_data["state"] == "open":
                records = records.filter(result="")
            elif form.cleaned_data["state"] == "done":
                records = records.exclude(result="")
        page = Paginator(records.order_by("queue_code", "result", "id"), PER_PAGE).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            filter_form=form, page=page, counts=suspects.counts_per_division(scoped), query=query.urlencode()
        )
        return context


class SuspectDetailView(_SuspectMixin, WagtailAdminTemplateMixin, TemplateView):
    """One suspect record, what the rule saw, and the clerk's result form."""

    template_name = "forms_intake/outreach/suspects_detail.html"
    header_icon = "warning"

    def get_page_title(self):
        return self.record.get_rule_display()

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm(suspects.VIEW_PERMISSION):
            raise PermissionDenied
        self.record = suspects.get_scoped_suspect_or_404(request.user, pk)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("forms_intake_suspects:index"), "label": _("Suspect insured records")},
            {"url": "", "label": self.get_page_title()},
        ]

    def details(self):
        """What the rule saw, as (label, text) rows; insurance types by their Annex names."""
        labels = dict(InsuranceType.choices)
        rows = []
        data = self.record.details or {}
        if data.get("insurance_type"):
            rows.append((_("险种"), labels.get(data["insurance_type"], data["insurance_type"])))
        if data.get("insurance_types"):
            rows.append((_("险种"), "、".join(str(labels.get(t, t)) for t in data["insurance_types"])))
        if data.get("places"):
            rows.append((_("参保地"), "、".join(data["places"])))
        if data.get("age") is not None:
            rows.append((_("Age"), str(data["age"])))
        if data.get("names_in_file"):
            rows.append((_("Names in the file"), "、".join(data["names_in_file"])))
        if data.get("names_count"):
            rows.append((_("Different names"), str(data["names_count"])))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ResultForm(initial={"result": self.record.result or None}))
        context.update(
            record=self.record,
            details=self.details(),
            can_change=self.request.user.has_perm(suspects.CHANGE_PERMISSION),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(suspects.CHANGE_PERMISSION):
            raise PermissionDenied
        form = ResultForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        suspects.record_result(self.record, request.user, form.cleaned_data["result"], form.cleaned_data["note"])
        messages.success(request, _("The result was recorded."))
        return redirect("forms_intake_suspects:index")


def admin_urls():
    """Registered under /admin/outreach/suspects/ by forms_intake.wagtail_hooks."""
    return [
        path("", SuspectListView.as_view(), name="index"),
        path("<int:pk>/", SuspectDetailView.as_view(), name="detail"),
    ]
