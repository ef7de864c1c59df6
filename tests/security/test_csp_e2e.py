"""Browser test: the strict Content-Security-Policy blocks nothing the portal needs.

Chromium reports every violation as a `securitypolicyviolation` event and a
"Refused to …" console message; both are collected on every published page
(both languages, JSON-LD included if a page has it), the wizard's first steps,
the status lookup, the 404 page and the Wagtail admin (under its own policy).
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def live_site(transactional_db, live_server):
    """Like tests/conftest.py's live_site, but also after an earlier transactional test's flush,
    which removes the root collection that a Wagtail migration created."""
    from wagtail.models import Collection

    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    call_command("load_portal_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server


@pytest.fixture
def watched_page(desktop_page):
    messages = []
    desktop_page.add_init_script(RECORD_VIOLATIONS)
    desktop_page.on("console", lambda msg: messages.append(msg.text) if "Content Security Policy" in msg.text else None)
    desktop_page.csp_console = messages
    yield desktop_page
    # No request in flight when the live server's database is flushed.
    desktop_page.goto("about:blank")


def _violations(page):
    return page.evaluate("window.__csp || []") + list(page.csp_console)


def _visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("load")
    return response


def test_public_pages_report_no_csp_violation(live_site, watched_page):
    page = watched_page
    urls = sorted({p.specific.get_url() for p in Page.objects.live().filter(depth__gt=1)} - {None})
    assert len(urls) >= 2
    report = {}
    for path in [*urls, "/register/", "/status/", "/en/status/", "/no-such-page/"]:
        response = _visit(page, live_site.url + path)
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()} or path.startswith(
            "/static/"
        ), path
        found = _violations(page)
        if found:
            report[path] = found
    assert report == {}
    # The page's own scripts ran (they are same-origin files): the wizard's script marks the document.
    assert page.evaluate("document.scripts.length") >= 1


def test_json_ld_is_not_executable_and_needs_no_permission(live_site, watched_page):
    """A JSON-LD block is data, not script: the strict policy reports nothing for it."""
    page = watched_page
    _visit(page, live_site.url + "/")
    page.evaluate(
        """() => {
          const s = document.createElement('script');
          s.type = 'application/ld+json';
          s.textContent = JSON.stringify({"@context": "https://schema.org", "@type": "GovernmentService"});
          document.head.appendChild(s);
        }"""
    )
    page.wait_for_timeout(200)
    assert _violations(page) == []
    # …whereas an inline executable script is refused: the policy is really in force.
    page.evaluate(
        """() => {
          const s = document.createElement('script');
          s.textContent = 'window.__ran = true;';
          document.head.appendChild(s);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran === true") is False
    assert any("script-src" in v for v in _violations(page))


def test_admin_pages_report_no_csp_violation_under_the_admin_policy(live_site, watched_page):
    get_user_model().objects.create_superuser("csp-admin", password="pw-for-tests-only-123")
    page = watched_page
    _visit(page, live_site.url + "/admin/login/")
    page.fill("input[name=username]", "csp-admin")
    page.fill("input[name=password]", "pw-for-tests-only-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    report = {}
    home = Page.objects.get(depth=2, locale__language_code="zh-hans")
    for path in ["/admin/", f"/admin/pages/{home.pk}/", f"/admin/pages/{home.pk}/edit/", "/admin/registrations/"]:
        _visit(page, live_site.url + path)
        page.wait_for_timeout(300)
        found = _violations(page)
        if found:
            report[path] = found
    assert report == {}
