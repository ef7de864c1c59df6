"""Retention of the outreach data: expired batches, settled roster entries with their visits, handled
suspect records and the end of the campaign (services/outreach_retention.py, via retention.run and
`manage.py purge_personal_data`), audited with counts only."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from forms_intake.models import (
    CoverageCount,
    DataImport,
    InsuredPerson,
    PopulationRecord,
    RosterEntry,
    SuspectRecord,
    Visit,
)
from forms_intake.rules.personal_data import id_hash, mask_id_number
from forms_intake.services import outreach_retention, retention

from .roster_support import insure, insured_import, new_id, person, population_import, roster_entry

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _finished(data_import, days_ago):
    DataImport.objects.filter(pk=data_import.pk).update(finished_at=NOW - timedelta(days=days_ago))
    return data_import


def _age(model, pk, days_ago, field="updated_at"):
    model.objects.filter(pk=pk).update(**{field: NOW - timedelta(days=days_ago)})


def _suspect(result="", handled_days_ago=None):
    number = new_id()
    return SuspectRecord.objects.create(
        rule=SuspectRecord.Rule.NAME_MISMATCH,
        id_number=number,
        id_number_hash=id_hash(number),
        id_number_masked=mask_id_number(number),
        name="李四",
        queue_code="430102001",
        result=result,
        handled_at=NOW - timedelta(days=handled_days_ago) if handled_days_ago is not None else None,
    )


def test_an_expired_batch_is_purged_and_a_live_one_kept(settings):
    settings.OUTREACH_RETENTION_DAYS = {"imports": 30}
    old_insured, live_insured = _finished(insured_import(), 31), _finished(insured_import(), 29)
    old_population, live_population = (
        _finished(population_import("police"), 31),
        _finished(population_import("health"), 1),
    )
    for data_import in (old_insured, live_insured):
        insure(new_id(), data_import)
        insure(new_id(), data_import)
    person(old_population)
    kept_number = person(live_population)

    counts = outreach_retention.purge(NOW)

    assert counts["outreach_import_batches_purged"] == 2
    assert counts["outreach_import_rows_deleted"] == 3
    assert not InsuredPerson.objects.filter(data_import=old_insured).exists()
    assert InsuredPerson.objects.filter(data_import=live_insured).count() == 2
    assert not PopulationRecord.objects.filter(data_import=old_population).exists()
    assert PopulationRecord.objects.get(data_import=live_population).id_number == kept_number
    old_insured.refresh_from_db()
    assert old_insured.state == DataImport.State.DONE and old_insured.rows_imported == old_insured.rows_imported
    assert "30" in old_insured.message  # says why the rows are gone
    # Idempotent: nothing is selected again.
    again = outreach_retention.purge(NOW)
    assert again["outreach_import_batches_purged"] == 0 and again["outreach_import_rows_deleted"] == 0


def test_settled_roster_entries_go_with_their_visits_open_ones_and_refusals_stay(settings):
    settings.OUTREACH_RETENTION_DAYS = {"settled_roster": 60}
    settled_old = roster_entry(status=RosterEntry.Status.DECEASED)
    settled_recent = roster_entry(status=RosterEntry.Status.REGISTERED)
    open_old = roster_entry(status=RosterEntry.Status.REVISIT)
    refused_old = roster_entry(status=RosterEntry.Status.REFUSED)
    for entry in (settled_old, open_old, refused_old):
        Visit.objects.create(entry=entry, outcome=Visit.Outcome.NOT_MET, note="邻居说他去了广东")
        _age(RosterEntry, entry.pk, 61)
    _age(RosterEntry, settled_recent.pk, 59)

    counts = outreach_retention.purge(NOW)

    assert counts["outreach_roster_entries_deleted"] == 1 and counts["outreach_visits_deleted"] == 1
    assert set(RosterEntry.objects.values_list("pk", flat=True)) == {settled_recent.pk, open_old.pk, refused_old.pk}
    assert not Visit.objects.filter(entry_id=settled_old.pk).exists()
    assert Visit.objects.filter(entry__in=[open_old, refused_old]).count() == 2


def test_handled_suspect_records_expire_open_ones_stay(settings):
    settings.OUTREACH_RETENTION_DAYS = {"handled_suspects": 90}
    old = _suspect(SuspectRecord.Result.CORRECTED, 91)
    recent = _suspect(SuspectRecord.Result.DATA_CORRECT, 89)
    still_open = _suspect()
    assert outreach_retention.purge(NOW)["outreach_suspect_records_deleted"] == 1
    assert set(SuspectRecord.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert old.pk not in SuspectRecord.objects.values_list("pk", flat=True)


def test_the_end_of_the_campaign_purges_all_personal_outreach_data_and_keeps_counts(settings):
    settings.OUTREACH_CAMPAIGN_END = (timezone.localdate(NOW) + timedelta(days=1)).isoformat()
    live = _finished(insured_import(), 1)
    insure(new_id(), live)
    entry = roster_entry()
    _suspect()
    CoverageCount.objects.create(division_code="430102001", population=10, insured=8)
    assert outreach_retention.purge(NOW)["outreach_campaign_over"] == 0
    assert RosterEntry.objects.exists() and InsuredPerson.objects.exists()

    settings.OUTREACH_CAMPAIGN_END = timezone.localdate(NOW).isoformat()
    counts = outreach_retention.purge(NOW)
    assert counts["outreach_campaign_over"] == 1
    assert not RosterEntry.objects.filter(pk=entry.pk).exists()
    assert not (InsuredPerson.objects.exists() or SuspectRecord.objects.exists() or Visit.objects.exists())
    assert CoverageCount.objects.get().population == 10
    assert DataImport.objects.filter(pk=live.pk).exists()


def test_a_bad_setting_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.OUTREACH_CAMPAIGN_END = "next summer"
    with pytest.raises(ImproperlyConfigured):
        outreach_retention.purge(NOW)
    settings.OUTREACH_CAMPAIGN_END = None
    settings.OUTREACH_RETENTION_DAYS = {"roster": 1}
    with pytest.raises(ImproperlyConfigured):
        outreach_retention.purge(NOW)


def test_the_purge_command_runs_it_and_audits_counts_only(settings, caplog):
    settings.OUTREACH_RETENTION_DAYS = {"imports": 30, "settled_roster": 30}
    batch = _finished(population_import(), 40)
    number = person(batch, name="欧阳修远", phone="+8613912345678", address="岳麓山下 88 号")
    entry = roster_entry(name="司马光明", status=RosterEntry.Status.NO_SUCH_PERSON)
    _age(RosterEntry, entry.pk, 31)

    with caplog.at_level(logging.INFO):
        call_command("purge_personal_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    events = [r for r in caplog.records if getattr(r, "security_event", None) and r.security_event["event"] == "purge"]
    assert len(events) == 1
    fields = events[0].security_event
    assert fields["outreach_import_rows_deleted"] == "1" and fields["outreach_roster_entries_deleted"] == "1"
    logged = caplog.text
    for secret in (number, number[-6:], "欧阳修远", "司马光明", "13912345678", "岳麓山下", entry.id_number_masked):
        assert secret not in logged
    assert not PopulationRecord.objects.exists() and not RosterEntry.objects.exists()


def test_retention_run_includes_the_outreach_counts():
    counts = retention.run(NOW)
    assert counts["outreach_roster_entries_deleted"] == 0 and "outreach_import_batches_purged" in counts
