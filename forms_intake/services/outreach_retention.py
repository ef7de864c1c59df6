"""Retention of the outreach data (issue 12): imported rows, the roster, visits and suspect records.

PIPL Art. 47: personal information goes once its purpose is fulfilled. The policy is in settings
(portal/settings/base.py, "Outreach retention"):

- ``OUTREACH_RETENTION_DAYS["imports"]``: the rows of a finished insured or population import (a *batch*:
  one ``DataImport``) are deleted this many days after it finished. Population rows are normally consumed
  by the next comparison already; this removes a batch that was never compared, and insured data (keyed
  hashes, types, places) that is too old to be trusted. The ``DataImport`` itself stays (counts and the
  error report, which hold no values) and its message says the rows were purged; a batch without rows
  is never selected again.
- ``OUTREACH_RETENTION_DAYS["settled_roster"]``: a roster entry settled (registered, insured, deceased,
  moved out, no such person, insured elsewhere) this many days ago is deleted with its visits. Open
  entries (to visit, revisit) and refusals stay while the campaign runs: their purpose has not ended.
- ``OUTREACH_RETENTION_DAYS["handled_suspects"]``: a suspect record whose result was recorded this many
  days ago is deleted.
- ``OUTREACH_CAMPAIGN_END`` (an ISO date, or None while the campaign runs): from that day on, every
  roster entry, visit, suspect record and imported insured or population row is deleted. What stays are
  counts: ``CoverageCount`` per division and the imports' row counts.

``purge()`` is part of ``retention.run()``, and so of ``manage.py purge_personal_data`` and its job;
both write one security event with the counts (never a name, number or address).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forms_intake.models import DataImport, InsuredPerson, PopulationRecord, RosterEntry, SuspectRecord, Visit

DEFAULT_DAYS = {"imports": 180, "settled_roster": 365, "handled_suspects": 365}
#: Roster statuses that end the entry's purpose (a refusal may still turn into a registration).
SETTLED = tuple(
    status
    for status in RosterEntry.Status.values
    if status not in (RosterEntry.Status.TO_VISIT, RosterEntry.Status.REVISIT, RosterEntry.Status.REFUSED)
)
_ROW_MODELS = {DataImport.Kind.INSURED: InsuredPerson, DataImport.Kind.POPULATION: PopulationRecord}


def policy() -> dict[str, int]:
    days = {**DEFAULT_DAYS, **getattr(settings, "OUTREACH_RETENTION_DAYS", {})}
    unknown = set(days) - set(DEFAULT_DAYS)
    if unknown:
        raise ImproperlyConfigured(f"OUTREACH_RETENTION_DAYS names unknown kinds: {sorted(unknown)}")
    return {key: int(value) for key, value in days.items()}


def campaign_end() -> date | None:
    value = getattr(settings, "OUTREACH_CAMPAIGN_END", None)
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ImproperlyConfigured("OUTREACH_CAMPAIGN_END must be an ISO date (YYYY-MM-DD) or empty.") from None


def campaign_over(now=None) -> bool:
    end = campaign_end()
    return end is not None and timezone.localdate(now or timezone.now()) >= end


def _purge_batches(imports, reason) -> tuple[int, int]:
    """Delete the rows of these imports; (batches, rows)."""
    batches = rows = 0
    for data_import in imports:
        model = _ROW_MODELS[data_import.kind]
        with transaction.atomic():
            deleted = model.objects.filter(data_import=data_import).delete()[0]
            DataImport.objects.filter(pk=data_import.pk).update(message=reason[:500])
        batches += 1
        rows += deleted
    return batches, rows


def purge(now=None, dry_run=False) -> dict[str, int]:
    """Apply the outreach retention once; returns counts (idempotent)."""
    now = now or timezone.now()
    days = policy()
    over = campaign_over(now)
    # Only batches that still hold rows: a purged batch (or a consumed population batch) is never selected again.
    imports = DataImport.objects.filter(state=DataImport.State.DONE).filter(
        Q(kind=DataImport.Kind.INSURED, pk__in=InsuredPerson.objects.values("data_import_id"))
        | Q(kind=DataImport.Kind.POPULATION, pk__in=PopulationRecord.objects.values("data_import_id"))
    )
    roster = RosterEntry.objects.all()
    suspects = SuspectRecord.objects.all()
    if not over:
        imports = imports.filter(finished_at__lt=now - timedelta(days=days["imports"]))
        roster = roster.filter(status__in=SETTLED, updated_at__lt=now - timedelta(days=days["settled_roster"]))
        suspects = suspects.exclude(result="").filter(handled_at__lt=now - timedelta(days=days["handled_suspects"]))
    imports = list(imports.order_by("pk"))
    counts = {"outreach_campaign_over": int(over)}
    if dry_run:
        counts.update(
            outreach_import_batches_due=len(imports),
            outreach_roster_entries_due=roster.count(),
            outreach_suspect_records_due=suspects.count(),
        )
        return counts
    reason = (
        _("The campaign has ended: the rows were deleted (retention).")
        if over
        else _("The rows were deleted %(days)s days after the import (retention).") % {"days": days["imports"]}
    )
    counts["outreach_import_batches_purged"], counts["outreach_import_rows_deleted"] = _purge_batches(imports, reason)
    with transaction.atomic():
        counts["outreach_visits_deleted"] = Visit.objects.filter(entry__in=roster).delete()[0]
        counts["outreach_roster_entries_deleted"] = roster.delete()[0]
    counts["outreach_suspect_records_deleted"] = suspects.delete()[0]
    return counts
