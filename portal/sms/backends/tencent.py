"""Tencent Cloud SMS (短信 SendSms, API 3.0) over HTTPS with the documented TC3-HMAC-SHA256 signature.

Settings (environment variables of the same name, portal/settings/base.py; docs/sms.md):

- ``SMS_TENCENT_SECRET_ID`` / ``SMS_TENCENT_SECRET_KEY``: an API key of a sub-account allowed to send SMS only;
- ``SMS_TENCENT_SDK_APP_ID``: the SMS application (SmsSdkAppId, "1400…");
- ``SMS_SIGN_NAME``: the approved signature (签名), e.g. 湖南社保;
- ``SMS_TEMPLATES``: {template key: approved template id}, e.g. {"returned": "2012345", ...}. A message names its
  key (``SmsMessage.template``) and carries the template's variables (``params``); a message without one
  uses the "default" template with the whole text as its single variable;
- ``SMS_TENCENT_REGION`` (ap-guangzhou), ``SMS_TIMEOUT_SECONDS`` (5), ``SMS_TENCENT_ENDPOINT``
  (https://sms.tencentcloudapi.com; plain http is accepted for loopback only, i.e. a test's fake server).

Any refusal (an error answer, a send status other than "Ok", an HTTP error, a timeout) raises
``portal.sms.SmsError`` with the provider's error code only: never the number, the text or the provider's
message (it may echo the number). ``SmsError.code`` holds the code; ``SmsError.retryable`` says whether
trying again later can help (rate limits and network failures) or not (a bad number, a missing template).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings

from portal.sms import SmsError

from .base import BaseSmsBackend

SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com"
DEFAULT_REGION = "ap-guangzhou"
DEFAULT_TIMEOUT = 5.0
CONTENT_TYPE = "application/json; charset=utf-8"

#: Error codes after which a later attempt may succeed.
RETRYABLE_PREFIXES = ("LimitExceeded", "InternalError", "RequestLimitExceeded", "FailedOperation.FailResolvePacket")


def _error(code: str, *, retryable: bool) -> SmsError:
    error = SmsError(f"Tencent Cloud SMS refused the message: {code}")
    error.code, error.retryable = code, retryable
    return error


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int) -> str:
    """The Authorization header of a POST of ``payload`` to ``host`` at ``timestamp`` (TC3-HMAC-SHA256)."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_request = "\n".join([
        "POST", "/", "", f"content-type:{CONTENT_TYPE}\nhost:{host}\n", signed_headers, _sha256_hex(payload),
    ])
    scope = f"{date}/{SERVICE}/tc3_request"
    string_to_sign = "\n".join([ALGORITHM, str(timestamp), scope, _sha256_hex(canonical_request.encode())])
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), SERVICE), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


def e164(number: str) -> str:
    """A mainland mobile number in the E.164 form the API expects (+86…); numbers with "+" are kept."""
    digits = "".join(ch for ch in str(number) if ch.isdigit() or ch == "+")
    return digits if digits.startswith("+") else f"+86{digits}"


class SmsBackend(BaseSmsBackend):
    """Options override the settings (tests pass ``endpoint``, ``clock``)."""

    def __init__(self, **options):
        super().__init__(**options)

        def setting(name, default=None):
            return options.get(name.lower().removeprefix("sms_tencent_").removeprefix("sms_"),
                               getattr(settings, name, default))

        self.secret_id = setting("SMS_TENCENT_SECRET_ID", "")
        self.secret_key = setting("SMS_TENCENT_SECRET_KEY", "")
        self.app_id = setting("SMS_TENCENT_SDK_APP_ID", "")
        self.sign_name = setting("SMS_SIGN_NAME", "")
        self.templates = setting("SMS_TEMPLATES", {}) or {}
        self.region = setting("SMS_TENCENT_REGION", DEFAULT_REGION) or DEFAULT_REGION
        self.timeout = float(setting("SMS_TIMEOUT_SECONDS", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
        self.endpoint = (setting("SMS_TENCENT_ENDPOINT", DEFAULT_ENDPOINT) or DEFAULT_ENDPOINT).rstrip("/")
        self.clock = options.get("clock") or time.time
        parts = urlsplit(self.endpoint)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise SmsError("SMS_TENCENT_ENDPOINT must be an https:// URL")
        self.host = parts.netloc

    def missing_settings(self) -> list[str]:
        """The settings this adapter needs that are empty (production refuses to start without them)."""
        wanted = {
            "SMS_TENCENT_SECRET_ID": self.secret_id, "SMS_TENCENT_SECRET_KEY": self.secret_key,
            "SMS_TENCENT_SDK_APP_ID": self.app_id, "SMS_SIGN_NAME": self.sign_name,
            "SMS_TEMPLATES": self.templates,
        }
        return [name for name, value in wanted.items() if not value]

    def request_body(self, message) -> dict:
        """The SendSms parameters for ``message`` (template id and variables chosen as the module says)."""
        key = message.template or "default"
        template_id = self.templates.get(key)
        if not template_id:
            raise _error(f"NoTemplate.{key}", retryable=False)
        params = list(message.params) if message.template else [message.body]
        return {
            "PhoneNumberSet": [e164(message.to)],
            "SmsSdkAppId": str(self.app_id),
            "SignName": self.sign_name,
            "TemplateId": str(template_id),
            "TemplateParamSet": [str(p) for p in params],
        }

    def send(self, message) -> None:
        if self.missing_settings():
            raise _error("NotConfigured", retryable=False)
        payload = json.dumps(self.request_body(message), ensure_ascii=False).encode()
        timestamp = int(self.clock())
        headers = {
            "Authorization": authorization(self.secret_id, self.secret_key, self.host, payload, timestamp),
            "Content-Type": CONTENT_TYPE,
            "Host": self.host,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }
        request = urllib.request.Request(self.endpoint + "/", data=payload, headers=headers, method="POST")  # noqa: S310 - https (or loopback http) checked in __init__
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 # nosec B310
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise _error(f"HTTP{exc.code}", retryable=exc.code >= 500 or exc.code == 429) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise _error(type(exc).__name__, retryable=True) from None
        except ValueError:
            raise _error("BadAnswer", retryable=True) from None
        result = answer.get("Response") if isinstance(answer, dict) else None
        if not isinstance(result, dict):
            raise _error("BadAnswer", retryable=True)
        if isinstance(result.get("Error"), dict):
            code = str(result["Error"].get("Code") or "Error")
            raise _error(code, retryable=code.startswith(RETRYABLE_PREFIXES))
        statuses = result.get("SendStatusSet") or []
        if not statuses:
            raise _error("NoSendStatus", retryable=True)
        code = str(statuses[0].get("Code") or "")
        if code != "Ok":
            raise _error(code or "NoSendStatus", retryable=code.startswith(RETRYABLE_PREFIXES))
