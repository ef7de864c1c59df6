"""The resident's correction form: the wizard's own step forms, with only the requested fields editable.

For every step that asks a requested field, the step form (``forms_intake.steps.forms``) is bound to the
stored answers of the registration, with the resident's input taken for the requested fields only, and
validated whole: the same field validators and cross-field rules as in the wizard (the employer's name
when employed, the description of 其他, the employment status against the age in the ID number...).
The other answers are shown read-only. A posted value for a field that was not requested is refused,
not ignored silently.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from forms_intake.rules import annex2
from forms_intake.services import divisions
from forms_intake.services.correction_requests import NOT_REQUESTED
from forms_intake.steps.forms import STEP_FORMS, step_context

FORM_CLASSES = dict(STEP_FORMS)

OTHER_ANSWER_PROBLEM = _(
    "This change does not fit another answer the office did not ask you to change (%(label)s: %(error)s). "
    "Contact the social security office of your township or sub-district."
)


def stored_answers(submission, step) -> dict:
    """The step's answers of ``submission`` as the step form's (unprefixed) field names."""
    answers = {}
    for spec in annex2.schema().step_fields(step):
        if not spec.stored:
            continue
        if spec.kind == "division":
            group = spec.name.removesuffix("_division")
            codes = divisions.path_codes(getattr(submission, spec.name))
            levels = divisions.LEVEL_NAMES[: divisions.LEVEL_NAMES.index(spec.depth) + 1]
            answers.update({f"{group}_{level}": codes[level] for level in levels})
        else:
            value = getattr(submission, spec.name)
            answers[spec.name] = "" if value is None else value
    return answers


def _context_of(submission, step):
    """The step form's ``wizard_context`` from the stored registration (what the wizard takes from earlier steps)."""

    def value_of(need):
        if need.field == "filing_for":
            return annex2.FilingFor.OTHER if submission.is_proxy_filing else annex2.FilingFor.SELF
        return getattr(submission, need.field, None) or None

    return step_context(annex2.schema().step_by_name[step].needs, value_of)


def display_value(submission, spec):
    """A stored answer as the read-only part of the form shows it (ID and phone numbers masked)."""
    if spec.masked_column:
        return getattr(submission, spec.masked_column) or "—"
    value = getattr(submission, spec.name)
    if spec.kind == "division":
        return divisions.display_path(value) or "—"
    if spec.kind == "choice":
        return spec.choice_label(value) if value else "—"
    return value or "—"


class CorrectionForms:
    """The step forms of the requested fields, bound to stored answers plus the resident's input."""

    def __init__(self, submission, requested, data=None):
        self.submission = submission
        self.requested = list(requested)
        self.data = data
        schema = annex2.schema()
        self.steps = []
        for spec in schema.resident_correctable:
            if spec.name in self.requested and spec.step not in self.steps:
                self.steps.append(spec.step)
        self.forms = {step: self._form(step) for step in self.steps}
        self.refused = False
        self.problems = []

    def _form(self, step):
        form_class = FORM_CLASSES[step]
        context = _context_of(self.submission, step)
        form = form_class(prefix=step, wizard_context=context, initial=stored_answers(self.submission, step))
        if self.data is None:
            return form
        data = {form.add_prefix(name): value for name, value in stored_answers(self.submission, step).items()}
        for name in self.requested:
            key = form.add_prefix(name)
            if name in form.fields:
                data.pop(key, None)
                if key in self.data:
                    data[key] = self.data.get(key)
        return form_class(data=data, prefix=step, wizard_context=context)

    def editable_fields(self):
        """The bound fields the resident may change, in the schema's order."""
        return [self.forms[spec.step][spec.name] for spec in annex2.schema().resident_correctable
                if spec.name in self.requested and spec.step in self.forms]

    def read_only_rows(self):
        """[(section title, [(label, value)])] of every other answer (ID and phone masked)."""
        schema = annex2.schema()
        sections = []
        for key, title in schema.sections:
            if key == "proxy" and not self.submission.is_proxy_filing:
                continue
            rows = []
            for spec in schema.by_section.get(key, ()):
                if not spec.step or spec.name in self.requested:
                    continue
                if not spec.show_blank and not getattr(self.submission, spec.name, None):
                    continue
                rows.append((spec.label, display_value(self.submission, spec)))
            if rows:
                sections.append((title, rows))
        return sections

    def _tampered(self):
        """Whether the post carries a value for any step field that was not requested (shown or not)."""
        allowed = {f"{spec.step}-{spec.name}" for spec in annex2.schema().resident_correctable
                   if spec.name in self.requested}
        prefixes = tuple(f"{step}-" for step in FORM_CLASSES)
        return any(key.startswith(prefixes) and key not in allowed for key in self.data)

    def is_valid(self):
        if self.data is None:
            return False
        if self._tampered():
            self.refused = True
            self.problems.append(NOT_REQUESTED)
            return False
        valid = True
        for form in self.forms.values():
            if form.is_valid():
                continue
            valid = False
            for name, errors in form.errors.items():
                if name in self.requested:
                    continue  # shown at the field
                label = form.fields[name].label if name in form.fields else ""
                self.problems.append(OTHER_ANSWER_PROBLEM % {"label": label or "—", "error": " ".join(errors)})
        return valid

    def new_values(self) -> dict:
        """{field: cleaned value} of the requested fields (after ``is_valid()``)."""
        values = {}
        for form in self.forms.values():
            for name in self.requested:
                if name in form.fields:
                    values[name] = form.cleaned_data.get(name, "")
        return values

    def error_items(self):
        """[(anchor, label, message)] for the error summary: problems first, then each editable field's errors."""
        items = [("", "", message) for message in self.problems]
        for bound_field in self.editable_fields():
            for message in bound_field.errors:
                items.append((bound_field.id_for_label or bound_field.auto_id, bound_field.label, message))
        return items
