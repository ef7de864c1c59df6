"""The Tencent Cloud SMS adapter against a local fake of the SendSms API (no internet).

The fake server checks the request the way Tencent documents it (TC3-HMAC-SHA256 over the canonical
request, the X-TC-* headers, the JSON parameters) with its own implementation of the steps, and answers
what the test asks for: success, an error answer, a failed send status, an HTTP error or nothing at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal import sms
from portal.sms.backends import tencent

SECRET_ID = "AKIDtestsecretid0000000000000000"
SECRET_KEY = "testsecretkey00000000000000000"
FIXED_TIME = 1_764_633_600  # 2025-12-02 00:00:00 UTC


def expected_signature(secret_key, host, payload: bytes, timestamp: int) -> str:
    """Tencent's documented steps, written out independently of the adapter."""
    date = datetime.fromtimestamp(timestamp, UTC).date().isoformat()
    canonical = (
        "POST\n/\n\n"
        f"content-type:application/json; charset=utf-8\nhost:{host}\n\n"
        "content-type;host\n" + hashlib.sha256(payload).hexdigest()
    )
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n" + hashlib.sha256(canonical.encode()).hexdigest()
    k_date = hmac.new(f"TC3{secret_key}".encode(), date.encode(), "sha256").digest()
    k_service = hmac.new(k_date, b"sms", "sha256").digest()
    k_signing = hmac.new(k_service, b"tc3_request", "sha256").digest()
    return hmac.new(k_signing, to_sign.encode(), "sha256").hexdigest()


class FakeTencent:
    def __init__(self):
        self.requests = []
        self.answer = (200, {"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success"}],
                                          "RequestId": "r-1"}})
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                time.sleep(fake.delay)
                status, answer = fake.answer
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakeTencent()
    yield server
    server.close()


def backend(fake, **overrides):
    options = {
        "secret_id": SECRET_ID, "secret_key": SECRET_KEY, "sdk_app_id": "1400123456", "sign_name": "湖南社保",
        "templates": {"default": "100", "returned": "200"}, "endpoint": f"http://{fake.host}",
        "timeout_seconds": 2, "clock": lambda: FIXED_TIME,
    }
    options.update(overrides)
    return sms.get_backend("portal.sms.backends.tencent.SmsBackend", **options)


def test_a_message_is_sent_as_a_signed_sendsms_request_with_its_template(fake):
    sms.send_sms("13812345678", "full text", backend=backend(fake), template="returned", params=("HN-1", "补正"))
    [request] = fake.requests
    headers = {key.lower(): value for key, value in request["headers"].items()}
    assert json.loads(request["body"]) == {
        "PhoneNumberSet": ["+8613812345678"], "SmsSdkAppId": "1400123456", "SignName": "湖南社保",
        "TemplateId": "200", "TemplateParamSet": ["HN-1", "补正"],
    }
    assert headers["x-tc-action"] == "SendSms"
    assert headers["x-tc-version"] == "2021-01-11"
    assert headers["x-tc-region"] == "ap-guangzhou"
    assert headers["x-tc-timestamp"] == str(FIXED_TIME)
    signature = expected_signature(SECRET_KEY, fake.host, request["body"], FIXED_TIME)
    assert headers["authorization"] == (
        f"TC3-HMAC-SHA256 Credential={SECRET_ID}/2025-12-02/sms/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


def test_a_message_without_a_template_uses_the_default_one_with_its_text(fake):
    sms.send_sms("+8613912345678", "您的验证码是 123456", backend=backend(fake))
    body = json.loads(fake.requests[0]["body"])
    assert (body["TemplateId"], body["TemplateParamSet"], body["PhoneNumberSet"]) == (
        "100", ["您的验证码是 123456"], ["+8613912345678"])


@pytest.mark.parametrize(("answer", "code", "retryable"), [
    ((200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}}),
     "AuthFailure.SignatureFailure", False),
    ((200, {"Response": {"SendStatusSet": [{"Code": "InvalidParameterValue.IncorrectPhoneNumber",
                                            "Message": "13812345678 is wrong"}]}}),
     "InvalidParameterValue.IncorrectPhoneNumber", False),
    ((200, {"Response": {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit"}]}}),
     "LimitExceeded.PhoneNumberDailyLimit", True),
    ((503, {"oops": True}), "HTTP503", True),
    ((200, {"unexpected": 1}), "BadAnswer", True),
])
def test_refusals_raise_sms_error_with_the_code_and_never_the_number(fake, answer, code, retryable):
    fake.answer = answer
    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "您的登记已受理", backend=backend(fake))
    assert caught.value.code == code
    assert caught.value.retryable is retryable
    assert "13812345678" not in str(caught.value) and "5678" not in str(caught.value)
    assert "登记" not in str(caught.value)


def test_a_provider_that_does_not_answer_in_time_is_a_retryable_error(fake):
    fake.delay = 1.5
    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "x", backend=backend(fake, timeout_seconds=0.3))
    assert caught.value.retryable is True


def test_a_closed_port_is_a_retryable_error():
    class Closed:
        host = "127.0.0.1:9"
    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "x", backend=backend(Closed()))
    assert caught.value.retryable is True


def test_a_missing_template_or_setting_is_refused_before_any_request(fake):
    with pytest.raises(sms.SmsError) as caught:
        sms.send_sms("13812345678", "x", backend=backend(fake), template="card_issued", params=("a",))
    assert (caught.value.code, caught.value.retryable) == ("NoTemplate.card_issued", False)
    unconfigured = backend(fake, secret_key="")
    assert unconfigured.missing_settings() == ["SMS_TENCENT_SECRET_KEY"]
    with pytest.raises(sms.SmsError):
        sms.send_sms("13812345678", "x", backend=unconfigured)
    assert fake.requests == []


def test_plain_http_is_refused_except_to_loopback():
    with pytest.raises(sms.SmsError):
        tencent.SmsBackend(endpoint="http://sms.tencentcloudapi.com")
    assert tencent.SmsBackend(endpoint="https://sms.tencentcloudapi.com").host == "sms.tencentcloudapi.com"
