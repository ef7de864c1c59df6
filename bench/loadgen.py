"""Async HTTP load generators (aiohttp): a fallback for wrk, and simulated residents completing the wizard.

`run_load(url, duration, connections)` hammers one URL like wrk does.
`run_wizard(base, duration, residents)` has `residents` people concurrently
fill in the whole Annex 2 wizard as a browser would (GET each step, POST it,
follow the redirect), each registration with a fresh session and a new,
valid ID number, and counts completed registrations.
"""

import asyncio
import random
import re
import statistics
import time

import aiohttp
from stdnum.cn import ric

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def _hammer(url, deadline, session, latencies, errors):
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            async with session.get(url) as response:
                await response.read()
                if response.status >= 400:
                    errors.append(response.status)
        except aiohttp.ClientError as error:
            errors.append(repr(error))
        latencies.append((time.perf_counter() - started) * 1000)


async def _load(url, duration, connections):
    latencies, errors = [], []
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(*[_hammer(url, deadline, session, latencies, errors) for _ in range(connections)])
        elapsed = time.monotonic() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95),
        "errors": len(errors),
        "tool": "aiohttp",
    }


def run_load(url, duration, connections):
    """Requests/s and latency of GET `url` with `connections` concurrent keep-alive clients."""
    return asyncio.run(_load(url, duration, connections))


# --- the wizard --------------------------------------------------------------------------------------

HUNAN, CHANGSHA, FURONG, FURONG_TOWN = "430000", "430100", "430102", "430102001"


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


class _Resident:
    """One browser: its own cookies (kept by hand: the server's cookies are Secure, the bench is plain http)."""

    def __init__(self, session, base, latencies, errors):
        self.session = session
        self.base = base
        self.latencies = latencies
        self.errors = errors
        self.cookies = {}
        self.address = "10.0.0.1"

    async def request(self, method, path, data=None, expect=(200,)):
        # Each resident has their own address, set as the load balancer would: the wizard
        # limits final submits per address (forms_intake.wizard.SUBMIT_LIMIT).
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        async with self.session.request(
            method, self.base + path, data=data, headers=headers, allow_redirects=False
        ) as response:
            body = await response.text()
            self.latencies.append((time.perf_counter() - started) * 1000)
            for cookie in response.cookies.values():
                self.cookies[cookie.key] = cookie.value
            if response.status not in expect:
                self.errors.append(f"{method} {path.split('?')[0]} → {response.status}")
                return None, None
            return response, body

    async def register(self, rng, prefix):
        self.cookies = {}
        self.address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        path = f"{prefix}step/filer/"
        _response, body = await self.request("GET", path)
        if body is None:
            return False
        for step, data in _answers(rng):
            token = _CSRF.search(body)
            payload = {"registration-current_step": step, **{f"{step}-{k}": v for k, v in data.items()}}
            if token:
                payload["csrfmiddlewaretoken"] = token.group(1)
            response, _ = await self.request("POST", f"{prefix}step/{step}/", payload, expect=(302,))
            if response is None:
                return False
            path = response.headers["Location"]
            _response, body = await self.request("GET", path)
            if body is None:
                return False
        return path.endswith("/done/")


async def _wizard(base, prefix, duration, residents):
    latencies, errors = [], []
    completed = []
    connector = aiohttp.TCPConnector(limit=residents)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:
        started = time.monotonic()
        deadline = started + duration

        async def resident(index):
            rng = random.Random(index * 7919 + int(started))
            person = _Resident(session, base, latencies, errors)
            while time.monotonic() < deadline:
                try:
                    if await person.register(rng, prefix):
                        completed.append(time.monotonic())
                except aiohttp.ClientError as error:
                    errors.append(repr(error))

        await asyncio.gather(*[resident(i) for i in range(residents)])
        elapsed = time.monotonic() - started
    return {
        "completed": len(completed),
        "per_second": len(completed) / elapsed,
        "requests": len(latencies),
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "residents": residents,
        "seconds": round(elapsed, 1),
    }


def run_wizard(base, prefix, duration, residents):
    """Completed registrations per second and step latency with `residents` people at once."""
    return asyncio.run(_wizard(base, prefix, duration, residents))
