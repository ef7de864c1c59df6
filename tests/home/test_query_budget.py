"""SQL queries per public page stay under a fixed budget that does not grow with the amount of content.

Two budgets per page (anonymous visitor, page cache off as in all tests; renditions already generated):
- warm: as in production once a page has been seen in this content generation (portal/page_serving.py
  remembers the route, so the page is read by its primary key; the memo of portal/content_memo.py holds
  the menu, language links, breadcrumbs and the rendered content);
- cold: the memo switched off (the first request after a publish, `CONTENT_MEMO=0`).
The issue's limit is 12 for every page, warm and cold.
Each page is measured with N and with 3N extra notices, questions and posters: the count must be equal.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import FaqPage
from home.models import NoticeIndexPage, PosterIndexPage
from portal import cache as page_cache
from tests.home.helpers import add_notices, add_posters, add_questions

pytestmark = pytest.mark.django_db

# path: (warm, cold)
BUDGETS = {
    "/": (1, 7),
    "/notices/": (2, 9),
    "/notices/universal-registration-notice/": (1, 8),
    "/qa/": (1, 7),
    "/posters/": (2, 8),
    "/posters/register-now-poster/": (2, 10),
    "/work-schedule/": (1, 8),  # cold: + the work items (home.WorkItem snippets, one query)
    "/search/?q=参保": (6, 8),
    "/en/": (1, 8),
    "/en/qa/": (1, 8),
    "/en/posters/": (2, 9),
    "/en/search/?q=card": (6, 9),
}
ISSUE_LIMIT = 12


def _count(client, path):
    client.get(path)  # warm-up: first renders create image renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _grow(count, first):
    """Add `count` notices, posters and questions (the Q&A page is re-read: it changes on each publish)."""
    add_notices(NoticeIndexPage.objects.get(locale__language_code="zh-hans"), count, first=first)
    add_posters(PosterIndexPage.objects.get(locale__language_code="zh-hans"), count, first=first)
    add_questions(FaqPage.objects.get(locale__language_code="zh-hans"), count)


@pytest.mark.parametrize("memo", ["warm", "cold"])
def test_each_public_page_is_within_budget_and_does_not_grow_with_content(
    client, public_site, settings, django_capture_on_commit_callbacks, memo
):
    settings.CONTENT_MEMO_ENABLED = memo == "warm"
    page_cache.get_cache().set(page_cache.GENERATION_KEY, time.time_ns(), timeout=None)
    budget = {path: budgets[0 if memo == "warm" else 1] for path, budgets in BUDGETS.items()}
    n = 4
    with django_capture_on_commit_callbacks(execute=True):  # publishing commits: the generation moves on
        _grow(n, first=0)
    small = {path: _count(client, path) for path in BUDGETS}
    for path, count in small.items():
        assert count <= budget[path], f"{path}: {count} queries, budget {budget[path]}"
        assert count <= ISSUE_LIMIT
    with django_capture_on_commit_callbacks(execute=True):
        _grow(2 * n, first=n)  # now 3N
    large = {path: _count(client, path) for path in BUDGETS}
    assert large == small
    print(f"queries per page ({memo}):", small)
