"""portal.sms: one call, the backend chosen by settings, like Django's e-mail backends."""

import io
import json

import pytest

from portal import sms


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_tests_keep_messages_in_the_outbox():
    sms.send_sms("13812345678", "您的验证码是 123456")
    assert [(m.to, m.body) for m in sms.outbox] == [("13812345678", "您的验证码是 123456")]


def test_the_console_backend_masks_the_number():
    stream = io.StringIO()
    console = sms.get_backend("portal.sms.backends.console.SmsBackend", stream=stream)
    sms.send_sms("13812345678", "已登记", backend=console)
    assert stream.getvalue() == "[SMS to 138****5678] 已登记\n"


def test_the_file_backend_appends_json_lines_only_its_owner_reads(tmp_path):
    path = tmp_path / "sms" / "out.jsonl"
    backend = sms.get_backend("portal.sms.backends.filebased.SmsBackend", path=str(path))
    sms.send_sms("13812345678", "一", backend=backend)
    sms.send_sms("13912345678", "二", backend=backend)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["body"]) for line in lines] == [("13812345678", "一"), ("13912345678", "二")]
    assert path.stat().st_mode & 0o077 == 0
