"""Suspect insured records (疑点信息): each rule, routing, the scoped list, detail and result, the audit."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from forms_intake.models import SuspectRecord
from forms_intake.rules.outreach_rules import age_impossible, queue_for_division
from forms_intake.services import imports, suspects
from portal import roles
from tests.forms_intake.moderation_support import make_divisions, make_staff

from .conftest import FIXTURES, INSURED_HEADER, csv_bytes, resident_id

pytestmark = pytest.mark.django_db
Rule = SuspectRecord.Rule


def load_samples(employers=True):
    if employers:
        imports.import_file(FIXTURES / "employer_sample.xlsx", kind="employer")
    imports.import_file(FIXTURES / "insured_sample.csv", kind="insured")
    imports.import_file(FIXTURES / "population_sample_gb18030.csv", kind="population", source="civil_affairs")


def by_rule():
    return {record.rule: record for record in SuspectRecord.objects.all()}


def test_each_rule_on_the_sample_files():
    load_samples()
    found = by_rule()
    assert set(found) == set(Rule.values)
    assert SuspectRecord.objects.count() == 5
    assert found[Rule.NAME_MISMATCH].name in ("王伟", "王卫")
    assert found[Rule.NAME_MISMATCH].details["names_in_file"] == ["王*", "王*"]
    assert found[Rule.DUPLICATE_INSURANCE].details == {
        "insurance_type": "employee_pension",
        "places": ["430102001", "430103002"],
    }
    assert found[Rule.INVALID_ID].details["reason"] == "id_checksum"
    assert found[Rule.AGE_IMPOSSIBLE].details == {
        "insurance_type": "employee_pension",
        "age": found[Rule.AGE_IMPOSSIBLE].details["age"],
    }
    assert found[Rule.AGE_IMPOSSIBLE].details["age"] < 16
    assert found[Rule.INSURED_DECEASED].name == "赵德明"
    # Stored encrypted and masked like submissions.
    assert found[Rule.INSURED_DECEASED].id_number == "430102194001010419"
    assert found[Rule.INSURED_DECEASED].id_number_masked == "430102********0419"


def test_routing_employer_division_first_then_insured_place():
    load_samples(employers=False)
    # Without the registry, 重复参保 goes to the first row's insured place...
    assert by_rule()[Rule.DUPLICATE_INSURANCE].queue_code == "430102001"
    SuspectRecord.objects.all().delete()
    # ...with it, to the employer's division (employer 2 of the sample sits in 430103002).
    imports.import_file(FIXTURES / "employer_sample.xlsx", kind="employer")
    number = resident_id(seq=77)
    data = csv_bytes(
        [
            INSURED_HEADER,
            [number, "刘洋", "失业保险", "430102001", "active", "91430103MA4L000021"],
            [number, "刘洋", "失业保险", "430104001", "active", ""],
        ]
    )
    data_import = imports.receive_upload([data], kind="insured", source="失业", file_name="x.csv")
    imports.run_import(data_import)
    record = SuspectRecord.objects.get(rule=Rule.DUPLICATE_INSURANCE)
    assert record.queue_code == "430103002"


def test_reimport_adds_no_suspect_twice():
    load_samples()
    count = SuspectRecord.objects.count()
    data = (FIXTURES / "insured_sample.csv").read_bytes() + b"\r\n"  # same rows, other content: a new import
    data_import = imports.receive_upload([data], kind="insured", source="", file_name="again.csv")
    imports.run_import(data_import)
    assert SuspectRecord.objects.count() == count


def test_name_mismatch_against_another_source():
    number = resident_id(seq=55)
    for source, name in (("企业养老", "张三丰"), ("医保", "张三峰")):
        data = csv_bytes(
            [
                INSURED_HEADER,
                [
                    number,
                    name,
                    "企业职工基本养老保险" if source == "企业养老" else "职工基本医疗保险",
                    "430102001",
                    "正常参保",
                    "",
                ],
            ]
        )
        imports.run_import(imports.receive_upload([data], kind="insured", source=source, file_name="f.csv"))
    record = SuspectRecord.objects.get()
    assert record.rule == Rule.NAME_MISMATCH and record.details["names_count"] == 2


def test_terminated_record_elsewhere_is_not_a_duplicate():
    number = resident_id(seq=56)
    data = csv_bytes(
        [
            INSURED_HEADER,
            [number, "李四", "失业保险", "430102001", "正常参保", ""],
            [number, "李四", "失业保险", "430104001", "终止参保", ""],
        ]
    )
    imports.run_import(imports.receive_upload([data], kind="insured", source="", file_name="f.csv"))
    assert not SuspectRecord.objects.exists()


def test_age_rules():
    from datetime import date

    today = date(2026, 12, 1)
    assert age_impossible("employee_pension", date(2011, 1, 1), today)
    assert not age_impossible("employee_pension", date(2010, 1, 1), today)
    assert not age_impossible("resident_medical", date(2026, 11, 30), today)
    assert age_impossible("resident_medical", date(1900, 1, 1), today)
    assert queue_for_division("430102001001") == "430102001"
    assert queue_for_division("440106001") == "43"


@pytest.fixture
def staff():
    make_divisions()
    load_samples()
    return {
        "here": make_staff("clerk_here", roles.HANDLER, ["430102001"]),
        "there": make_staff("clerk_there", roles.HANDLER, ["430104001"]),
        "reviewer": make_staff("reviewer_here", roles.REVIEWER, ["430102001"]),
    }


def test_list_detail_and_result_are_scoped(client, staff):
    record = SuspectRecord.objects.filter(queue_code="430102001").first()
    detail = reverse("forms_intake_suspects:detail", args=[record.pk])
    client.force_login(staff["there"])
    listing = client.get(reverse("forms_intake_suspects:index"))
    assert listing.status_code == 200 and record.id_number_masked not in listing.content.decode()
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"result": "data_correct"}).status_code == 404
    assert client.get(reverse("forms_intake_suspects:detail", args=[999999])).status_code == 404
    record.refresh_from_db()
    assert record.result == ""

    client.force_login(staff["here"])
    listing = client.get(reverse("forms_intake_suspects:index"))
    assert record.id_number_masked in listing.content.decode()
    assert listing.context["counts"][0]["queue_code"] == "430102001"
    page = client.get(detail)
    assert page.status_code == 200 and record.id_number not in page.content.decode()


def test_result_is_recorded_and_logged(client, staff):
    record = SuspectRecord.objects.filter(queue_code="430102001").first()
    client.force_login(staff["here"])
    detail = reverse("forms_intake_suspects:detail", args=[record.pk])
    assert client.post(detail, {"result": "nonsense"}).status_code == 400
    response = client.post(detail, {"result": "corrected", "note": "单位已更正"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.result, record.result_note, record.handled_by) == ("corrected", "单位已更正", staff["here"])
    entry = ModelLogEntry.objects.get(action=suspects.RESULT_ACTION)
    assert entry.object_id == str(record.pk) and entry.data["to"] == "corrected"
    listing = client.get(reverse("forms_intake_suspects:index") + "?state=open")
    assert record not in listing.context["page"].object_list
    assert listing.context["counts"][0]["open"] == listing.context["counts"][0]["total"] - 1


def test_no_permission_no_list(client, staff):
    record = SuspectRecord.objects.filter(queue_code="430102001").first()
    # Reviewers check submissions, not suspect records; Wagtail turns the refusal into a redirect home.
    for user in (make_staff("editor", roles.EDITOR), staff["reviewer"]):
        client.force_login(user)
        for url in (reverse("forms_intake_suspects:index"), reverse("forms_intake_suspects:detail", args=[record.pk])):
            response = client.get(url)
            assert response.status_code in (302, 403) and record.id_number_masked not in response.content.decode()


def test_urls_carry_no_personal_data(client, staff):
    client.force_login(staff["here"])
    html = client.get(reverse("forms_intake_suspects:index")).content.decode()
    for record in SuspectRecord.objects.all():
        assert record.id_number not in html and record.id_number_hash not in html
