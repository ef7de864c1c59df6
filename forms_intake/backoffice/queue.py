"""The registrations queue and 我的待办 (my items): Wagtail IndexViews, scoped to the user's divisions."""

from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import IndexView
from wagtail.admin.widgets.button import Button

from forms_intake.backoffice.columns import WaitingColumn, queue_name_subquery
from forms_intake.backoffice.dashboard import no_division_message
from forms_intake.backoffice.display import choice_label, user_name
from forms_intake.backoffice.exports import (
    CSV_BOM,
    CSV_CONTENT_TYPE,
    ENCRYPTED_FIELDS,
    AuditedExport,
    cell_value,
    csv_guard,
    export_fields,
    local_time,
    phone_columns,
    schema_columns,
    yes_no,
)
from forms_intake.backoffice.filters import (
    ID_SEARCH_PARAM,
    ID_SEARCH_SESSION_KEY,
    SubmissionFilterSet,
    search_submissions,
)
from forms_intake.backoffice.jobs import export_job_response
from forms_intake.backoffice.next_item import remember_listing
from forms_intake.backoffice.pagination import DeferredJoinPaginator
from forms_intake.backoffice.policy import EXPORT_UNMASKED
from forms_intake.backoffice.search import SEARCH_PARAM, remember, stored_search
from forms_intake.models import Division, Submission
from forms_intake.rules.reference import is_valid_reference_number
from forms_intake.rules.routing import UNASSIGNED_QUEUE
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services import deadlines, transitions
from forms_intake.services.scope import (
    scoped_submissions,
    user_prefixes,
)


def scope_names(user):
    """The user's own divisions as "name (code)", for messages about their scope."""
    return ", ".join(str(d) for d in Division.objects.filter(code__in=user.staff_divisions.values("division_id")))


def say_why_nothing_or_everything(request, filters):
    """No silent fallback: a user without a division is told why the list is empty, and a division
    filter outside their scope is reported (with their scope) rather than quietly ignored."""
    message = no_division_message(request.user)
    if message:
        messages.warning(request, message)
        return
    if filters is not None and filters.is_bound and not filters.is_valid() and "division" in filters.errors:
        messages.error(request, _(
            "The division %(code)s is outside your divisions, so the filter was not applied. "
            "Your divisions: %(scope)s."
        ) % {"code": request.GET.get("division", "")[:12], "scope": scope_names(request.user) or "—"})


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
        return queryset.select_related("handler").defer(*ENCRYPTED_FIELDS).annotate(
            queue_name=queue_name_subquery()
        )

    def get_filterset_kwargs(self):
        """The queue opens on what is waiting (待受理, 受理中, 待校核), not on finished registrations."""
        kwargs = super().get_filterset_kwargs()
        if not self.request.GET:
            data = QueryDict(mutable=True)
            data.setlist("status", list(deadlines.WAITING_STATES))
            kwargs["data"] = data
        return kwargs

    def order_queryset(self, queryset):
        # The id breaks ties between equal timestamps, so that pages neither repeat nor skip rows.
        # Working days waiting only grow with age: their order is ORDER BY created_at (an index).
        ordering = self.ordering if isinstance(self.ordering, (list, tuple)) else [self.ordering]
        ordering = [WaitingColumn.ORDERINGS.get(o, o) for o in ordering if o] or ["created_at"]
        return queryset.order_by(*ordering, "-pk" if ordering[-1].startswith("-") else "pk")

    @cached_property
    def header_more_buttons(self):
        # Saved filters (saved_filters.py): the list as just shown is the one that page offers to save.
        save = Button(_("Save this filter"), url=reverse("forms_intake_saved_filters:index"), icon_name="filter",
                      priority=70)
        return [*super().header_more_buttons, save]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_claim"] = self.request.user.has_perm(transitions.CLAIM)
        if not self.results_only:
            say_why_nothing_or_everything(self.request, self.filters)
        return context

    #: The listing's name in the export audit.
    audit_listing = "registrations"
    #: The listing's name in next_item.LISTINGS.
    listing_name = "index"
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
        from forms_intake.services import statistics

        if not self.count_from_tally or self.is_searching or self.request.GET.get(ID_SEARCH_PARAM) or \
                self.request.GET.get(SEARCH_PARAM):
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
        if self.request.GET.get(SEARCH_PARAM):
            queryset = stored_search(queryset, self.request.session)
        if not self.is_searching:
            return queryset
        return search_submissions(queryset, self.search_query)

    # ---- export: masked unless permitted, scoped, streamed (CSV), audited ----

    @cached_property
    def unmasked(self):
        return self.request.user.has_perm(EXPORT_UNMASKED)

    @property
    def list_export(self):
        fields = export_fields()  # the Annex 2 schema's columns
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
        """One exported row: the labels staff read, Beijing time; the CSV's formula guard is in write_csv_row."""
        columns = schema_columns()
        row = {}
        for field in self.list_export:
            if field == "status_label":
                value = SubmissionStatus(item.status).label
            elif field == "channel":
                value = choice_label(Submission.Channel, item.channel)
            elif field == "has_flags":
                value = yes_no(item.has_flags)
            elif field in ("handler_name", "reviewer_name"):
                value = user_name(item.handler if field == "handler_name" else item.reviewer)
            elif field in columns:
                value = cell_value(columns[field], item, field)
            else:
                value = local_time(getattr(item, field))
            if hasattr(value, "__html__") or isinstance(value, Promise):  # a lazy label becomes text
                value = str(value)
            row[field] = value
        return row

    def write_csv_row(self, writer, row_dict):
        phones = phone_columns()
        return super().write_csv_row(
            writer, {field: csv_guard(field, value, phones) for field, value in row_dict.items()}
        )

    def stream_csv(self, queryset):
        # Excel reads a CSV as UTF-8 only after a byte-order mark (without it: mojibake on a Chinese Windows).
        yield CSV_BOM.encode("utf-8")
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = CSV_CONTENT_TYPE
        return response

    def export_queryset(self, queryset):
        """What an export reads: the joins its columns show, no encrypted column it does not print."""
        skipped = [name for name in ENCRYPTED_FIELDS if name not in self.list_export]
        return queryset.select_related("handler", "reviewer", "hukou_division", "residence_division").defer(*skipped)

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        if query and not is_valid_reference_number(query):
            # A name, ID or phone number leaves the URL at once: kept in the session (hashed when a number).
            params = request.GET.copy()
            params.pop("q", None)
            params.pop("p", None)
            params.update(remember(request.session, query))
            return redirect(f"{request.path}?{params.urlencode()}")
        if self.is_export:
            # More than EXPORT_JOB_THRESHOLD rows: a confirmation, then a background job (backoffice/jobs.py).
            job_page = export_job_response(self, request, request.GET.get("export"))
            if job_page is not None:
                return job_page
            # Straight to the spreadsheet: the listing's context (table, pagination, and an item
            # count that evaluates the whole unpaginated queryset) would hold every row in memory.
            return self.as_spreadsheet(self.get_queryset(), request.GET.get("export"))
        # The list the clerk works from: after an action on an item, its next item (next_item.py).
        remember_listing(request, self.listing_name)
        return super().get(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        audited = AuditedExport(queryset, self.request.user, spreadsheet_format, view=self)
        return super().as_spreadsheet(audited, spreadsheet_format)


class MyItemsIndexView(SubmissionIndexView):
    """我的待办: what I claimed and have not finished (claimed, or sent back to me)."""

    page_title = _("My items")
    count_from_tally = False
    audit_listing = "mine"
    listing_name = "mine"

    def get_base_queryset(self):
        return super().get_base_queryset().filter(handler=self.request.user, status=SubmissionStatus.CLAIMED)

    @cached_property
    def index_url(self):
        return reverse("forms_intake_submission:mine")

    def get_index_url(self):
        return reverse("forms_intake_submission:mine")

    def get_index_results_url(self):
        return reverse("forms_intake_submission:mine_results")


