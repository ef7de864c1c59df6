"""Async HTTP load generators: a fallback for wrk (aiohttp), and simulated residents completing the wizard.

`run_load(url, duration, connections)` hammers one URL like wrk does, follows
no redirect and counts every status code (a 302 to another page is not the page).
`run_wizard(base, prefix, duration, residents)` has `residents` people
concurrently fill in the whole Annex 2 wizard as a browser would (GET each
step, POST it with the page's CSRF token and the cookies, follow the redirect),
each registration with a fresh session and a new, valid ID number. A
registration counts as completed only when every step answered as expected
(each GET the form of the step it should be, each POST a redirect to the next
step, the last one to the receipt) and the receipt shows a reference number
not seen before in the run; anything else is a failed registration, counted
with its reason. It speaks HTTP/1.1 on asyncio streams itself: it runs on the
same cores as the server it measures, and aiohttp cost twice the CPU per request.
"""

import asyncio
import json
import os
import random
import re
import statistics
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

from stdnum.cn import ric
from verdicts import is_success, receipt_reference, step_of

_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def _hammer(url, deadline, session, latencies, statuses, errors):
    import aiohttp

    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            async with session.get(url, allow_redirects=False) as response:
                await response.read()
                statuses[response.status] += 1
        except aiohttp.ClientError as error:
            errors.append(repr(error))
            continue
        latencies.append((time.perf_counter() - started) * 1000)


async def _load(url, duration, connections):
    import aiohttp

    latencies, errors, statuses = [], [], Counter()
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(
            *[_hammer(url, deadline, session, latencies, statuses, errors) for _ in range(connections)]
        )
        elapsed = time.monotonic() - started
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95),
        "errors": len(errors),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "non2xx": sum(n for status, n in statuses.items() if not is_success(status)),
        "tool": "aiohttp",
    }


def run_load(url, duration, connections):
    """Requests/s, latency and status codes of GET `url` with `connections` concurrent keep-alive clients."""
    return asyncio.run(_load(url, duration, connections))


# --- the wizard --------------------------------------------------------------------------------------

HUNAN, CHANGSHA, FURONG, FURONG_TOWN = "430000", "430100", "430102", "430102001"
#: Seconds before a request counts as failed (a stuck worker), as a browser would give up.
REQUEST_TIMEOUT = 30


def _id_number(rng):
    body = f"430102{rng.randint(1965, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 characters


def _answers(rng):
    """Every step's answers for an employed adult registering themself (the longest common path)."""
    return [
        ("filer", {"filing_for": "self", "intent": "on"}),
        ("identity", {"name": "张三", "id_number": _id_number(rng), "phone": f"138{rng.randrange(10**8):08d}"}),
        ("employment", {"employment_status": "employed_in_province", "employer_name": "长沙市某某科技有限公司"}),
        (
            "address",
            {
                "hukou_province": HUNAN, "hukou_city": CHANGSHA, "hukou_county": FURONG,
                "residence_province": HUNAN, "residence_city": CHANGSHA, "residence_county": FURONG,
                "residence_town": FURONG_TOWN, "residence_village": "八一路社区", "residence_street": "八一路12号",
            },
        ),
        (
            "workplace",
            {"employer_province": HUNAN, "employer_city": CHANGSHA, "employer_county": FURONG,
             "employer_town": FURONG_TOWN, "employer_village": ""},
        ),
        ("reason", {"not_insured_reason": "employer_did_not_enrol", "service_bank": "icbc"}),
        ("unit", {"unit_type": "employer", "unit_name": "长沙市某某科技有限公司", "unit_code": "91430100MA4L16JX8F"}),
        ("review", {"confirm_true": "on", "consent": "on"}),
    ]


class Unexpected(Exception):
    """A request answered something other than what the next step of a registration needs."""


class _Browser:
    """What a browser does for one resident, on plain asyncio streams: GET, POST, cookies, redirects by hand.

    aiohttp cost about twice as much CPU per request as this, on the same two cores as the
    server it measures. gunicorn's sync workers close the connection after every response
    (as they do for a browser), so each request opens one, sends `Connection: close` and
    reads the response to the end. Cookies are kept by hand: the server's cookies are
    `Secure` and the bench speaks plain http.
    """

    def __init__(self, host, port, latencies, statuses):
        self.host = host
        self.port = port
        self.latencies = latencies
        self.statuses = statuses
        self.cookies = {}
        self.address = "10.0.0.1"

    async def request(self, method, path, data=None, expect=200):
        """(headers, body) of one request; raises Unexpected when the status is not `expect`."""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
            "Accept: text/html",
            # Each resident has their own address, set as the load balancer would: the wizard
            # limits final submits per address (the wizard's SUBMIT_LIMIT).
            f"X-Forwarded-For: {self.address}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if data is not None:
            body = urlencode(data).encode()
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        started = time.perf_counter()
        async with asyncio.timeout(REQUEST_TIMEOUT):
            reader, writer = await asyncio.open_connection(self.host, self.port)
            try:
                writer.write("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body)
                raw = await reader.read(-1)
            finally:
                writer.close()
        self.latencies.append((time.perf_counter() - started) * 1000)
        status, headers, content = _parse_response(raw)
        self.statuses[status] += 1
        for value in headers.get("set-cookie", ()):
            name, _, rest = value.partition("=")
            cookie_value, _, attributes = rest.partition(";")
            if "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = cookie_value.strip()
        if status != expect:
            raise Unexpected(f"{method} {_route(path, self.prefix)} → {status} (expected {expect})")
        return headers, content

    async def register(self, rng, prefix):
        """One whole registration; the reference number on its receipt. Raises Unexpected or OSError."""
        self.prefix = prefix
        self.cookies = {}
        self.address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        answers = _answers(rng)
        expected = [f"{prefix}step/{step}/" for step, _data in answers[1:]] + [f"{prefix}done/"]
        path = f"{prefix}step/filer/"
        _headers, body = await self.request("GET", path)
        for (step, data), next_path in zip(answers, expected, strict=True):
            shown = step_of(body)
            if shown != step:
                raise Unexpected(f"GET {_route(path, prefix)} showed step {shown!r}, expected {step!r}")
            token = _CSRF.search(body)
            if not token:
                raise Unexpected(f"GET {_route(path, prefix)}: no CSRF token in the form")
            payload = {"registration-current_step": step, **{f"{step}-{k}": v for k, v in data.items()}}
            payload["csrfmiddlewaretoken"] = token.group(1).decode()
            headers, _body = await self.request("POST", f"{prefix}step/{step}/", payload, expect=302)
            location = urlsplit(headers.get("location", [""])[-1])  # relative or absolute, as a browser follows it
            if location.path == f"{prefix}step/confirm-phone/" and next_path == f"{prefix}done/":
                # Phone verification is on (WIZARD_PHONE_VERIFICATION): type the code the site texted.
                location = await self.confirm_phone(location, answers[1][1]["phone"])
            if location.path != next_path:
                raise Unexpected(
                    f"POST {_route(f'{prefix}step/{step}/', prefix)} → {_route(location.path, prefix) or 'no location'}"
                    f" (expected {_route(next_path, prefix)})"
                )
            path = location.path + (f"?{location.query}" if location.query else "")
            _headers, body = await self.request("GET", path)
        reference = receipt_reference(body)
        if reference is None:
            raise Unexpected(f"GET {_route(path, prefix)}: 200 without a reference number (not a receipt)")
        return reference


    async def confirm_phone(self, location, phone):
        """The code page: read the code sent to `phone` from the SMS file, type it; where it leads."""
        path = location.path + (f"?{location.query}" if location.query else "")
        _headers, body = await self.request("GET", path)
        token = _CSRF.search(body)
        if not token:
            raise Unexpected("GET …/step/confirm-phone/: no CSRF token in the form")
        code = await _sent_code(phone)
        payload = {"action": "check", "code": code, "csrfmiddlewaretoken": token.group(1).decode()}
        headers, _body = await self.request("POST", path, payload, expect=302)
        return urlsplit(headers.get("location", [""])[-1])


#: The servers' SMS file (SMS_BACKEND=portal.sms.backends.filebased.SmsBackend), when not SMS_FILE_PATH.
SMS_FILE = ""
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


async def _sent_code(phone, tail_bytes=256 * 1024, tries=20):
    """The latest code texted to `phone` (as typed: 138…; the site sends to +86…), from the end of the SMS file."""
    sms_file = SMS_FILE or os.environ.get("SMS_FILE_PATH", "")
    if not sms_file or not os.path.exists(sms_file):
        raise Unexpected(
            "phone verification is on: run the bench with SMS_BACKEND=portal.sms.backends.filebased.SmsBackend "
            "and SMS_FILE_PATH=<file> (bench/README.md)"
        )
    to = "+86" + phone
    for _ in range(tries):
        with open(sms_file, "rb") as stream:
            stream.seek(max(0, os.path.getsize(sms_file) - tail_bytes))
            lines = stream.read().decode("utf-8", "replace").splitlines()
        for line in reversed(lines):
            if to in line:
                try:
                    match = _CODE.search(json.loads(line)["body"])
                except (ValueError, KeyError):
                    continue
                if match:
                    return match.group(1)
        await asyncio.sleep(0.05)
    raise Unexpected("the code page was shown but no code reached the SMS file")


def _route(path, prefix):
    """A path shown in an error sample, without the query string (which could carry nothing personal anyway)."""
    path = path.split("?")[0]
    return "…/" + path[len(prefix):] if prefix and path.startswith(prefix) else path


def _parse_response(raw):
    """Status, headers (lower-case name → [values]) and body of a whole HTTP/1.1 response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        raise ConnectionError("no HTTP response") from None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    if "chunked" in ",".join(headers.get("transfer-encoding", ())).lower():
        body = _dechunk(body)
    return status, headers, body


def _dechunk(data):
    out = []
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(data[:size])
        data = data[size + 2:]
    return b"".join(out)


async def _wizard(base, prefix, duration, residents):
    latencies, statuses = [], Counter()
    references = []
    failures = Counter()
    target = urlsplit(base)
    started = time.monotonic()
    deadline = started + duration

    async def resident(index):
        rng = random.Random(index * 7919 + int(started * 1000))
        person = _Browser(target.hostname, target.port or 80, latencies, statuses)
        # A registration started before the deadline runs to its end (completed or failed).
        while time.monotonic() < deadline:
            try:
                references.append(await person.register(rng, prefix))
            except Unexpected as error:
                failures[str(error)] += 1
            except OSError as error:  # refused, reset, timed out (ConnectionError and TimeoutError are OSErrors)
                failures[type(error).__name__] += 1

    await asyncio.gather(*[resident(i) for i in range(residents)])
    elapsed = time.monotonic() - started
    distinct = set(references)
    duplicates = len(references) - len(distinct)
    if duplicates:
        failures["the same reference number on two receipts"] += duplicates
    return {
        "completed": len(distinct),
        # One per registration that did not reach a new receipt, with the first thing that went wrong.
        "failed": sum(failures.values()),
        "per_second": len(distinct) / elapsed,
        "requests": len(latencies),
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "failures": dict(failures.most_common()),
        "references": sorted(distinct),
        "latencies": latencies,
        "residents": residents,
        "seconds": round(elapsed, 1),
    }


def run_wizard(base, prefix, duration, residents):
    """Completed registrations (with their reference numbers), failures and step latency, `residents` at once."""
    return asyncio.run(_wizard(base, prefix, duration, residents))
