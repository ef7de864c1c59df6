"""Scope of the 参保登记 back office: township A never sees township B, on every URL.

The per-object test iterates the viewset's own URL patterns, so a view added
later cannot escape it.
"""

import pytest
from django.urls import reverse

from forms_intake.backoffice.viewsets import submission_viewset
from forms_intake.models import ExportAudit, Submission, SubmissionEvent
from forms_intake.rules.states import SubmissionStatus as S
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, TOWNSHIP_B, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    roles.ensure_roles()
    a = make_submission(name="甲一", unit_division=TOWNSHIP_A, residence_division=TOWNSHIP_A)
    b = make_submission(name="乙二", unit_division=TOWNSHIP_B, residence_division=TOWNSHIP_B)
    assert (a.queue_code, b.queue_code) == (TOWNSHIP_A, TOWNSHIP_B)
    return {
        "a": a,
        "b": b,
        "handler_a": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A]),
        "reviewer_a": make_staff("reviewer_a", roles.REVIEWER, [TOWNSHIP_A]),
        "admin_a": make_staff("admin_a", roles.PROVINCIAL_ADMIN, [TOWNSHIP_A]),
        "county": make_staff("county", roles.HANDLER, ["430102"]),
        "nobody": make_staff("no_division", roles.HANDLER, []),
        "editor": make_staff("editor", roles.EDITOR, []),
    }


def _pk_patterns():
    patterns = [p for p in submission_viewset.get_urlpatterns() if "pk" in p.pattern.converters]
    expected = {"edit", "delete", "history", "history_results", "usage", "inspect", "reveal", "action", "reroute",
                "print"}
    assert expected <= {p.name for p in patterns}
    return patterns


def _url(pattern, pk):
    kwargs = {"pk": pk}
    if "name" in pattern.pattern.converters:
        kwargs["name"] = "claim"
    return reverse(f"forms_intake_submission:{pattern.name}", kwargs=kwargs)


@pytest.mark.parametrize("who", ["handler_a", "reviewer_a", "admin_a"])
def test_every_object_url_answers_404_outside_the_users_divisions(client, world, who):
    client.force_login(world[who])
    b = world["b"]
    for pattern in _pk_patterns():
        url = _url(pattern, b.pk)
        for method in (client.get, client.post):
            response = method(url, {"note": "x", "reason": "other", "queue_code": TOWNSHIP_A})
            assert response.status_code == 404, (pattern.name, method.__name__, response.status_code)
    stored = Submission.objects.get(pk=b.pk)
    assert stored.status == S.SUBMITTED and stored.queue_code == TOWNSHIP_B
    assert not SubmissionEvent.objects.filter(submission=b).exists()


def test_the_same_urls_work_inside_the_users_divisions(client, world):
    client.force_login(world["handler_a"])
    a = world["a"]
    for name in ("inspect", "history", "usage"):
        response = client.get(reverse(f"forms_intake_submission:{name}", kwargs={"pk": a.pk}))
        assert response.status_code == 200, name
    assert a.reference.encode() in client.get(reverse("forms_intake_submission:inspect", args=[a.pk])).content


def test_delete_is_refused_even_inside_the_scope(client, world):
    client.force_login(world["admin_a"])
    response = client.post(reverse("forms_intake_submission:delete", args=[world["a"].pk]))
    assert response.status_code in (302, 403)
    assert Submission.objects.filter(pk=world["a"].pk).exists()


def test_malformed_and_missing_pks_answer_404(client, world):
    client.force_login(world["handler_a"])
    assert client.get(reverse("forms_intake_submission:inspect", args=[999999])).status_code == 404


def test_listing_counts_and_search_stay_in_scope(client, world):
    client.force_login(world["handler_a"])
    response = client.get(reverse("forms_intake_submission:index"))
    assert response.status_code == 200
    assert world["a"].reference in response.content.decode()
    assert world["b"].reference not in response.content.decode()
    assert list(response.context["object_list"]) == [world["a"]]
    # Searching for B by its exact reference or full ID number finds nothing; A's are found.
    for query in (world["b"].reference, world["b"].id_number):
        response = client.get(reverse("forms_intake_submission:index"), {"q": query}, follow=True)
        assert list(response.context["object_list"]) == []
        assert "乙二" not in response.content.decode()
    for query in (world["a"].reference, world["a"].id_number, "甲"):
        response = client.get(reverse("forms_intake_submission:index"), {"q": query}, follow=True)
        assert list(response.context["object_list"]) == [world["a"]]


def test_an_id_number_searched_for_never_stays_in_the_url(client, world):
    client.force_login(world["handler_a"])
    index = reverse("forms_intake_submission:index")
    response = client.get(index, {"q": world["a"].id_number.lower(), "status": "submitted"})
    assert response.status_code == 302
    assert world["a"].id_number not in response["Location"]
    assert world["a"].id_number.lower() not in response["Location"]
    assert "status=submitted" in response["Location"] and "id_search=1" in response["Location"]
    found = client.get(response["Location"])
    assert list(found.context["object_list"]) == [world["a"]]


def test_county_staff_see_both_townships(client, world):
    client.force_login(world["county"])
    content = client.get(reverse("forms_intake_submission:index")).content.decode()
    assert world["a"].reference in content and world["b"].reference in content


def test_staff_without_divisions_see_nothing(client, world):
    client.force_login(world["nobody"])
    content = client.get(reverse("forms_intake_submission:index")).content.decode()
    assert world["a"].reference not in content and world["b"].reference not in content
    assert client.get(reverse("forms_intake_submission:inspect", args=[world["a"].pk])).status_code == 404


def test_content_editors_have_no_registrations_at_all(client, world):
    client.force_login(world["editor"])
    assert client.get(reverse("forms_intake_submission:index")).status_code in (302, 403)
    assert client.get(reverse("forms_intake_submission:inspect", args=[world["a"].pk])).status_code == 404
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("forms_intake_submission:index") not in home


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_stay_in_scope_are_masked_and_recorded(client, world, fmt):
    client.force_login(world["handler_a"])
    response = client.get(reverse("forms_intake_submission:index"), {"export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        assert world["a"].reference in text and world["b"].reference not in text
        assert world["a"].id_number not in text and world["a"].id_number_masked in text
    assert ExportAudit.objects.get(user=world["handler_a"], format=fmt).row_count >= 1
    assert not SubmissionEvent.objects.filter(action="export").exists()


def test_unmasked_export_needs_the_permission(client, world):
    world["admin_a"].is_superuser = False
    client.force_login(world["admin_a"])
    response = client.get(reverse("forms_intake_submission:index"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert world["a"].id_number in text and world["b"].reference not in text


def test_bulk_claim_with_mixed_ids_touches_only_own_rows(client, world):
    client.force_login(world["handler_a"])
    response = client.post(reverse("forms_intake_submission:bulk_claim"), {"id": [world["a"].pk, world["b"].pk]})
    assert response.status_code == 302
    assert Submission.objects.get(pk=world["a"].pk).status == S.CLAIMED
    assert Submission.objects.get(pk=world["b"].pk).status == S.SUBMITTED


def test_site_history_report_does_not_show_other_divisions(client, world):
    from forms_intake.services import transitions

    transitions.perform(world["b"], "claim", make_staff("handler_b", roles.HANDLER, [TOWNSHIP_B]))
    client.force_login(world["handler_a"])
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    assert world["b"].reference not in response.content.decode()
    # The owner of B's division does see the entry.
    client.force_login(make_staff("county_b", roles.HANDLER, ["430102"]))
    assert world["b"].reference in client.get(reverse("wagtailadmin_reports:site_history")).content.decode()


@pytest.mark.parametrize(
    "url_name", ["forms_intake_submission:index_results", "forms_intake_submission:mine_results",
                 "forms_intake_statistics", "forms_intake_statistics_results", "wagtailadmin_home"]
)
def test_listing_fragments_reports_and_dashboard_never_show_other_divisions(client, world, url_name):
    from forms_intake.services import transitions

    # Give B a handler so it would appear in 我的待办 if scoping failed.
    transitions.perform(world["b"], "claim", make_staff("handler_b", roles.HANDLER, [TOWNSHIP_B]))
    client.force_login(world["handler_a"])
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    content = response.content.decode()
    assert world["b"].reference not in content and "乙二" not in content and TOWNSHIP_B not in content


def test_dashboard_panel_counts_only_the_users_divisions(rf, world):
    from forms_intake.backoffice.dashboard import DashboardPanel

    request = rf.get("/admin/")
    request.user = world["handler_a"]
    context = DashboardPanel(request).get_context_data({})
    assert sum(n for _value, _label, n in context["rows"]) == 1


def test_exported_text_cannot_run_as_a_spreadsheet_formula(client, world):
    Submission.objects.filter(pk=world["a"].pk).update(employer_name="=HYPERLINK(\"http://x\")")
    client.force_login(world["handler_a"])
    response = client.get(reverse("forms_intake_submission:index"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
