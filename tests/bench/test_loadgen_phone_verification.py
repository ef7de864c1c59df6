"""The wizard benchmark's simulated resident (bench/loadgen.py) registers with phone verification on.

The bench's servers text the code to a file (SMS_BACKEND=…filebased, SMS_FILE_PATH); the load
generator reads it there, as a resident reads their phone. Here the live server plays the servers.
"""

import asyncio
import random
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import loadgen  # noqa: E402

from tests.forms_intake.wizard_support import load_test_site  # noqa: E402


@pytest.mark.parametrize("verification", [True, False])
def test_a_simulated_resident_gets_a_receipt(transactional_db, live_server, tmp_path, monkeypatch, verification):
    from forms_intake.models import Submission

    load_test_site()
    sms_file = tmp_path / "sms.jsonl"
    monkeypatch.setattr(loadgen, "SMS_FILE", str(sms_file))
    settings = {
        "WIZARD_PHONE_VERIFICATION": verification,
        "SMS_BACKEND": "portal.sms.backends.filebased.SmsBackend",
        "SMS_FILE_PATH": str(sms_file),
    }
    url = urlsplit(live_server.url)
    with override_settings(**settings):
        browser = loadgen._Browser(url.hostname, url.port, [], Counter())
        # In a thread of its own: a browser test earlier in this process may have left Playwright's
        # event loop running in the main thread, where asyncio.run() refuses to start another.
        with ThreadPoolExecutor(max_workers=1) as pool:
            reference = pool.submit(asyncio.run, browser.register(random.Random(7), "/register/")).result()
    assert Submission.objects.get().reference == reference
    assert sms_file.exists() == verification
