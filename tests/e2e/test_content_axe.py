"""axe-core (npm, pinned in package.json) finds no serious or critical accessibility violations on any
public page type, in Chinese and in English, in standard and elder-friendly mode."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.forms_intake.moderation_support import make_id_number

pytestmark = pytest.mark.e2e

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/notices/",
    "/notices/universal-registration-notice/",
    "/qa/",
    "/posters/",
    "/posters/register-now-poster/",
    "/work-schedule/",
    "/privacy/",
    "/accessibility/",
    "/search/?q=参保",
    # Issue 14's pages that open without a registration in progress: the online correction's look-up
    # and the "come back to a saved registration" page.
    "/register/correct/",
    "/register/step/resume/",
]
#: The same pages after a submit (path, then each action: the fields filled, the button pressed, what the page
#: then shows): the correction's code entry (any well-formed pair leads there) and its wrong-code error, the
#: resume page's error.
FORM_STATES = [
    ("/register/correct/", [
        ({'input[name="reference"]': "HN-AAAA-AAAA-AAA", 'input[name="id_number"]': make_id_number(sequence=1)},
         'form:has(input[name="stage"][value="lookup"]) button[type="submit"]', 'input[name="code"]'),
        ({'input[name="code"]': "000000"}, 'form:has(input[name="stage"][value="code"]) button[type="submit"]',
         "[data-error-summary]"),
        ({}, 'button[name="start_again"]', 'input[name="reference"]'),  # (and the next run starts afresh)
    ]),
    ("/register/step/resume/", [({'input[name="phone"]': "123"}, "[data-primary-submit]", "[data-error-summary]")]),
]


@pytest.fixture
def axe_path():
    if not AXE.exists():
        message = "axe-core is not installed: run `npm ci` (make test does it when npm is present)"
        if os.environ.get("E2E", "").lower() == "required":
            pytest.fail(message)
        pytest.skip(message)
    return str(AXE)


def _violations(page, axe_path):
    page.add_script_tag(path=axe_path)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core" and result["passes"], "axe did not run"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_serious_accessibility_violations(live_portal, browser, axe_path, language):
    # bypass_csp: axe is injected as an inline script, which the site's Content-Security-Policy rightly forbids.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    prefix = "/en" if language == "en" else ""
    failures = {}
    try:
        for elder in (False, True):
            if elder:
                context.add_cookies([{"name": "elder_mode", "value": "1", "url": live_portal.url}])
            for path in PAGES:
                if prefix and path.startswith("/search"):
                    path = "/search/?q=card"
                url = live_portal.url + prefix + path
                response = page.goto(url)
                assert response.status == 200, url
                found = _violations(page, axe_path)
                if found:
                    failures[("elder " if elder else "") + url] = found
            for path, actions in FORM_STATES:
                page.goto(live_portal.url + prefix + path)
                for number, (fields, button, shown) in enumerate(actions, start=1):
                    for selector, value in fields.items():
                        page.fill(selector, value)
                    with page.expect_navigation():
                        page.click(button)
                    page.wait_for_selector(shown, state="attached")
                    found = _violations(page, axe_path)
                    if found:
                        failures[f"{'elder ' if elder else ''}{prefix}{path} after submit {number}"] = found
    finally:
        context.close()
    assert failures == {}
