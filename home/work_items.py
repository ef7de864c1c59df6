"""The campaign's 24 work items (工作安排表) as tracked data: a snippet with revisions, status, dates and evidence.

The public work-schedule page (SchedulePage) shows these rows; provincial administrators update them in the
admin (home/work_items_admin.py). The wording of the seed document is kept verbatim in the Chinese fields;
the English fields hold the translation shown on the English site.
"""

from __future__ import annotations

import calendar
import datetime
import re

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, RevisionMixin

PHASES = [
    ("preparation", "准备阶段"),
    ("implementation", "实施阶段"),
    ("consolidation", "完善阶段"),
]
PHASE_EN = {
    "preparation": "Preparation phase",
    "implementation": "Implementation phase",
    "consolidation": "Consolidation phase",
}


class WorkItemStatus(models.TextChoices):
    NOT_RECORDED = "", _("Not recorded")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


_YEAR_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")


def due_date_from_deadline(text):
    """The last day of the month a deadline as written names (2014年12月 -> 2014-12-31); None otherwise."""
    match = _YEAR_MONTH.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class WorkItem(RevisionMixin, ClusterableModel):
    """One row of the work schedule, with what the provincial office records about its progress."""

    number = models.PositiveSmallIntegerField(_("No."), unique=True)
    phase = models.CharField(_("phase"), max_length=20, choices=PHASES)
    item = models.CharField(_("work item"), max_length=200)
    requirements = models.TextField(_("requirements"))
    lead = models.CharField(_("lead (负责人)"), max_length=200, blank=True)
    responsible = models.CharField(_("responsible (责任人)"), max_length=300, blank=True)
    deadline = models.CharField(
        _("deadline as written"), max_length=60, blank=True, help_text=_("As in the document, e.g. 2014年12月.")
    )
    item_en = models.CharField(_("work item (English)"), max_length=300, blank=True)
    requirements_en = models.TextField(_("requirements (English)"), blank=True)
    lead_en = models.CharField(_("lead (English)"), max_length=300, blank=True)
    responsible_en = models.CharField(_("responsible (English)"), max_length=400, blank=True)
    deadline_en = models.CharField(_("deadline (English)"), max_length=60, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=WorkItemStatus.choices, blank=True, default="")
    start_date = models.DateField(_("started on"), null=True, blank=True)
    due_date = models.DateField(
        _("due on"), null=True, blank=True, help_text=_("Items not done by this date are shown as overdue.")
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("phase")]),
        FieldPanel("item"),
        FieldPanel("requirements"),
        FieldRowPanel([FieldPanel("lead"), FieldPanel("responsible"), FieldPanel("deadline")]),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("status"), FieldPanel("start_date"), FieldPanel("due_date"), FieldPanel("completed_on")]
                ),
                FieldPanel("notes"),
            ],
            heading=_("Progress"),
        ),
        InlinePanel("evidence", heading=_("Evidence"), label=_("document")),
        MultiFieldPanel(
            [
                FieldPanel("item_en"),
                FieldPanel("requirements_en"),
                FieldRowPanel([FieldPanel("lead_en"), FieldPanel("responsible_en"), FieldPanel("deadline_en")]),
            ],
            heading=_("English"),
            classname="collapsed",
        ),
    ]

    class Meta:
        ordering = ["number"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")

    def __str__(self):
        return f"{self.number}. {self.item}"

    def is_overdue(self, today=None):
        """Not done and past its due date (Beijing time's today by default)."""
        if self.status == WorkItemStatus.DONE or self.due_date is None:
            return False
        return self.due_date < (today or timezone.localdate())

    is_overdue.boolean = True
    is_overdue.short_description = _("overdue")

    def overdue_label(self):
        return _("Overdue") if self.is_overdue() else ""

    overdue_label.short_description = _("overdue")


class WorkItemEvidence(Orderable):
    """A document that shows a work item's progress (minutes, a notice, a report)."""

    work_item = ParentalKey(WorkItem, on_delete=models.CASCADE, related_name="evidence")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")


def schedule_phases(english=False):
    """The public schedule as plain data: [{"key", "title", "rows": [{number, item, …, status}]}] in phase order.

    Plain dicts (never model instances), so the page can keep them per content generation
    (portal/content_memo.py); saving a work item moves the generation on (portal/invalidation.py).
    """
    fields = ("number", "phase", "item", "requirements", "lead", "responsible", "deadline", "status")
    if english:
        fields += ("item_en", "requirements_en", "lead_en", "responsible_en", "deadline_en")
    by_phase = {key: [] for key, _title in PHASES}
    for row in WorkItem.objects.order_by("number").values(*fields):
        if english:
            for name in ("item", "requirements", "lead", "responsible", "deadline"):
                row[name] = row.pop(f"{name}_en") or row[name]
        by_phase[row.pop("phase")].append(row)
    return [
        {"key": key, "title": PHASE_EN[key] if english else title, "rows": by_phase[key]}
        for key, title in PHASES
        if by_phase[key]
    ]
