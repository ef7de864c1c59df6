"""Spot checks in the back office (抽查, seed items 20-21): draw, assign, findings, evaluation report.

A ModelViewSet over SpotCheck: the list (scoped, with each check's error rate and 95 % interval), the
draw form (its "add" view), the evaluation report (its "inspect" view, with the assignment form) and the
history. Beside it, the reviewer's own list of items and the finding form. The rules are in
forms_intake/services/spot_checks.py; every object outside the user's reach answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, DateColumn, UserColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import CreateView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from forms_intake.models import SpotCheck, SpotCheckItem
from forms_intake.rules import annex2
from forms_intake.rules import spot_checks as rules
from forms_intake.services import spot_checks as service


class SpotCheckPermissionPolicy(BasePermissionPolicy):
    """View with ``view_spotcheck``, draw (add) with ``add_spotcheck``; a drawn sample is never edited or deleted."""

    permissions = {"view": service.VIEW, "add": service.DRAW}

    def user_has_permission(self, user, action):
        permission = self.permissions.get(action)
        return permission is not None and user.is_active and user.has_perm(permission)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return action == "view" and service.checks_for(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        return service.checks_for(user) if "view" in actions else SpotCheck.objects.none()


register_permission_policy(SpotCheck, SpotCheckPermissionPolicy(SpotCheck))


def _percent(value):
    return "—" if value is None else f"{value * 100:.1f} %"


class EvaluationColumn(Column):
    """A figure of the check's evaluation, from the list's annotations (no query per row)."""

    def get_value(self, instance):
        checked, errors = instance.checked_count, instance.error_count
        if self.name == "checked":
            return f"{checked} / {instance.sample_size}"
        if self.name == "rate":
            return _percent(errors / checked) if checked else "—"
        interval = rules.wilson_interval(errors, checked)
        return f"{_percent(interval.low)} – {_percent(interval.high)}" if interval else "—"


class SpotCheckIndexView(IndexView):
    def get_base_queryset(self):
        return service.checks_for(self.request.user).annotate(
            checked_count=Count("items", filter=~Q(items__result="")),
            error_count=Count("items", filter=Q(items__result=SpotCheckItem.Result.ERROR)),
        )


class DrawForm(forms.ModelForm):
    """The draw: a division typed as its code, the sample size, and a seed (a fresh one when left blank)."""

    division_code = forms.CharField(
        label=_("Division code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("A division within your own, e.g. 430102 (county) or 430100 (city)."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Leave blank for a new one. The same seed on the same registrations draws the same sample."),
    )

    class Meta:
        model = SpotCheck
        fields = ["sample_size", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["sample_size"].min_value = 1
        self.fields["sample_size"].widget.attrs.update(min=1, max=rules.MAX_SAMPLE_SIZE)
        self.order_fields(["division_code", "sample_size", "seed", "note"])

    def clean_division_code(self):
        code = self.cleaned_data["division_code"].strip()
        division = service.drawable_divisions(self.user).filter(code=code).first()
        if division is None:
            raise ValidationError(_("This is not a division within your own divisions."))
        self.division = division
        return code


class DrawView(CreateView):
    """The viewset's "add" view: draws the sample through the service (recorded and audited there)."""

    def get_panel(self):
        return None

    def get_form_class(self):
        return DrawForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def is_valid(self, form):
        if not super().is_valid(form):
            return False
        try:
            data = form.cleaned_data
            self.drawn = service.draw(
                self.request.user, form.division, data["sample_size"], data.get("seed"), data.get("note", "")
            )
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return False
        return True

    def save_instance(self):
        return self.drawn

    def get_success_message(self, instance):
        return _("Sample drawn: %(size)d of %(population)d registrations of %(division)s (seed %(seed)d).") % {
            "size": instance.sample_size,
            "population": instance.population_count,
            "division": instance.division.name,
            "seed": instance.seed,
        }

    def get_success_url(self):
        return reverse("forms_intake_spotcheck:inspect", args=[self.object.pk])


class ScopedCheckMixin:
    def get_object(self, queryset=None):
        return service.get_check_or_404(self.request.user, self.kwargs.get("pk"))


class SpotCheckReportView(ScopedCheckMixin, InspectView):
    """The evaluation report of one division's check: figures, interval, errors by field, items, assignment."""

    template_name = "forms_intake/admin/spot_check_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = self.object
        evaluation = service.evaluation(check)
        interval = evaluation["interval"]
        context.update(
            check=check,
            evaluation=evaluation,
            rate=_percent(evaluation["rate"]),
            interval=(_percent(interval.low), _percent(interval.high)) if interval else None,
            items=check.items.select_related("reviewer").order_by("position"),
            field_labels=dict(service.error_field_choices()),
            can_assign=self.request.user.has_perm(service.ASSIGN),
            reviewers=service.eligible_reviewers(check) if self.request.user.has_perm(service.ASSIGN) else [],
            unassigned=check.items.filter(reviewer__isnull=True, result="").count(),
            reproducible=service.redraw_ids(check)
            == list(check.items.order_by("position").values_list("submission_id", flat=True)),
        )
        return context


class SpotCheckHistoryView(ScopedCheckMixin, HistoryView):
    pass


@require_POST
def assign_view(request, pk):
    check = service.get_check_or_404(request.user, pk)
    ids = [int(v) for v in request.POST.getlist("reviewer") if v.isdigit()]
    reviewers = list(get_user_model().objects.filter(pk__in=ids).order_by("username"))
    try:
        count = service.assign(request.user, check, reviewers)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("You may not assign the items of this spot check."))
    else:
        messages.success(request, _("%(count)d items assigned.") % {"count": count})
    return redirect("forms_intake_spotcheck:inspect", check.pk)


class MySpotCheckItemsView(WagtailAdminTemplateMixin, TemplateView):
    """The reviewer's own spot-check items (what is left to check first)."""

    template_name = "forms_intake/admin/spot_check_mine.html"
    page_title = _("My spot checks")
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = service.items_for_reviewer(self.request.user)
        return context


class FindingForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        widget=forms.RadioSelect,
        choices=[(SpotCheckItem.Result.CORRECT, _("Correct")), (SpotCheckItem.Result.ERROR, _("Error found"))],
    )
    error_field = forms.ChoiceField(label=_("Field in error"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["error_field"].choices = [("", "—"), *service.error_field_choices()]


def _answers(submission):
    """The registration's Annex 2 answers as the re-check reads them, personal numbers masked."""
    rows = []
    if submission is None:
        return rows
    for spec in annex2.schema().stored:
        if spec.masked_column:
            value = getattr(submission, spec.masked_column)
        else:
            value = getattr(submission, spec.name)
            if spec.kind == "choice" and value:
                value = spec.choice_label(value)
            elif spec.kind == "bool":
                value = _("Yes") if value else _("No")
        rows.append((spec.label, value if value not in (None, "") else "—"))
    return rows


class FindingView(WagtailAdminTemplateMixin, TemplateView):
    """One sampled registration: its answers to compare with the paper form, and the finding."""

    template_name = "forms_intake/admin/spot_check_finding.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, pk, **kwargs):
        self.item = service.get_item_for_reviewer_or_404(request.user, pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Spot check %(reference)s") % {"reference": self.item.reference}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        initial = {"result": self.item.result, "error_field": self.item.error_field, "note": self.item.note}
        context.update(
            item=self.item, form=form or FindingForm(initial=initial), answers=_answers(self.item.submission)
        )
        return context

    def post(self, request, *args, **kwargs):
        form = FindingForm(request.POST)
        if form.is_valid():
            try:
                service.record_finding(
                    request.user,
                    self.item,
                    form.cleaned_data["result"],
                    form.cleaned_data["error_field"],
                    form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Finding recorded for %(reference)s.") % {"reference": self.item.reference})
                following = service.items_for_reviewer(request.user).filter(result="").first()
                if following is not None:
                    return redirect("forms_intake_spotcheck:finding", following.pk)
                return redirect("forms_intake_spotcheck:mine")
        return self.render_to_response(self.get_context_data(form=form))


class SpotCheckViewSet(ModelViewSet):
    model = SpotCheck
    icon = "crosshairs"
    name = "spot-checks"
    url_namespace = "forms_intake_spotcheck"
    url_prefix = "registrations/spot-checks"
    menu_label = _("Spot checks")
    menu_order = 260
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SpotCheckIndexView
    add_view_class = DrawView
    inspect_view_class = SpotCheckReportView
    history_view_class = SpotCheckHistoryView
    form_fields = ["sample_size", "note"]
    list_per_page = 50
    list_filter = ["division__level"]
    list_display = [
        Column("division", label=_("division"), accessor="division.name"),
        DateColumn("drawn_at", label=_("drawn at"), sort_key="drawn_at"),
        UserColumn("drawn_by", label=_("drawn by")),
        Column("seed", label=_("random seed")),
        EvaluationColumn("checked", label=_("checked")),
        EvaluationColumn("rate", label=_("error rate")),
        # xgettext:no-python-format (a label, not a format string)
        EvaluationColumn("interval", label=_("95 % confidence interval")),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/assign/", assign_view, name="assign"),
            path("mine/", MySpotCheckItemsView.as_view(), name="mine"),
            path("item/<int:pk>/", FindingView.as_view(), name="finding"),
        ]


spot_check_viewset = SpotCheckViewSet()
