"""Schedule a notice from inside `manage.py shell` (another process) for test_scheduled_publishing_live.py.

`python manage.py shell -c "from tests.home.scheduled_world import main; main(3)"` adds a draft notice
under the Chinese notice index and publishes a revision of it whose go-live time is 3 seconds ahead,
which Wagtail turns into a scheduled revision (the page stays offline until `publish_scheduled`).
"""

import datetime

from django.utils import timezone

from home.models import NoticeIndexPage, NoticePage

TITLE = "关于定时发布测试的通知"
SLUG = "scheduled-live-notice"


def main(seconds):
    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")
    notice = index.add_child(
        instance=NoticePage(
            title=TITLE,
            slug=SLUG,
            issuing_authority="湖南省人力资源和社会保障厅",
            issue_date=timezone.localdate(),
            summary="到点自动上线的通知。",
            body=[("paragraph", "<p>到点自动上线的通知。</p>")],
            live=False,
        )
    )
    go_live = timezone.now() + datetime.timedelta(seconds=seconds)
    notice.go_live_at = go_live
    notice.save_revision().publish()
    notice.refresh_from_db()
    assert not notice.live, "the notice must wait for its go-live time"
    print(f"GO_LIVE {go_live.timestamp()}")
