"""Cross-cutting access sweep: users who must see no registration (staff without a division, a content
editor, an approver) get none on any admin page they can open — dashboard, global search, reports,
statistics, listings, their fragments and exports. (Per-view 404s are in tests/forms_intake/test_admin_scope.py.)"""

import pytest
from django.urls import reverse

from forms_intake.services import audit, transitions
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    make_divisions()
    roles.ensure_roles()
    submission = make_submission(name="欧阳秘密")
    handler = make_staff("handler_sweep", roles.HANDLER, [TOWNSHIP_A])
    transitions.perform(submission, "claim", handler)
    audit.record(submission, "reveal", handler)
    return {
        "submission": submission,
        "nobody": make_staff("no_division_sweep", roles.HANDLER, []),
        "reviewer_nobody": make_staff("reviewer_no_division", roles.REVIEWER, []),
        "editor": make_staff("editor_sweep", roles.EDITOR, []),
        "approver": make_staff("approver_sweep", roles.APPROVER, []),
    }


def _pages(submission):
    index = reverse("forms_intake_submission:index")
    return [
        (reverse("wagtailadmin_home"), {}),
        ("/admin/search/", {"q": submission.reference}),
        ("/admin/search/", {"q": submission.name}),
        ("/admin/reports/site-history/", {}),
        ("/admin/reports/site-history/results/", {}),
        (index, {}),
        (index, {"q": submission.reference}),
        (reverse("forms_intake_submission:index_results"), {}),
        (reverse("forms_intake_submission:mine"), {}),
        (reverse("forms_intake_statistics"), {}),
        (reverse("forms_intake_statistics_results"), {}),
        (index, {"export": "csv"}),
        (reverse("forms_intake_statistics"), {"export": "csv"}),
    ]


@pytest.mark.parametrize("who", ["nobody", "reviewer_nobody", "editor", "approver"])
def test_users_without_scope_see_no_registration_anywhere(client, world, who):
    submission = world["submission"]
    client.force_login(world[who])
    secrets = [submission.reference, submission.name, submission.id_number_masked, submission.phone_masked]
    opened = 0
    for url, params in _pages(submission):
        response = client.get(url, params)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        if response.status_code != 200:
            continue
        opened += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig", errors="replace")
        for secret in secrets:
            if secret in params.values():
                continue  # the search box echoes what was typed; that is not a leak
            assert secret not in text, (url, params)
    assert opened >= 2  # at least the dashboard and the global search were really looked at
