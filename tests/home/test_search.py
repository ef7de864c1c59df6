"""Site search: Chinese words without spaces find every page that contains them, in the active language.

Run on PostgreSQL too:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/eng_a .venv/bin/python -m pytest tests/home -q --create-db
"""

import re

import pytest
from wagtail.models import Locale

from faq.models import FaqPage
from home.models import NoticePage, PosterPage, SchedulePage
from home.search import query_terms, search_pages

pytestmark = pytest.mark.django_db


def _visible_text(client, page):
    """What a visitor reads on the page (main content, tags removed, alt text included)."""
    body = client.get(page.get_url()).content.decode()
    main = body.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]
    alts = " ".join(re.findall(r'alt="([^"]*)"', main))
    return re.sub(r"<[^>]+>", "", main) + " " + alts


@pytest.mark.parametrize("word", ["参保", "社保卡", "代理人", "12333"])
def test_a_chinese_word_finds_every_page_that_contains_it(client, public_site, db, word):
    zh = Locale.objects.get(language_code="zh-hans")
    found = {r.page.pk for r in search_pages(word, zh)}
    expected = set()
    for model in (NoticePage, FaqPage, PosterPage, SchedulePage):
        for page in model.objects.live().filter(locale=zh):
            if word.lower() in _visible_text(client, page).lower():
                expected.add(page.pk)
    assert expected, f"the seed content should contain {word}"
    assert found == expected


def test_search_page_lists_results_and_matching_questions(client, public_site, db):
    body = client.get("/search/", {"q": "社保卡"}).content.decode()
    assert "/qa/#q-" in body  # links straight to the matching questions
    assert "登记时为什么要选择社保卡服务银行？" in body
    assert "社保卡 一卡在手" in body  # the poster
    body = client.get("/search/", {"q": "参保"}).content.decode()
    for title in [
        "湖南省人力资源和社会保障厅关于开展全民参保登记工作的通告",
        "政策问答",
        "湖南省全民参保登记主要工作安排表",
    ]:
        assert title in body


def test_several_terms_must_all_match(public_site, db):
    zh = Locale.objects.get(language_code="zh-hans")
    both = {r.page.slug for r in search_pages("社保卡 长沙银行", zh)}
    assert "social-security-card-poster" in both
    assert "work-schedule" not in both


def test_english_search_finds_english_pages_only(client, public_site, db):
    en = Locale.objects.get(language_code="en")
    results = search_pages("social security card", en)
    assert results and all(r.page.locale_id == en.pk for r in results)
    assert {r.page.slug for r in results} >= {"qa", "social-security-card-poster"}
    body = client.get("/en/search/", {"q": "Proxy"}).content.decode()
    assert "Notice of the Hunan Provincial Department" in body  # case-insensitive
    assert "湖南" not in body.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]


def test_new_and_unpublished_content(public_site, db):
    from home.models import NoticeIndexPage
    from tests.home.helpers import add_notices

    zh = Locale.objects.get(language_code="zh-hans")
    index = NoticeIndexPage.objects.get(locale=zh)
    [notice] = add_notices(index, 1)
    assert notice.pk in {r.page.pk for r in search_pages("测试摘要", zh)}
    notice.unpublish()
    assert notice.pk not in {r.page.pk for r in search_pages("测试摘要", zh)}


def test_query_terms_are_bounded():
    assert query_terms("  参保  参保 社保卡 ") == ["参保", "社保卡"]
    assert len(query_terms(" ".join(f"w{i}" for i in range(20)))) == 5
    assert query_terms("") == []


def test_empty_and_hostile_queries(client, public_site, db):
    assert client.get("/search/").status_code == 200
    body = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert client.get("/search/", {"q": "%_"}).status_code == 200
    zh = Locale.objects.get(language_code="zh-hans")
    assert search_pages("%", zh) == []  # LIKE wildcards are escaped, not matched literally as "anything"
