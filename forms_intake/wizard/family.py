""""Register another family member": a new draft holding only what the filer chose to copy.

From the receipt of the registration just submitted: the filer's own details as the proxy
(代理人) of the next person (the registrant's, or the proxy's when a proxy filed), and the
户口所在地 / 常住所在地. Nothing else is copied: the new person's name, ID and phone stay empty.
The answers go in as stored, unvalidated step data (as "Previous" stores them): every step is
still validated when the resident reaches it and again at the final submit.
"""

from __future__ import annotations

import secrets

from forms_intake.rules import annex2
from forms_intake.services import divisions
from forms_intake.wizard import drafts
from forms_intake.wizard.storage import EncryptedSessionStorage

#: The division fields of the address step, copied with their levels.
ADDRESS_STEP = "address"


def _filer_details(submission):
    """(name, ID number, phone) of whoever filed `submission`."""
    if submission.is_proxy_filing:
        return submission.proxy_name, submission.proxy_id_number, submission.proxy_phone
    return submission.name, submission.id_number, submission.phone


def _address_answers(submission):
    """The address step's answers of `submission`, as the step form's field names."""
    answers = {}
    for spec in annex2.schema().step_fields(ADDRESS_STEP):
        if spec.kind == "division":
            group = spec.name.removesuffix("_division")
            index = divisions.index()
            for code in index.chain(getattr(submission, f"{spec.name}_id") or None):
                level = index.level(code)  # 1 (province) to 4 (township)
                if level and level <= len(divisions.LEVEL_NAMES):
                    answers[f"{group}_{divisions.LEVEL_NAMES[level - 1]}"] = code
        else:
            answers[spec.name] = getattr(submission, spec.name, "") or ""
    return answers


def start_family_draft(request, submission, *, copy_proxy: bool, copy_address: bool) -> str:
    """A new draft for the next family member with the chosen answers; returns its id."""
    draft = drafts.new_draft(request.session)
    storage = EncryptedSessionStorage(drafts.storage_prefix(draft), request)
    storage.reset()
    storage.current_step = "filer"
    storage.extra_data = {"idempotency_key": secrets.token_urlsafe(32)}

    def store(step, answers):
        storage.set_step_data(step, {f"{step}-{name}": [value] for name, value in answers.items()})

    if copy_proxy:
        name, id_number, phone = _filer_details(submission)
        store("filer", {"filing_for": annex2.FilingFor.OTHER})
        store("proxy", {"proxy_name": name, "proxy_id_number": id_number, "proxy_phone": phone})
    if copy_address:
        store(ADDRESS_STEP, _address_answers(submission))
    return draft
