"""Seed the 24 work items verbatim from the seed document's schedule (home/seed_schedule_content.py); idempotent.

An item that exists already (same number) is left as it is: what the provincial office recorded about it
(status, dates, notes, evidence, even corrected wording) is never overwritten by a later seed run.
"""

from __future__ import annotations

from home import seed_schedule_content as schedule
from home.work_items import PHASES, WorkItem, due_date_from_deadline

_PHASE_KEYS = {title: key for key, title in PHASES}


def work_item_rows():
    """The seed's rows as WorkItem field values, in document order."""
    phase_of = {n: _PHASE_KEYS[title] for title, numbers in schedule.SCHEDULE_PHASES for n in numbers}
    en = schedule.SCHEDULE_EN
    rows = []
    for number, item, requirements, lead, responsible, deadline in schedule.SCHEDULE_ROWS:
        rows.append(
            {
                "number": number,
                "phase": phase_of[number],
                "item": item,
                "requirements": requirements,
                "lead": lead,
                "responsible": responsible,
                "deadline": deadline,
                "item_en": en[item],
                "requirements_en": en[requirements],
                "lead_en": en.get(lead, "") if lead else "",
                "responsible_en": en.get(responsible, "") if responsible else "",
                "deadline_en": en.get(deadline, deadline),
                "status": schedule.SCHEDULE_STATUS.get(number, ""),
                "due_date": due_date_from_deadline(deadline),
            }
        )
    return rows


def seed_work_items():
    """Create the missing work items, each with a first revision (its history starts at the seed). Returns the count."""
    existing = set(WorkItem.objects.values_list("number", flat=True))
    created = 0
    for row in work_item_rows():
        if row["number"] in existing:
            continue
        item = WorkItem(**row)
        item.full_clean()
        item.save()
        item.save_revision(log_action=True)
        created += 1
    return created
