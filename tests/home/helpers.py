"""Helpers that make extra content for tests (more notices, questions, posters), through the page factories.

The pages are the same as they always were (titles, slugs, dates, a one-paragraph body, 60×85 images), so
that tests measuring queries per amount of content (test_query_budget.py) measure the same thing.
"""

import datetime
import uuid

from home.seeding import save_and_publish
from tests.factories.blocks import ImageFactory
from tests.factories.pages import NoticePageFactory, PosterPageFactory


def add_notices(index, count, first=0):
    """Publish notices number first … first+count-1 under `index`, dated in 2014 (older than the seed notices)."""
    return [
        NoticePageFactory(
            parent=index,
            title=f"测试通知 {i}",
            slug=f"test-notice-{i}",
            issuing_authority="测试单位",
            document_number="",
            issue_date=datetime.date(2014, 1, 1) + datetime.timedelta(days=i),
            summary="测试摘要，含参保二字。",
            search_description="",
            body__0__paragraph__value="<p>测试正文。</p>",
        )
        for i in range(first, first + count)
    ]


def add_questions(faq_page, count):
    """Append `count` questions to the first category of the Q&A page and publish it."""
    raw = list(faq_page.categories.raw_data)
    for i in range(count):
        question = {"question": f"测试问题{uuid.uuid4().hex[:6]}？", "answer": f"<p>测试回答{i}。</p>"}
        raw[0]["value"]["questions"].append({"type": "item", "id": str(uuid.uuid4()), "value": question})
    faq_page.categories = raw
    save_and_publish(faq_page)


def add_posters(index, count, first=0):
    """Publish posters number first … first+count-1 (small generated PNG images) under `index`."""
    return [
        PosterPageFactory(
            parent=index,
            title=f"测试张贴画{i}",
            slug=f"test-poster-{i}",
            image=ImageFactory(title=f"测试张贴画{i}", file__filename=f"test-poster-{i}.png"),
            alt_text=f"测试张贴画{i}",
            caption="",
            print_file=None,
            search_description="",
        )
        for i in range(first, first + count)
    ]
