"""SQL queries per public page stay under a fixed budget that does not grow with the amount of content.

Budgets (anonymous visitor, page cache off as in all tests; renditions already generated):
home 25, notice index 20, notice 20, Q&A 20, poster gallery 20, poster 20, schedule 20, search 25.
Each page is measured with N and with 3N extra notices, questions and posters: the count must be equal.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import FaqPage
from home.models import NoticeIndexPage, PosterIndexPage
from tests.home.helpers import add_notices, add_posters, add_questions

pytestmark = pytest.mark.django_db

BUDGETS = {
    "/": 25,
    "/notices/": 20,
    "/notices/universal-registration-notice/": 20,
    "/qa/": 20,
    "/posters/": 20,
    "/posters/register-now-poster/": 20,
    "/work-schedule/": 20,
    "/search/?q=参保": 25,
    "/en/": 25,
    "/en/qa/": 20,
    "/en/posters/": 20,
    "/en/search/?q=card": 25,
}


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


def test_each_public_page_is_within_budget_and_does_not_grow_with_content(client, public_site, db):
    n = 4
    _grow(n, first=0)
    small = {path: _count(client, path) for path in BUDGETS}
    for path, count in small.items():
        assert count <= BUDGETS[path], f"{path}: {count} queries, budget {BUDGETS[path]}"
    _grow(2 * n, first=n)  # now 3N
    large = {path: _count(client, path) for path in BUDGETS}
    assert large == small
    print("queries per page:", small)
