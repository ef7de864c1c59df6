"""The Annex 2 schema (forms_intake/rules/annex2.py): the model agrees with it, and a field added to it
reaches every screen without another change."""

import dataclasses

import pytest
from django.urls import reverse
from django.utils import translation

from forms_intake.backoffice.detail import PROCESSING_FIELDS
from forms_intake.models import Submission
from forms_intake.rules import annex2
from forms_intake.services.flags import FLAG_FIELDS
from forms_intake.steps.forms import STEP_FORMS
from portal import roles
from tests.forms_intake.moderation_support import make_staff
from tests.forms_intake.wizard_support import employed_self_answers, run_wizard, step_post

#: Columns of the submission that are bookkeeping, not boxes of Annex 2.
BOOKKEEPING = {"id", "idempotency_key", "has_flags", "updated_at", *FLAG_FIELDS, *PROCESSING_FIELDS}


def _columns():
    return {f.name for f in Submission._meta.concrete_fields}


def test_every_annex2_column_of_the_model_is_declared_in_the_schema():
    schema = annex2.schema()
    declared = {f.name for f in schema.stored}
    companions = {c for f in schema.stored for c in (f.hash_column, f.masked_column) if c}
    assert _columns() - BOOKKEEPING - declared - companions == set()


def test_every_declared_field_is_a_model_field_with_the_same_verbatim_label():
    for spec in annex2.schema().stored:
        model_field = Submission._meta.get_field(spec.name)
        # Same msgid (no translation active): the form's Chinese wording.
        with translation.override(None):
            assert str(model_field.verbose_name) == str(spec.label), spec.name
        for column in (spec.hash_column, spec.masked_column):
            if column:
                Submission._meta.get_field(column)


def test_choices_are_the_models_and_every_kind_and_print_row_is_known():
    schema = annex2.schema()
    rows = {key for key, _signatures in schema.print_rows}
    for spec in schema.fields:
        assert spec.kind in annex2.KINDS, spec.name
        assert not spec.print_row or spec.print_row in rows, spec.name
        if spec.stored and spec.choices and Submission._meta.get_field(spec.name).choices:
            assert [c for c, _l in Submission._meta.get_field(spec.name).choices] == list(spec.choices.values)
    for key, signatures in schema.print_rows:
        cells = len(signatures) + sum(f.print_as in ("cell", "boxes") for f in schema.by_print_row.get(key, ()))
        assert cells <= 2, key  # the paper form has four columns


def test_step_forms_ask_the_schema_fields_with_its_labels(db):
    forms = dict(STEP_FORMS)
    assert list(forms) == [step.name for step in annex2.schema().steps]
    for step in annex2.schema().steps:
        form = forms[step.name](wizard_context={})
        assert form.title == step.title
        for spec in annex2.schema().step_fields(step.name):
            if spec.kind == "division":
                assert f"{spec.name.removesuffix('_division')}_province" in form.fields
            else:
                assert form.fields[spec.name].label == spec.form_label, spec.name


@pytest.fixture
def remarks_field(monkeypatch):
    """A throwaway Annex 2 field 备注 on the reason step, printed on a row of its own.

    Its storage: a Python property on the model over an existing text column (the message to the
    resident, empty until a form is returned), so no table or migration is needed; monkeypatch puts
    the model, the schema and its derived indexes back afterwards.
    """
    spec = annex2.Field(
        "remarks", "备注（测试）", "reason", step="reason", required=False, max_length=100,
        help_text="Anything the office should know.", print_row="remarks",
    )
    monkeypatch.setattr(
        Submission, "remarks",
        property(lambda self: self.resident_message, lambda self, value: setattr(self, "resident_message", value)),
        raising=False,
    )
    monkeypatch.setattr(annex2, "FIELDS", (*annex2.FIELDS, spec))
    monkeypatch.setattr(annex2, "PRINT_ROWS", (*annex2.PRINT_ROWS, ("remarks", ())))
    annex2.schema.cache_clear()
    yield spec
    annex2.schema.cache_clear()


def test_a_field_added_to_the_schema_reaches_the_wizard_review_detail_export_and_print(
    client, registration_site, remarks_field
):
    answers = [(step, {**data, "remarks": "下午三点后来电"} if step == "reason" else data)
               for step, data in employed_self_answers()]
    run_wizard(client, answers, stop_before="reason")
    step_page = client.get("/register/step/reason/").content.decode()
    assert "备注（测试）" in step_page and 'name="reason-remarks"' in step_page
    client.post("/register/step/reason/", step_post("reason", dict(answers)["reason"]))
    client.post("/register/step/unit/", step_post("unit", dict(answers)["unit"]))
    review = client.get("/register/step/review/").content.decode()
    assert "备注（测试）" in review and "下午三点后来电" in review
    client.post("/register/step/review/", step_post("review", dict(answers)["review"]))

    submission = Submission.objects.get()
    assert submission.remarks == "下午三点后来电"
    printable = client.get("/register/done/print/").content.decode()
    assert "备注（测试）" in printable and "下午三点后来电" in printable

    staff = make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"])
    client.force_login(staff)
    detail = client.get(reverse("forms_intake_submission:inspect", args=[submission.pk])).content.decode()
    assert "备注（测试）" in detail and "下午三点后来电" in detail
    export = client.get(reverse("forms_intake_submission:index") + "?export=csv")
    assert "下午三点后来电" in b"".join(export.streaming_content).decode("utf-8-sig")


def test_fields_are_frozen_declarations():
    with pytest.raises(dataclasses.FrozenInstanceError):
        annex2.schema().by_name["name"].label = "x"


def test_employment_status_reads_as_the_forms_numbered_line_on_the_step_review_detail_and_print(
    client, registration_site
):
    answers = employed_self_answers()
    run_wizard(client, answers, stop_before="employment")
    step_page = client.get("/register/step/employment/").content.decode()
    assert "1、已就业" in step_page and "2、无单位" in step_page and "已就业·" not in step_page
    for step, data in answers[2:-1]:
        client.post(f"/register/step/{step}/", step_post(step, data))
    review = client.get("/register/step/review/").content.decode()
    assert "1、已就业 省内" in review and "已就业·" not in review
    client.post("/register/step/review/", step_post("review", dict(answers)["review"]))
    printable = client.get("/register/done/print/").content.decode()
    assert "1、已就业" in printable and "省内" in printable and "已就业·" not in printable

    submission = Submission.objects.get()
    client.force_login(make_staff("prov_admin", roles.PROVINCIAL_ADMIN, ["430000"]))
    url = reverse("forms_intake_submission:inspect", args=[submission.pk])
    detail = client.get(url).content.decode()
    assert "1、已就业 省内" in detail and "已就业·" not in detail


def test_a_choice_read_on_its_own_names_its_numbered_line_in_both_languages():
    spec = annex2.schema().by_name["employment_status"]
    with translation.override("zh-hans"):
        assert str(spec.choice_label("preschool")) == "2、无单位 学龄前"
        assert str(spec.option_label("preschool")) == "学龄前"
    with translation.override("en"):
        assert str(spec.choice_label("employed_in_province")) == "1. Employed: in Hunan"
        assert str(spec.choice_label("student")) == "2. No employer: Student"
    # A choice not printed in numbered lines reads as its label.
    assert annex2.schema().by_name["not_insured_reason"].choice_label("other") == "其他"
