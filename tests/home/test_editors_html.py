"""The public pages are valid HTML (issue 17): no parse errors (html5lib, the WHATWG parser, offline),
`<time datetime>` values in a valid HTML date or date-time format (no microseconds), no empty `action`."""

import re

import html5lib
import pytest
from django.utils import timezone

from home.models import NoticePage

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/notices/",
    "/notices/universal-registration-notice/",
    "/qa/",
    "/posters/",
    "/posters/register-now-poster/",
    "/work-schedule/",
    "/status/",
    "/search/?q=参保",
    "/en/notices/",
]
# A valid date string, or a valid global date and time string with seconds at most (no fractions here).
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2}))?$")


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_parse_without_errors_and_use_valid_attribute_values(client, public_site, url):
    # A publication time with microseconds, as Wagtail stores it, on the notice.
    NoticePage.objects.filter(slug="universal-registration-notice").update(
        last_published_at=timezone.now().replace(microsecond=123456)
    )
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    parser.parse(html)
    assert parser.errors == [], [
        (html5lib.constants.E.get(code, code) % (data or {}), pos) for pos, code, data in parser.errors
    ]
    for value in re.findall(r'<time[^>]*\sdatetime="([^"]*)"', html):
        assert DATETIME.match(value), (url, value)
    assert not re.search(r'<form[^>]*\saction=""', html), url
    assert re.findall(r"<time", html) or url not in ("/notices/", "/notices/universal-registration-notice/")
