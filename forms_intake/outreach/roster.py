"""The roster of unregistered people (未登记人员名册) for door-to-door visits, in the Wagtail admin.

A clerk sees the entries of their divisions only (services/visits.scoped_entries; 404 outside), filtered
by village, status and visit count, names and IDs masked; prints a visit sheet per village (an HTML page
for the printer and an XLSX workbook: masked IDs, blank columns for the outcome); opens an entry to
record a visit. "Registered on the spot" continues in assisted entry with ``?roster=<id>``: the entry's
details are read there, server-side, after the same scope check, never carried in a URL.
Provincial staff start the comparison again from the list (a background job).
"""

from __future__ import annotations

from io import BytesIO

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from openpyxl import Workbook
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms_intake.models import RosterEntry, Visit
from forms_intake.models.outreach import InsuranceType
from forms_intake.rules.personal_data import mask_name
from forms_intake.services import tasks, visits
from portal.security import log_security_event

Status = RosterEntry.Status
PER_PAGE = 50
#: Columns shown on the list and the sheets (only what the list needs is loaded).
LIST_FIELDS = ("pk", "name", "id_number_masked", "village_code", "queue_code", "residence_address",
               "phone_masked", "status", "visit_count")
VISIT_FILTERS = {"0": {"visit_count": 0}, "1": {"visit_count": 1}, "2": {"visit_count": 2},
                 "3": {"visit_count__gte": 3}}
COMPARE_PERMISSION = "forms_intake.import_outreach_data"


def _require_roster(request):
    if visits.roster_prefixes(request.user) == []:
        raise PermissionDenied


class RosterFilterForm(forms.Form):
    """Village, status and visit count; every value checked against its choices (bad input: ignored)."""

    village = forms.ChoiceField(label=_("village"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All")), ("open", _("To visit (待走访 or 待再访)")), *Status.choices])
    visits = forms.ChoiceField(label=_("visits"), required=False, choices=[
        ("", _("All")), ("0", _("not visited yet")), ("1", "1"), ("2", "2"), ("3", _("3 or more"))])

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", _("All"))] + [(code, code) for code in villages]

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["village"]:
            queryset = queryset.filter(village_code=data["village"])
        if data["status"] == "open":
            queryset = queryset.filter(status__in=visits.OPEN)
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["visits"]:
            queryset = queryset.filter(**VISIT_FILTERS[data["visits"]])
        return queryset


def _villages(user):
    # DISTINCT over the leading columns of roster_queue_idx: an index scan of the scope.
    return list(visits.scoped_entries(user).exclude(village_code="").order_by("village_code")
                .values_list("village_code", flat=True).distinct())


def _row(entry: dict) -> dict:
    entry = dict(entry)
    entry["name_masked"] = mask_name(entry["name"])
    entry["status_label"] = Status(entry["status"]).label if entry["status"] in Status.values else entry["status"]
    return entry


class RosterIndexView(WagtailAdminTemplateMixin, TemplateView):
    """The roster of the clerk's divisions, filtered and paginated."""

    template_name = "forms_intake/outreach/roster_index.html"
    page_title = _("Roster of unregistered people")
    header_icon = "group"

    def get(self, request, *args, **kwargs):
        _require_roster(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = RosterFilterForm(self.request.GET or None, villages=_villages(user))
        queryset = form.apply(visits.scoped_entries(user)).order_by("queue_code", "village_code", "id")
        paginator = WagtailPaginator(queryset.values(*LIST_FIELDS), PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        village = form.cleaned_data.get("village") if form.is_valid() else ""
        context.update(
            form=form, page=page, rows=[_row(entry) for entry in page.object_list], query=query.urlencode(),
            elided_page_range=paginator.get_elided_page_range(page.number),
            village=village, can_compare=self._can_compare(),
        )
        return context

    def _can_compare(self):
        user = self.request.user
        return user.has_perm(COMPARE_PERMISSION) and visits.roster_prefixes(user) in (None, ["43"])


class VisitForm(forms.Form):
    """What the clerk saw at the door. The visit count seen guards against counting a visit twice."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=Visit.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note (the reason, when refused)"), max_length=300, required=False)
    insured_place = forms.CharField(label=_("参保地"), max_length=100, required=False)
    insurance_type = forms.ChoiceField(label=_("险种"), required=False,
                                       choices=[("", "—"), *InsuranceType.choices])
    revisit_on = forms.DateField(label=_("revisit on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    seen_visits = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class RosterEntryView(WagtailAdminTemplateMixin, TemplateView):
    """One person of the roster: masked details, the visit history, and the form to record a visit."""

    template_name = "forms_intake/outreach/roster_entry.html"
    header_icon = "user"

    def dispatch(self, request, *args, pk, **kwargs):
        # Recording a visit needs no plaintext: the ID and phone numbers are not decrypted for a POST.
        self.entry = visits.get_entry_or_404(request.user, pk, decrypted=request.method != "POST")
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Roster entry %(masked)s") % {"masked": self.entry.id_number_masked}

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(),
                {"url": reverse("forms_intake_roster:index"), "label": _("Roster of unregistered people")},
                {"url": "", "label": self.get_page_title()}]

    def post(self, request, *args, **kwargs):
        if not visits.can_visit(request.user):
            raise PermissionDenied
        form = VisitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if data["outcome"] == Visit.Outcome.REGISTERED:
                # Only the entry's id goes into the URL; assisted entry reads the details after its scope check.
                return redirect(f"{reverse('forms_intake_submission:add')}?roster={self.entry.pk}")
            try:
                visits.record_visit(
                    self.entry, data["outcome"], request.user, seen_visits=data["seen_visits"], note=data["note"],
                    insured_place=data["insured_place"], insurance_type=data["insurance_type"],
                    revisit_on=data["revisit_on"],
                )
            except visits.VisitInvalid as error:
                form.add_error(None, str(error))
            except visits.VisitConflict:
                messages.error(request, _("This entry changed meanwhile (another visit was recorded). "
                                          "Check its history and record your visit again if needed."))
                return redirect("forms_intake_roster:entry", self.entry.pk)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect(f"{reverse('forms_intake_roster:index')}?village={self.entry.village_code}")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.entry
        context.update(
            entry=entry, name_masked=mask_name(entry.name),
            visits=entry.visits.select_related("visited_by"),
            form=kwargs.get("form") or VisitForm(initial={"seen_visits": entry.visit_count}),
            can_visit=visits.can_visit(self.request.user) and entry.status in visits.VISITABLE,
            register_url=f"{reverse('forms_intake_submission:add')}?roster={entry.pk}",
        )
        return context


# --------------------------------------------------------------------------
# Visit sheets
# --------------------------------------------------------------------------

SHEET_HEADINGS = [_("No."), _("姓名"), _("身份证号码"), _("居住地址"), _("联系电话"), _("visits"),
                  _("status"), _("outcome"), _("note"), _("clerk and date")]


def _sheet_entries(request):
    """The open entries of one village (or of the whole scope when none is chosen), for printing."""
    _require_roster(request)
    villages = _villages(request.user)
    village = request.GET.get("village", "")
    queryset = visits.scoped_entries(request.user).filter(status__in=visits.OPEN)
    if village:
        if village not in villages:
            village = ""
        queryset = queryset.filter(village_code=village)
    rows = [_row(entry) for entry in queryset.order_by("queue_code", "village_code", "id").values(*LIST_FIELDS)]
    # The sheet carries names (the clerk needs them at the door) but masked IDs; its printing is an event.
    log_security_event("print", request, kind="visit_sheet", rows=len(rows), village=village[:12])
    return village, rows


class VisitSheetView(TemplateView):
    """A print-friendly page of one village's open entries with space to write each outcome."""

    template_name = "forms_intake/outreach/roster_sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        village, rows = _sheet_entries(self.request)
        context.update(village=village, rows=rows, headings=SHEET_HEADINGS)
        return context


def visit_sheet_xlsx(request):
    """The same sheet as an XLSX workbook (for clerks who fill it in on a laptop or print it from Excel)."""
    village, rows = _sheet_entries(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Visit sheet"))[:31])
    sheet.append([str(_("Village")), village or str(_("All"))])
    sheet.append([str(heading) for heading in SHEET_HEADINGS])
    for number, row in enumerate(rows, start=1):
        sheet.append([number, row["name"], row["id_number_masked"], row["residence_address"], row["phone_masked"],
                      row["visit_count"], str(row["status_label"]), "", "", ""])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="visit-sheet-{village or "all"}.xlsx"'
    return response


def start_comparison(request):
    """POST: provincial staff compare the staged population again (a job); then its progress page."""
    if request.method != "POST":
        return redirect("forms_intake_roster:index")
    if not (request.user.has_perm(COMPARE_PERMISSION) and visits.roster_prefixes(request.user) in (None, ["43"])):
        raise PermissionDenied
    job = tasks.enqueue_comparison(request.user)
    return redirect("forms_intake_jobs:detail", pk=job.pk)


def admin_urls():
    """The roster's URLs (registered by forms_intake.wagtail_hooks under /admin/outreach/roster/)."""
    return [
        path("", RosterIndexView.as_view(), name="index"),
        path("sheet/print/", VisitSheetView.as_view(), name="sheet"),
        path("sheet/xlsx/", visit_sheet_xlsx, name="sheet_xlsx"),
        path("compare/", start_comparison, name="compare"),
        path("entry/<str:pk>/", RosterEntryView.as_view(), name="entry"),
    ]
