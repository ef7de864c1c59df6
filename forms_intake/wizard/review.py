"""The review ("check your answers") page's sections: labelled answers of each step with a Change link."""

from __future__ import annotations

from forms_intake.rules import annex2
from forms_intake.rules.personal_data import format_phone
from forms_intake.services import divisions

REVIEW_STEP = "review"
#: The review page's section heading of each step.
SECTION_TITLES = {step.name: step.review_title or step.title for step in annex2.schema().steps if step.reviewed}


def display_value(spec, value):
    """An answer as the review page shows it: choice labels, division paths, spaced phone numbers."""
    if spec.kind == "choice":
        return spec.choice_label(value)
    if spec.kind == "division":
        return divisions.display_path(value)
    if spec.kind == "phone":
        return format_phone(value)
    return value


def answer_rows(step, data):
    """Labelled answers of one step for the review page (values are escaped by the template)."""
    rows = []
    for spec in annex2.schema().step_fields(step):
        value = data.get(spec.name)
        if not spec.show_blank and not value:
            continue
        rows.append((spec.form_label, display_value(spec, value)))
    return rows


def review_sections(wizard):
    """Check-your-answers sections of `wizard` (a RegistrationWizard): step, title, rows, change URL."""
    sections = []
    for step in wizard.get_form_list():
        if step == REVIEW_STEP:
            continue
        data = wizard.cleaned_for(step)
        sections.append(
            {
                "step": step,
                "title": SECTION_TITLES.get(step, step),
                "rows": answer_rows(step, data or {}),
                "complete": data is not None,
                "change_url": wizard.get_step_url(step, f"from={REVIEW_STEP}"),
            }
        )
    return sections
