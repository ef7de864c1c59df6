"""The queue's filters and search: states, flags, divisions in scope, and ID-number search by keyed hash."""

from __future__ import annotations

import hashlib

import django_filters
from django import forms
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from forms_intake.models import Division, Submission
from forms_intake.rules import annex2
from forms_intake.rules.choices import NotInsuredReason, ServiceBank
from forms_intake.rules.personal_data import id_hash
from forms_intake.rules.reference import is_valid_reference_number, normalize_reference_number
from forms_intake.rules.routing import UNASSIGNED_QUEUE
from forms_intake.rules.states import SubmissionStatus
from forms_intake.rules.validators import normalize_id_number
from forms_intake.services import deadlines, statistics
from forms_intake.services.flags import FLAG_FIELDS
from forms_intake.services.scope import (
    user_divisions,
)

# --------------------------------------------------------------------------
# Listing: filters, search, columns, export
# --------------------------------------------------------------------------

#: 就业状态 as the form reads it ("1、已就业 省内").
EMPLOYMENT_CHOICES = annex2.schema().by_name["employment_status"].labelled_choices
FLAG_CHOICES = [(name, Submission._meta.get_field(name).verbose_name) for name in FLAG_FIELDS]


class DivisionFilterSelect(forms.Select):
    """Django's Select, rendered with Django's Jinja2 form renderer (Django's own widget templates).

    A provincial administrator's division filter lists every township of Hunan (~2,100 options):
    57 ms of CPU per render with the admin's template renderer, 26 ms with Jinja2. The rest of the
    filter form keeps Wagtail's renderer (its widgets have Django templates only).

    A province's list is rendered once per process and reused (about 37 ms of CPU saved per queue page at
    1M submissions): the memo's key is everything the markup depends on (name, value, attributes, every
    option's value and label in the active language), so new divisions or another user's scope are
    another key, never a stale list.
    """

    def render(self, name, value, attrs=None, renderer=None):
        key = _render_key(name, value, self.build_attrs(self.attrs, attrs), self.choices)
        html = _RENDERED.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer=JINJA2_RENDERER)
            if len(_RENDERED) >= RENDERED_MAX:
                _RENDERED.clear()  # a few scopes × languages × selected values; bounded, never stale
            _RENDERED[key] = html
        return html


JINJA2_RENDERER = Jinja2()
#: Rendered division selects by _render_key (per process).
_RENDERED: dict[str, str] = {}
RENDERED_MAX = 64


def _render_key(name, value, attrs, choices):
    options = [(str(option), str(label)) for option, label in choices]
    text = repr((name, value, sorted((str(k), str(v)) for k, v in attrs.items()), options))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        label=_("division"), method="filter_division", choices=[], widget=DivisionFilterSelect
    )
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Submission.Channel.choices)
    employment_status = django_filters.ChoiceFilter(label=_("就业状态"), choices=EMPLOYMENT_CHOICES)
    not_insured_reason = django_filters.ChoiceFilter(label=_("未参保原因"), choices=NotInsuredReason.choices)
    service_bank = django_filters.ChoiceFilter(label=_("社保卡服务银行"), choices=ServiceBank.choices)
    gender = django_filters.ChoiceFilter(label=_("gender"), choices=Submission._meta.get_field("gender").choices)
    age_band = django_filters.ChoiceFilter(
        label=_("age band"), method="filter_age_band",
        choices=[(str(index), label) for index, (label, _low, _high) in enumerate(statistics.AGE_BANDS)],
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("submitted at"), widget=DateRangePickerWidget)
    flag = django_filters.ChoiceFilter(label=_("suspect flags (疑点信息)"), method="filter_flag", choices=[
        ("any", _("any suspect flag")), *FLAG_CHOICES
    ])
    overdue = django_filters.ChoiceFilter(
        label=_("deadline"), method="filter_overdue",
        choices=[("yes", _("overdue (more than 10 working days)"))],
    )

    class Meta:
        model = Submission
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["division"].extra["choices"] = division_choices(request)

    def filter_age_band(self, queryset, name, value):
        # The statistics report's bands (its numbers link here), a range on birth_date.
        return queryset.filter(statistics.age_band_condition(int(value)))

    def filter_overdue(self, queryset, name, value):
        # One range on created_at: working days waiting grow with age (services/deadlines.py).
        return queryset.filter(deadlines.overdue_q()) if value == "yes" else queryset

    def filter_division(self, queryset, name, value):
        from forms_intake.rules.routing import scope_prefix
        from forms_intake.services.scope import prefix_q

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


