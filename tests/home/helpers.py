"""Helpers that make extra content for tests (more notices, questions, posters)."""

import datetime

from home.seeding import save_and_publish


def add_notices(index, count, start=datetime.date(2014, 1, 1)):
    """Publish `count` short notices under `index`, one a day from `start` (older than the seed notices)."""
    from home.models import NoticePage

    made = []
    for i in range(count):
        notice = NoticePage(
            title=f"测试通知 {i}",
            slug=f"test-notice-{i}",
            issuing_authority="测试单位",
            issue_date=start + datetime.timedelta(days=i),
            summary="测试摘要，含参保二字。",
            body=[{"type": "paragraph", "value": "<p>测试正文。</p>"}],
            locale=index.locale,
        )
        index.add_child(instance=notice)
        save_and_publish(notice)
        made.append(notice)
    return made
