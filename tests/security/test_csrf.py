"""CSRF: every state-changing POST without a token gets 403 and changes nothing; GETs change nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from forms_intake.models import Submission, SubmissionEvent
from portal import roles
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_divisions, make_staff, make_submission
from tests.forms_intake.wizard_support import employed_self_answers, run_wizard, step_post

pytestmark = pytest.mark.django_db


def _state(submission):
    submission.refresh_from_db()
    return (submission.status, submission.handler_id, submission.queue_code, submission.name, submission.updated_at)


@pytest.fixture
def world(registration_site):
    make_divisions()
    roles.ensure_roles()
    submission = make_submission()
    staff = make_staff("handler_csrf", roles.PROVINCIAL_ADMIN, ["430000"])
    staff.is_superuser = True
    staff.save()
    return {"submission": submission, "staff": staff}


def _submission_urls(pk):
    """Every URL of the registrations viewset, with the object's pk where the route takes one."""
    urls = []
    for pattern in _viewset_patterns():
        kwargs = {}
        if "pk" in pattern.pattern.converters:
            kwargs["pk"] = pk
        if "name" in pattern.pattern.converters:
            kwargs["name"] = "claim"
        urls.append(reverse(f"forms_intake_submission:{pattern.name}", kwargs=kwargs))
    return urls


def _viewset_patterns():
    from forms_intake.wagtail_hooks import submission_viewset

    return submission_viewset.get_urlpatterns()


def test_public_posts_without_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.get("/register/step/filer/")
    for url, data in [
        ("/register/step/filer/", step_post("filer", {"filing_for": "self", "intent": "on"})),
        ("/en/register/step/filer/", step_post("filer", {"filing_for": "self", "intent": "on"})),
        ("/register/keepalive/", {}),
        ("/status/", {"reference": "HN-0000-0000", "id_number": "x"}),
        ("/en/status/", {"reference": "HN-0000-0000", "id_number": "x"}),
        ("/admin/login/", {"username": "handler_csrf", "password": "pw-for-tests-only"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    # The wizard did not move: still at its first step, nothing stored.
    assert client.session["wizard_registration"]["step_data"] == {}


def test_the_final_submit_without_token_creates_nothing(world):
    client = Client(enforce_csrf_checks=True)
    # Answer every step with valid tokens, then drop the token at the end.
    run_wizard(_CsrfPassingClient(client), employed_self_answers(), stop_before="review")
    before = Submission.objects.count()
    response = client.post("/register/step/review/", step_post("review", {"confirm_true": "on", "consent": "on"}))
    assert response.status_code == 403
    assert Submission.objects.count() == before


def test_every_registrations_admin_post_without_token_is_refused(world):
    submission = world["submission"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["staff"])
    before, events = _state(submission), SubmissionEvent.objects.count()
    urls = _submission_urls(submission.pk)
    assert len(urls) >= 10
    for url in urls:
        response = client.post(url, {"note": "x", "reason": "other", "queue_code": TOWNSHIP_A, "ids": [submission.pk]})
        assert response.status_code == 403, url
    for url in ["/admin/logout/", f"/admin/users/edit/{world['staff'].pk}/", "/admin/pages/add/home/homepage/2/"]:
        assert client.post(url, {}).status_code == 403, url
    assert _state(submission) == before
    assert SubmissionEvent.objects.count() == events
    assert get_user_model().objects.get(pk=world["staff"].pk).is_active


def test_gets_on_every_registrations_admin_url_change_nothing(world):
    """GET never claims, transitions, re-routes or edits (exports and prints only add audit entries)."""
    submission = world["submission"]
    client = Client()
    client.force_login(world["staff"])
    before = _state(submission)
    for url in _submission_urls(submission.pk):
        assert client.get(url).status_code < 500, url
    assert _state(submission) == before
    assert not SubmissionEvent.objects.exclude(action__in=["print", "export"]).exists()


class _CsrfPassingClient:
    """Wraps a CSRF-enforcing client and adds the token from the cookie to each POST."""

    def __init__(self, client):
        self.client = client

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url, data, **kwargs):
        token = self.client.cookies["csrftoken"].value
        return self.client.post(url, {**data, "csrfmiddlewaretoken": token}, **kwargs)
