"""axe-core (npm, pinned in package.json) finds no serious or critical accessibility violations on any
public page type, in Chinese and in English, in standard and elder-friendly mode."""

import os
from pathlib import Path

import pytest
from django.conf import settings

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
    finally:
        context.close()
    assert failures == {}
