"""The 参保登记 back office in the Wagtail admin: queue, my items, detail, actions, exports.

Built on Wagtail's ModelViewSet (``SubmissionViewSet``). Scope holds in three
places, so that no view can forget it:

1. ``SubmissionPermissionPolicy``: per-instance permissions and the
   instances a user may act on are the user's divisions (scope.py); delete is
   refused to everyone (registrations are never deleted, only rejected);
2. every view class fetches its object with ``get_scoped_submission_or_404``
   and lists from ``scoped_submissions``;
3. ``SubmissionViewSet.get_urlpatterns`` wraps every URL that takes a ``pk``
   in ``scope_guard``, which answers 404 before the view runs.
"""

from __future__ import annotations

import os
from functools import wraps
from itertools import islice

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.forms.utils import flatatt
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn, UserColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import DeleteView, EditView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from . import audit, transitions
from .choices import EmploymentStatus, NotInsuredReason, ServiceBank
from .flags import FLAG_FIELDS, id_hash
from .models import Division, StaffDivision, Submission
from .routing import UNASSIGNED_QUEUE
from .scope import get_scoped_submission_or_404, in_scope, scoped_submissions, user_divisions, user_prefixes
from .states import SubmissionStatus
from .validators import is_valid_reference_number, normalize_id_number, normalize_reference_number

REVEAL = "forms_intake.reveal_id_number"
EXPORT_UNMASKED = "forms_intake.export_unmasked"
#: Cell values starting with these would run as formulas in Excel or WPS.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Exports read rows in chunks of this size (a server-side cursor on PostgreSQL) and record one
#: timeline event per exported registration per chunk: memory stays flat whatever the export's size.
EXPORT_AUDIT_BATCH = 2000


# --------------------------------------------------------------------------
# Permissions and scope
# --------------------------------------------------------------------------


class SubmissionPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, restricted per instance to the user's divisions; no deletion at all."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Submission.objects.none()
        return scoped_submissions(user)


def scope_guard(view):
    """404 before ``view`` runs when the URL's submission is outside the user's divisions."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if "pk" in kwargs:
            get_scoped_submission_or_404(request.user, kwargs["pk"])
        return view(request, *args, **kwargs)

    return guarded


class ScopedObjectMixin:
    """Fetch the view's submission within the user's divisions (404 otherwise)."""

    def get_base_object_queryset(self):
        return scoped_submissions(self.request.user)

    def get_object(self, queryset=None):
        if getattr(self, "object", None) is not None and isinstance(self.object, Submission):
            return self.object
        return get_scoped_submission_or_404(
            self.request.user, self.kwargs.get("pk"), Submission.objects.select_related("handler", "reviewer")
        )


# --------------------------------------------------------------------------
# Listing: filters, search, columns, export
# --------------------------------------------------------------------------

FLAG_CHOICES = [(name, Submission._meta.get_field(name).verbose_name) for name in FLAG_FIELDS]


class PlainSelect(forms.Select):
    """Django's Select with the markup of its templates built in Python (same escaping and attributes).

    Django renders one template per ``<option>``; the division filter of a provincial
    administrator lists every township of Hunan (~2,100 options), which took about half of
    the province-wide queue page's time. Flat choices only (no option groups).
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            mark = " selected" if option_value in selected else ""
            if mark and not self.allow_multiple_selected:
                selected = set()
            parts.append(f'<option value="{escape(option_value)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        # Every value and label went through escape() above.
        return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703


def division_choices(request):
    """The user's divisions and everything below them, indented by level (the drill-down)."""
    rows = user_divisions(request.user).filter(level__lte=Division.Level.TOWNSHIP).values_list("code", "name", "level")
    choices = [(UNASSIGNED_QUEUE, _("Provincial queue (待分派)"))] if request.user.is_superuser else []
    choices += [(code, "\u2003" * (level - 1) + f"{name} ({code})") for code, name, level in rows]
    return choices


class SubmissionFilterSet(WagtailFilterSet):
    """Filters of the queue list; every filter is an indexed equality or range within the scope."""

    # distinct=False: a plain IN on one column cannot duplicate rows, and django-filter's default
    # SELECT DISTINCT over every column (ciphertext included) cost ~100 ms per query at 1M rows.
    status = django_filters.MultipleChoiceFilter(
        label=_("status"), choices=SubmissionStatus.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    division = django_filters.ChoiceFilter(
        label=_("division"), method="filter_division", choices=[], widget=PlainSelect
    )
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Submission.Channel.choices)
    employment_status = django_filters.ChoiceFilter(label=_("就业状态"), choices=EmploymentStatus.choices)
    not_insured_reason = django_filters.ChoiceFilter(label=_("未参保原因"), choices=NotInsuredReason.choices)
    created_at = django_filters.DateFromToRangeFilter(label=_("submitted at"), widget=DateRangePickerWidget)
    flag = django_filters.ChoiceFilter(label=_("suspect flags (疑点信息)"), method="filter_flag", choices=[
        ("any", _("any suspect flag")), *FLAG_CHOICES
    ])

    class Meta:
        model = Submission
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["division"].extra["choices"] = division_choices(request)

    def filter_division(self, queryset, name, value):
        from .routing import scope_prefix
        from .scope import prefix_q

        if value == UNASSIGNED_QUEUE:
            return queryset.filter(queue_code=UNASSIGNED_QUEUE)
        return queryset.filter(prefix_q(scope_prefix(value)))

    def filter_flag(self, queryset, name, value):
        if value == "any":
            return queryset.filter(has_flags=True)
        if value in FLAG_FIELDS:
            return queryset.filter(**{value: True})
        return queryset


# An ID number typed into the listing's search box is swapped for its keyed hash,
# kept in the session, so the number never stays in a URL (history, proxies, logs).
ID_SEARCH_SESSION_KEY = "forms_intake.id_search_hash"
ID_SEARCH_PARAM = "id_search"


def looks_like_id_number(query):
    """Whether a search query is a full 18-character resident ID number."""
    number = normalize_id_number(query or "")
    return len(number) == 18 and number[:17].isdigit()


def search_submissions(queryset, query):
    """Search by exact full ID number (keyed hash), reference number, or name (prefix).

    ID numbers are never compared in clear text or with LIKE: the typed
    number is normalised and hashed and matched to ``id_number_hash``.
    """
    query = (query or "").strip()
    if not query:
        return queryset
    number = normalize_id_number(query)
    if len(number) == 18 and number[:17].isdigit():
        return queryset.filter(id_number_hash=id_hash(number))
    if is_valid_reference_number(query):
        return queryset.filter(reference=normalize_reference_number(query))
    return queryset.filter(name__startswith=query)


class PlainColumn(Column):
    """Wagtail's Column with the markup of its ``cell.html`` built in Python.

    The queue renders 50 rows x 9 columns; a template render per plain-text
    cell was a third of the page's time at one million submissions. Same
    escaping (format_html) and the same ``<td>`` as Wagtail's template.
    """

    def render_cell_html(self, instance, parent_context):
        value = self.get_value(instance)
        if value is None or not str(value).strip():
            value = self.empty_value_display
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, value)
        return format_html("<td>{}</td>", value)


class StatusColumn(PlainColumn):
    """The state label, with a marker for suspect flags."""

    def get_value(self, instance):
        label = SubmissionStatus(instance.status).label
        if instance.has_flags:
            return format_html('{} <span class="w-status w-status--label">{}</span>', label, _("疑点"))
        return label


class QueueColumn(PlainColumn):
    def get_value(self, instance):
        if instance.queue_code == UNASSIGNED_QUEUE:
            return _("Provincial queue (待分派)")
        return getattr(instance, "queue_name", None) or instance.queue_code


class ClaimCheckboxColumn(Column):
    """A checkbox belonging to the bulk-claim form (HTML form attribute: works without JavaScript).

    Built in Python like PlainColumn's cells (one per row of every queue page).
    """

    def render_cell_html(self, instance, parent_context):
        if instance.status != SubmissionStatus.SUBMITTED:
            return format_html("<td>{}</td>", "")
        return format_html(
            '<td><input type="checkbox" name="id" value="{}" form="bulk-claim-form" aria-label="{}"></td>',
            instance.pk,
            _("Select %(reference)s") % {"reference": instance.reference},
        )


def _queue_name_subquery():
    return Subquery(Division.objects.filter(code=OuterRef("queue_code")).values("name")[:1])


EXPORT_FIELDS = [
    "reference",
    "status_label",
    "queue_code",
    "name",
    "id_number_masked",
    "gender",
    "birth_date",
    "phone_masked",
    "employment_status_label",
    "employer_name",
    "hukou_division",
    "residence_division",
    "residence_village",
    "residence_street",
    "not_insured_reason_label",
    "service_bank_label",
    "unit_type",
    "unit_name",
    "unit_code",
    "channel",
    "handler_name",
    "handled_at",
    "reviewer_name",
    "reviewed_at",
    "has_flags",
    "created_at",
]


#: Encrypted columns the list never shows: not read, so never decrypted.
_ENCRYPTED_FIELDS = ("id_number", "phone", "proxy_phone", "proxy_id_number")


class DeferredJoinPaginator(WagtailPaginator):
    """Pages over ids first, then loads only that page's rows with their joins.

    A plain ``LIMIT 50 OFFSET n`` on the full queryset makes PostgreSQL join,
    annotate and sort n + 50 wide rows (ciphertext included) to throw n away:
    page 100 of a county cost ~120 ms at one million submissions. The id query
    is an index-only scan of ``submission_queue_cover_idx``; the second query
    fetches 50 rows by primary key. Two queries whatever the page number.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class SubmissionIndexView(IndexView):
    """The queue: the user's divisions only, oldest first, filters, search, bulk claim, export."""

    template_name = "forms_intake/admin/index.html"
    default_ordering = "created_at"
    filterset_class = SubmissionFilterSet
    search_fields = ["name"]  # enables the search box; search_queryset does the real work
    paginate_by = 50
    paginator_class = DeferredJoinPaginator

    def get_base_queryset(self):
        queryset = scoped_submissions(self.request.user, super().get_base_queryset())
        if self.is_export:
            return self.export_queryset(queryset)
        return queryset.select_related("handler").defer(*_ENCRYPTED_FIELDS).annotate(
            queue_name=_queue_name_subquery()
        )

    def order_queryset(self, queryset):
        # The id breaks ties between equal timestamps, so that pages neither repeat nor skip rows.
        queryset = super().order_queryset(queryset)
        ordering = self.ordering if isinstance(self.ordering, (list, tuple)) else [self.ordering]
        last = ordering[-1] if ordering and ordering[-1] else ""
        return queryset.order_by(*[o for o in ordering if o], "-pk" if last.startswith("-") else "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_claim"] = self.request.user.has_perm(transitions.CLAIM)
        return context

    #: Whether the listing is the whole scope, so that the tally may count it (not in "my items").
    count_from_tally = True

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        count = self.tally_count()
        if count is not None:
            paginator.count = count  # a cached_property: page() and the page links read this
        return paginator

    def tally_count(self):
        """The listing's item count from the tally, when it is the scope by state and division only.

        Counting a province's million rows costs ~70 ms on a quiet machine (a county's 16,000,
        ~3 ms); the tally answers any scope at county level or above in a few milliseconds.
        None when a search or another filter is active, or the tally cannot answer.
        """
        from . import statistics

        if not self.count_from_tally or self.is_searching or self.request.GET.get(ID_SEARCH_PARAM):
            return None
        statuses, division = None, ""
        if self.filters and self.filters.is_valid():  # invalid filters are not applied (filter_queryset)
            cleaned = dict(self.filters.form.cleaned_data)
            statuses, division = cleaned.pop("status", None), cleaned.pop("division", None) or ""
            if division == UNASSIGNED_QUEUE or any(value not in (None, "", [], ()) for value in cleaned.values()):
                return None
        prefixes = statistics.scope_prefixes(user_prefixes(self.request.user), division)
        return statistics.tally_count(prefixes, statuses, using=self.get_base_queryset().db)

    def search_queryset(self, queryset):
        id_search_hash = self.request.session.get(ID_SEARCH_SESSION_KEY)
        if self.request.GET.get(ID_SEARCH_PARAM) and id_search_hash:
            queryset = queryset.filter(id_number_hash=id_search_hash)
        if not self.is_searching:
            return queryset
        return search_submissions(queryset, self.search_query)

    # ---- export: masked unless permitted, scoped, streamed (CSV), audited ----

    @cached_property
    def unmasked(self):
        return self.request.user.has_perm(EXPORT_UNMASKED)

    @property
    def list_export(self):
        fields = list(EXPORT_FIELDS)
        if self.unmasked:
            fields[fields.index("id_number_masked")] = "id_number"
            fields[fields.index("phone_masked")] = "phone"
        return fields

    @list_export.setter
    def list_export(self, value):  # the viewset passes list_export; the property decides
        pass

    export_headings = {
        "status_label": _("status"),
        "id_number_masked": _("身份证号码"),
        "id_number": _("身份证号码"),
        "phone_masked": _("联系电话"),
        "phone": _("联系电话"),
        "employment_status_label": _("就业状态"),
        "not_insured_reason_label": _("未参保原因"),
        "service_bank_label": _("社保卡服务银行"),
        "handler_name": _("经办人"),
        "reviewer_name": _("校核人"),
        "queue_code": _("queue"),
    }

    def to_row_dict(self, item):
        row = {}
        for field in self.list_export:
            if field == "status_label":
                value = SubmissionStatus(item.status).label
            elif field == "employment_status_label":
                value = _label(EmploymentStatus, item.employment_status)
            elif field == "not_insured_reason_label":
                value = _label(NotInsuredReason, item.not_insured_reason)
            elif field == "service_bank_label":
                value = _label(ServiceBank, item.service_bank)
            elif field in ("handler_name", "reviewer_name"):
                user = item.handler if field == "handler_name" else item.reviewer
                value = _user_name(user)
            elif field in ("hukou_division", "residence_division"):
                value = str(getattr(item, field))
            else:
                value = getattr(item, field)
            if hasattr(value, "__html__") or isinstance(value, type(_(""))):
                value = str(value)
            if isinstance(value, str) and value[:1] in _FORMULA_PREFIXES:
                # Spreadsheet formula injection: a leading quote makes Excel/WPS show it as text.
                value = "'" + value
            row[field] = value
        return row

    def export_queryset(self, queryset):
        """What an export reads: the joins its columns show, no encrypted column it does not print."""
        skipped = [name for name in _ENCRYPTED_FIELDS if name not in self.list_export]
        return queryset.select_related("handler", "reviewer", "hukou_division", "residence_division").defer(*skipped)

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "")
        if looks_like_id_number(query):
            request.session[ID_SEARCH_SESSION_KEY] = id_hash(normalize_id_number(query))
            params = request.GET.copy()
            params.pop("q", None)
            params.pop("p", None)
            params[ID_SEARCH_PARAM] = "1"
            return redirect(f"{request.path}?{params.urlencode()}")
        if self.is_export:
            # Straight to the spreadsheet: the listing's context (table, pagination, and an item
            # count that evaluates the whole unpaginated queryset) would hold every row in memory.
            return self.as_spreadsheet(self.get_queryset(), request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        audited = _AuditedExport(queryset, self.request.user, spreadsheet_format)
        return super().as_spreadsheet(audited, spreadsheet_format)


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _user_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class _AuditedExport:
    """Iterates an export queryset in chunks, recording an 'export' event for every row it yields.

    Works as the queryset of Wagtail's spreadsheet export (which only iterates
    it and reads ``.model``), so CSV stays streamed and memory stays flat.
    """

    def __init__(self, queryset, user, spreadsheet_format):
        self.queryset = queryset
        self.model = queryset.model
        self.user = user
        self.note = spreadsheet_format

    def __iter__(self):
        from django.utils import timezone

        from .models import SubmissionEvent, SubmissionLogEntry

        iterator = self.queryset.iterator(chunk_size=EXPORT_AUDIT_BATCH)
        now = timezone.now()
        content_type = _content_type()
        while True:
            batch = list(islice(iterator, EXPORT_AUDIT_BATCH))
            if not batch:
                return
            SubmissionEvent.objects.bulk_create(
                SubmissionEvent(submission=s, action="export", user=self.user, note=self.note, from_status=s.status,
                                to_status=s.status)
                for s in batch
            )
            SubmissionLogEntry.objects.bulk_create(
                SubmissionLogEntry(submission=s, content_type=content_type, label=s.reference,
                                   action=audit.PREFIX + "export", user=self.user, timestamp=now,
                                   data={"note": self.note})
                for s in batch
            )
            yield from batch


def _content_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Submission)


class MyItemsIndexView(SubmissionIndexView):
    """我的待办: what I claimed and have not finished (claimed, or sent back to me)."""

    page_title = _("My items")
    count_from_tally = False

    def get_base_queryset(self):
        return super().get_base_queryset().filter(handler=self.request.user, status=SubmissionStatus.CLAIMED)

    @cached_property
    def index_url(self):
        return reverse("forms_intake_submission:mine")

    def get_index_url(self):
        return reverse("forms_intake_submission:mine")

    def get_index_results_url(self):
        return reverse("forms_intake_submission:mine_results")


# --------------------------------------------------------------------------
# Detail page, reveal and actions
# --------------------------------------------------------------------------

# The Annex 2 fields of the detail page, by section (labels are the model's verbose names).
DETAIL_SECTIONS = [
    (_("Registered person"), ["name", "id_number", "gender", "birth_date", "phone"]),
    (_("就业状态"), ["employment_status", "employer_name", "employer_division", "employer_village"]),
    (_("户口所在地"), ["hukou_division"]),
    (_("常住所在地"), ["residence_division", "residence_village", "residence_street"]),
    (_("未参保原因"), ["not_insured_reason", "not_insured_reason_other", "service_bank"]),
    (_("代理人"), ["is_proxy_filing", "proxy_name", "proxy_id_number", "proxy_phone", "proxy_relationship"]),
    (_("登记单位"), ["unit_type", "unit_name", "unit_code", "unit_division", "unit_village"]),
    (_("Processing"), ["reference", "status", "channel", "queue_code", "declared_at", "created_at", "handler",
                       "handled_at", "reviewer", "reviewed_at", "resident_message", "rejection_reason"]),
]

_MASKED_DISPLAY = {
    "id_number": "id_number_masked",
    "phone": "phone_masked",
    "proxy_id_number": "proxy_id_number_masked",
    "proxy_phone": "proxy_phone_masked",
}

_CHOICE_LABELS = {
    "employment_status": EmploymentStatus,
    "not_insured_reason": NotInsuredReason,
    "service_bank": ServiceBank,
    "rejection_reason": transitions.RejectionReason,
}


def _field_rows(submission, revealed):
    from .choices import ProxyRelationship

    sections = []
    for title, names in DETAIL_SECTIONS:
        rows = []
        for name in names:
            field = Submission._meta.get_field(name)
            if name in _MASKED_DISPLAY:
                value = getattr(submission, name) if (revealed and name == "id_number") else getattr(
                    submission, _MASKED_DISPLAY[name])
            elif name in _CHOICE_LABELS:
                value = _label(_CHOICE_LABELS[name], getattr(submission, name)) if getattr(submission, name) else ""
            elif name == "proxy_relationship":
                value = _label(ProxyRelationship, submission.proxy_relationship or "") or ""
            elif field.choices:
                value = getattr(submission, f"get_{name}_display")()
            elif name in ("handler", "reviewer"):
                value = _user_name(getattr(submission, name))
            elif isinstance(field, type(Submission._meta.get_field("is_proxy_filing"))):
                value = _("Yes") if getattr(submission, name) else _("No")
            else:
                value = getattr(submission, name)
            rows.append({"name": name, "label": field.verbose_name, "value": value if value not in (None, "") else "—"})
        sections.append((title, rows))
    return sections


def _field_label(name):
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
        context.update(
            submission=submission,
            sections=_field_rows(submission, self.revealed),
            revealed=self.revealed,
            can_reveal=user.has_perm(REVEAL) and not self.revealed,
            can_print=user.has_perm(REVEAL),
            events=_timeline(submission),
            action_labels=audit.ACTION_LABELS,
            status_labels=dict(SubmissionStatus.choices),
            transitions=transitions.available(submission, user),
            action_form=ActionForm(),
            rejection_reasons=transitions.RejectionReason.choices,
            can_correct=transitions.can_correct(submission, user),
            can_reroute=user.has_perm(transitions.REROUTE),
            flags=[label for name, label in FLAG_CHOICES if getattr(submission, name)],
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
    """The printable Annex 2 with the staff names and times (B's layout); shows the full ID, so it is recorded."""
    from .printable import render_printable

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
    audit.record(submission, "print", request.user, from_status=submission.status, to_status=submission.status)
    return render_printable(
        request, submission, back_url=reverse("forms_intake_submission:inspect", args=[submission.pk])
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
        transitions.perform(submission, name, request.user, note=data.get("note", ""), reason=data.get("reason", ""))
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


# --------------------------------------------------------------------------
# Corrections (edit view) and re-routing
# --------------------------------------------------------------------------


class CorrectionForm(forms.Form):
    """Fields staff may correct (seed item 18). Blank ID/phone fields keep the stored value."""

    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(
        label=_("身份证号码"), required=False, max_length=30,
        help_text=_("Leave blank to keep the current number."),
    )
    phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=30, help_text=_("Leave blank to keep the current number.")
    )
    employment_status = forms.ChoiceField(label=_("就业状态"), choices=EmploymentStatus.choices)
    employer_name = forms.CharField(label=_("工作单位名称"), required=False, max_length=100)
    residence_village = forms.CharField(label=_("村（社区）"), required=False, max_length=60)
    residence_street = forms.CharField(label=_("街、路、巷门牌号"), required=False, max_length=100)
    not_insured_reason = forms.ChoiceField(label=_("未参保原因"), choices=NotInsuredReason.choices)
    not_insured_reason_other = forms.CharField(label=_("其他原因说明"), required=False, max_length=200)
    service_bank = forms.ChoiceField(label=_("社保卡服务银行"), choices=ServiceBank.choices)
    unit_name = forms.CharField(label=_("登记单位名称"), required=False, max_length=100)
    unit_code = forms.CharField(label=_("组织机构代码"), required=False, max_length=18)
    note = forms.CharField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text=_("For example: the resident brought their hukou booklet to the counter."),
    )

    def clean_name(self):
        from .validators import validate_person_name

        return validate_person_name(self.cleaned_data["name"])

    def clean_id_number(self):
        from .validators import parse_resident_id

        value = self.cleaned_data["id_number"]
        return parse_resident_id(value).number if value.strip() else ""

    def clean_phone(self):
        from .validators import normalize_phone

        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean_unit_code(self):
        from .validators import validate_employer_code

        value = self.cleaned_data["unit_code"]
        return validate_employer_code(value) if value.strip() else ""

    def clean(self):
        from .validators import check_employment_status_for_age, parse_resident_id

        cleaned = super().clean()
        status, number = cleaned.get("employment_status"), cleaned.get("id_number")
        born = parse_resident_id(number).birth_date if number else getattr(self, "birth_date", None)
        if status and born:
            from .validators import _today

            today = _today()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            try:
                check_employment_status_for_age(status, age)
            except ValidationError as error:
                self.add_error("employment_status", error)
        if cleaned.get("not_insured_reason") == NotInsuredReason.OTHER and not cleaned.get("not_insured_reason_other"):
            self.add_error("not_insured_reason_other", _("Describe the other reason."))
        return cleaned


class CorrectionView(ScopedObjectMixin, EditView):
    """The viewset's edit view: a correction form whose changes go through transitions.correct (audited)."""

    template_name = "forms_intake/admin/correct.html"
    form_class = CorrectionForm
    permission_required = "change"

    def get_form_class(self):
        return CorrectionForm

    def get_form_kwargs(self):
        kwargs = {"initial": self.get_initial(), "prefix": None}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
        return kwargs

    def get_form(self, form_class=None):
        form = CorrectionForm(**self.get_form_kwargs())
        form.birth_date = self.object.birth_date
        return form

    def get_initial(self):
        return {name: getattr(self.object, name) for name in CorrectionForm.base_fields if
                name not in ("id_number", "phone", "note")}

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not transitions.can_correct(self.object, request.user):
            messages.error(request, _("You cannot correct this registration now."))
            return redirect("forms_intake_submission:inspect", self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(submission=self.object)
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        values = {k: v for k, v in form.cleaned_data.items() if k != "note" and not (
            k in ("id_number", "phone") and not v)}
        changed = transitions.correct(self.object, request.user, values, note=form.cleaned_data["note"])
        if changed:
            messages.success(request, _("Corrections saved and recorded in the timeline."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("forms_intake_submission:inspect", self.object.pk)


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


class ScopedHistoryView(ScopedObjectMixin, HistoryView):
    any_permission_required = ["add", "change", "view"]


class ScopedUsageView(ScopedObjectMixin, UsageView):
    pass


class NoDeleteView(ScopedObjectMixin, DeleteView):
    """Registrations are never deleted (the policy refuses 'delete'); kept so Wagtail's URL names resolve."""


# --------------------------------------------------------------------------
# The viewsets and the 参保登记 menu group
# --------------------------------------------------------------------------


class SubmissionViewSet(ModelViewSet):
    """The registration queue of the user's divisions."""

    model = Submission
    icon = "form"
    name = "registrations"
    url_namespace = "forms_intake_submission"
    url_prefix = "registrations"
    menu_label = _("Queue")
    menu_order = 100
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SubmissionIndexView
    inspect_view_class = SubmissionInspectView
    edit_view_class = CorrectionView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    delete_view_class = NoDeleteView
    list_per_page = 50
    list_display = [
        ClaimCheckboxColumn("select", label=_("Select")),
        TitleColumn(
            "reference", label=_("reference number"),
            get_url=lambda obj: reverse("forms_intake_submission:inspect", args=[obj.pk]),
        ),
        PlainColumn("name", label=_("姓名")),
        PlainColumn("id_number_masked", label=_("身份证号码")),
        StatusColumn("status", label=_("status"), sort_key="status"),
        QueueColumn("queue", label=_("queue")),
        PlainColumn("channel", label=_("channel"), accessor="get_channel_display"),
        UserColumn("handler", label=_("经办人")),
        DateColumn("created_at", label=_("submitted at"), sort_key="created_at"),
    ]
    list_export = EXPORT_FIELDS
    export_filename = "registrations"
    form_fields = ["name"]  # unused: the edit view is CorrectionView

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        patterns += [
            path("mine/", self.mine_view, name="mine"),
            path("mine/results/", self.mine_results_view, name="mine_results"),
            path("reveal/<int:pk>/", self.construct_view(RevealView, **self.get_inspect_view_kwargs()), name="reveal"),
            path("action/<int:pk>/<slug:name>/", action_view, name="action"),
            path("reroute/<int:pk>/", self.construct_view(RerouteView, **self.get_inspect_view_kwargs()),
                 name="reroute"),
            path("bulk-claim/", bulk_claim_view, name="bulk_claim"),
            path("print/<int:pk>/", print_view, name="print"),
        ]
        # Scope before any view runs, for every URL with a pk, present or future.
        for pattern in patterns:
            if "pk" in pattern.pattern.converters:
                pattern.callback = scope_guard(pattern.callback)
        return patterns

    @cached_property
    def mine_view(self):
        return self.construct_view(MyItemsIndexView, **self.get_index_view_kwargs(
            index_url_name=self.get_url_name("mine"), index_results_url_name=self.get_url_name("mine_results")))

    @cached_property
    def mine_results_view(self):
        return self.construct_view(MyItemsIndexView, **self.get_index_view_kwargs(
            index_url_name=self.get_url_name("mine"), index_results_url_name=self.get_url_name("mine_results")),
            results_only=True)

    @property
    def add_view(self):
        # Assisted entry of a paper form, with the wizard's own step forms.
        from .assisted_entry import assisted_entry_view

        return assisted_entry_view


class _LinkViewSet(ViewSet):
    """A menu entry of the 参保登记 group pointing at a view of another viewset."""

    target_url_name = ""
    permission = "forms_intake.view_submission"

    def get_urlpatterns(self):
        return []

    @property
    def menu_url(self):
        return reverse(self.target_url_name)

    @property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        permission = self.permission

        class _Item(MenuItem):
            def is_shown(self, request):
                # user_prefixes is cached on the user: one query for all menu items.
                return request.user.has_perm(permission) and user_prefixes(request.user) != []

        return _Item


class MyItemsMenu(_LinkViewSet):
    name = "registrations-mine"
    menu_label = _("My items")
    icon = "tasks"
    menu_order = 10
    target_url_name = "forms_intake_submission:mine"
    permission = transitions.CLAIM


class QueueMenu(_LinkViewSet):
    name = "registrations-queue"
    menu_label = _("Queue")
    icon = "list-ul"
    menu_order = 20
    target_url_name = "forms_intake_submission:index"


class NewPaperFormMenu(_LinkViewSet):
    name = "registrations-new"
    menu_label = _("Enter a paper form")
    icon = "plus"
    menu_order = 30
    target_url_name = "forms_intake_submission:add"
    permission = "forms_intake.add_submission"


class StaffDivisionsMenu(_LinkViewSet):
    name = "registrations-staff-divisions"
    menu_label = _("Staff divisions")
    icon = "group"
    menu_order = 50
    target_url_name = "forms_intake_staffdivision:index"
    permission = "forms_intake.change_staffdivision"


class StatisticsMenu(_LinkViewSet):
    name = "registrations-statistics"
    menu_label = _("Statistics")
    icon = "table"
    menu_order = 40
    target_url_name = "forms_intake_statistics"


class StaffDivisionViewSet(ModelViewSet):
    """Which divisions each staff user works in (provincial administrators manage this)."""

    model = StaffDivision
    icon = "group"
    name = "staff-divisions"
    url_namespace = "forms_intake_staffdivision"
    url_prefix = "registrations/staff-divisions"
    menu_label = _("Staff divisions")
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = ["user", "division"]
    list_filter = ["division__level"]
    search_fields = ["user__username", "user__first_name", "division__name"]
    # The division is typed as its code: a select of 40 000 divisions would not be usable.
    panels = [
        FieldPanel("user"),
        FieldPanel("division", widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                   help_text=_("The division code, e.g. 430102001 (township), 430102 (county), 430100 (city).")),
    ]


submission_viewset = SubmissionViewSet()
staff_division_viewset = StaffDivisionViewSet()


class RegistrationMenuGroup(ViewSetGroup):
    """The 参保登记 menu: my items, queue, paper-form entry, statistics (the queue viewset registers the URLs)."""

    menu_label = _("参保登记")
    menu_icon = "form"
    menu_order = 150
    items = (MyItemsMenu, QueueMenu, NewPaperFormMenu, StatisticsMenu, StaffDivisionsMenu)


# --------------------------------------------------------------------------
# Statistics report (seed item 19) and the dashboard panel
# --------------------------------------------------------------------------


class StatisticsFilterSet(WagtailFilterSet):
    division = django_filters.ChoiceFilter(
        label=_("division"), method="filter_division", choices=[], widget=PlainSelect
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("submitted at"), widget=DateRangePickerWidget)

    class Meta:
        model = Submission
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["division"].extra["choices"] = [
                c for c in division_choices(request) if len(c[0]) <= 6 or c[0] == UNASSIGNED_QUEUE
            ]

    def filter_division(self, queryset, name, value):
        # Applied by the view (it needs the prefix for the drill-down too).
        return queryset


class StatisticsReportView(ReportView):
    """Counts by division (drill-down), state, employment status, reason, bank, gender and age band."""

    template_name = "forms_intake/admin/statistics.html"
    results_template_name = "forms_intake/admin/statistics_results.html"
    page_title = _("Registration statistics")
    header_icon = "table"
    index_url_name = "forms_intake_statistics"
    index_results_url_name = "forms_intake_statistics_results"
    filterset_class = StatisticsFilterSet
    paginate_by = None
    any_permission_required = ["view"]
    permission_policy = SubmissionPermissionPolicy(Submission)
    list_export = ["name", "code", "total", *SubmissionStatus.values]
    export_headings = {"name": _("division"), "code": _("code"), "total": _("total"),
                       **dict(SubmissionStatus.choices)}
    export_filename = "registration-statistics"

    @cached_property
    def parent_prefix(self):
        from .routing import scope_prefix
        from .scope import user_prefixes

        requested = scope_prefix(self.request.GET.get("division", ""))
        allowed = user_prefixes(self.request.user)
        if requested and (allowed is None or any(requested.startswith(p) for p in allowed)):
            return requested
        if allowed is None or not allowed:
            return "43"
        if len(allowed) == 1:
            return allowed[0]
        # Several divisions: start at their common level (e.g. two cities → the province).
        common = os.path.commonprefix(allowed)
        return common[: max((n for n in (2, 4, 6) if n <= len(common)), default=2)]

    @cached_property
    def up_division(self):
        """The division one level up, when the user may see it (for the "up one level" link)."""
        from .scope import user_prefixes

        up = {4: 2, 6: 4}.get(len(self.parent_prefix), 6 if len(self.parent_prefix) > 6 else 0)
        if not up:
            return None
        prefix = self.parent_prefix[:up]
        allowed = user_prefixes(self.request.user)
        if allowed is None or any(prefix.startswith(p) for p in allowed):
            return prefix
        return None

    def scoped(self):
        from .scope import prefix_q

        queryset = scoped_submissions(self.request.user).filter(prefix_q(self.parent_prefix))
        if self.filters and self.filters.is_valid():
            queryset = self.filters.filter_queryset(queryset)
        return queryset

    @cached_property
    def report(self):
        """(division rows, summary): one query on PostgreSQL (statistics.report)."""
        from . import statistics
        from .scope import user_prefixes

        filtered = self.filters and self.filters.is_valid() and any(
            value not in (None, "", [], ()) for name, value in self.filters.form.cleaned_data.items()
            if name != "division"  # the drill-down is the parent prefix, not a filter
        )
        # Without other filters the scope is a set of queue-code prefixes, which the tally can answer.
        prefixes = None if filtered else statistics.scope_prefixes(user_prefixes(self.request.user),
                                                                   self.parent_prefix)
        return statistics.report(self.scoped(), self.parent_prefix, prefixes=prefixes)

    def get_queryset(self):
        from types import SimpleNamespace

        rows = [dict(row) for row in self.report[0]]
        biggest = max((r["total"] for r in rows), default=0) or 1
        for row in rows:
            row["bar"] = round(row["total"] * 100 / biggest, 1)
            # The chart gives names 30% of the width and bars at most 60%.
            row["bar_chart"] = round(row["bar"] * 0.6, 1)
            row["label_x"] = round(30 + row["bar_chart"], 1)
            if row["name"] is None:
                row["name"] = str(_("Provincial queue (待分派)"))
            row["by_status"] = [row[value] for value in SubmissionStatus.values]
        return [SimpleNamespace(**row) for row in rows]

    def filter_queryset(self, queryset):
        return queryset

    def get_context_data(self, **kwargs):
        from . import statistics

        context = super().get_context_data(**kwargs)
        context["summary"] = self.report[1]
        context["status_choices"] = SubmissionStatus.choices
        context["parent_prefix"] = self.parent_prefix
        context["parent_division"] = Division.objects.filter(
            code=statistics.division_code_for_prefix(self.parent_prefix)).first()
        context["total"] = sum(row.total for row in context["object_list"])
        context["up_division"] = self.up_division
        return context

    def to_row_dict(self, item):
        return {field: getattr(item, field, "") for field in self.list_export}


class DashboardPanel(Component):
    """Admin home: counts per state in the user's divisions and the age of the oldest waiting item."""

    name = "registrations"
    order = 50
    template_name = "forms_intake/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from django.utils import timezone

        from . import statistics

        prefixes = statistics.scope_prefixes(user_prefixes(self.request.user), "")
        counts, oldest = statistics.state_counts(scoped_submissions(self.request.user), prefixes=prefixes)
        return {
            "rows": [(value, label, counts.get(value, 0)) for value, label in SubmissionStatus.choices],
            "oldest": oldest,
            "oldest_days": (timezone.now() - oldest).days if oldest else None,
            "index_url": reverse("forms_intake_submission:index"),
        }
