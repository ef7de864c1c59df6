"""Helpers that make extra content for tests (more notices, questions, posters)."""

import datetime
import uuid
from io import BytesIO

from home.seeding import save_and_publish


def add_notices(index, count, first=0):
    """Publish notices number first … first+count-1 under `index`, dated in 2014 (older than the seed notices)."""
    from home.models import NoticePage

    made = []
    for i in range(first, first + count):
        notice = NoticePage(
            title=f"测试通知 {i}",
            slug=f"test-notice-{i}",
            issuing_authority="测试单位",
            issue_date=datetime.date(2014, 1, 1) + datetime.timedelta(days=i),
            summary="测试摘要，含参保二字。",
            body=[{"type": "paragraph", "value": "<p>测试正文。</p>"}],
            locale=index.locale,
        )
        index.add_child(instance=notice)
        save_and_publish(notice)
        made.append(notice)
    return made


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
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    from home.models import PosterPage

    image_model = get_image_model()
    for i in range(first, first + count):
        buffer = BytesIO()
        PILImage.new("RGB", (60, 85), (160, 16, 27)).save(buffer, "PNG")
        image = image_model(title=f"测试张贴画{i}")
        image.file = ImageFile(buffer, name=f"test-poster-{i}.png")
        image.save()
        poster = PosterPage(
            title=f"测试张贴画{i}", slug=f"test-poster-{i}", image=image, alt_text=f"测试张贴画{i}", locale=index.locale
        )
        index.add_child(instance=poster)
        save_and_publish(poster)
