"""Abuse limits for the public forms (the wizard's final submit, the status lookup).

A fixed-window counter in Django's cache: `hit()` counts one attempt and says
whether it is still within the limit. It works on every cache backend the
portal uses: local memory (the default; per process, so a limit of N allows at
most N per worker) and Redis (shared by every worker and server; `INCR` is
atomic). The first attempt of a window is written with `cache.add` (atomic
"set if absent"), later ones with `cache.incr`, so concurrent requests never
lose a count.

Keys never contain a raw address or ID number: callers pass `client_key()` or
`value_key()`, keyed hashes that are useless outside this installation.

When the cache is unreachable the limiter *fails open* (the attempt is
allowed) and a `ratelimit_unavailable` security event is logged: a Redis
outage must not stop residents from registering, and the forms keep their
other defences (CSRF, one submission per wizard session, the same answer for
every wrong reference/ID pair). Set `RATELIMIT_FAIL_OPEN = False` to refuse
instead.
"""

from __future__ import annotations

import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.crypto import salted_hmac

from portal.security_events import log_security_event

logger = logging.getLogger("portal.ratelimit")

_SALT = "portal.ratelimit"


def _cache():
    return caches[getattr(settings, "RATELIMIT_CACHE", "default")]


def hit(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt of `key` in `scope`; True while at most `limit` attempts fell in this window.

    `scope` names the protected action ("wizard-submit", "status-lookup");
    `key` is a hash from `client_key()` or `value_key()`. Windows are aligned
    to multiples of `window_seconds`, so a burst at a window edge can reach
    twice the limit; that is acceptable for abuse limits and keeps one cache
    key per client.
    """
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return True
    if limit <= 0:
        return False
    window = int(time.time() // window_seconds)
    cache_key = f"rl:{scope}:{key}:{window}"
    cache = _cache()
    try:
        # Slightly longer than the window so the key outlives clock skew between servers.
        if cache.add(cache_key, 1, timeout=window_seconds + 5):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:
                # The key expired between add() and incr(): this attempt opens a new window.
                cache.add(cache_key, 1, timeout=window_seconds + 5)
                count = 1
    except Exception as exc:  # the cache backend's own connection errors (redis, memcached, …)
        fail_open = getattr(settings, "RATELIMIT_FAIL_OPEN", True)
        outcome = "allowed" if fail_open else "refused"
        log_security_event("ratelimit_unavailable", scope=scope, error=type(exc).__name__, outcome=outcome)
        return fail_open
    return count <= limit


def client_address(request, network=False) -> str:
    """The client's address: REMOTE_ADDR, or a trusted proxy's header when configured.

    With `network=True` an IPv6 address becomes its /64 network (for counting).
    Also django-axes' AXES_CLIENT_IP_CALLABLE, so lockouts and rate limits agree
    on who the client is.

    `RATELIMIT_CLIENT_IP_HEADER` (e.g. "HTTP_X_FORWARDED_FOR") is read only when
    set, because any client can send that header to a server that is reached
    directly. With several proxies, `RATELIMIT_TRUSTED_PROXY_COUNT` says how many
    addresses at the right end of X-Forwarded-For were added by our own proxies;
    the one before them is the client.
    """
    header = getattr(settings, "RATELIMIT_CLIENT_IP_HEADER", None)
    address = ""
    if header:
        values = [part.strip() for part in request.META.get(header, "").split(",") if part.strip()]
        trusted = max(int(getattr(settings, "RATELIMIT_TRUSTED_PROXY_COUNT", 1)), 1)
        if values:
            address = values[-trusted] if len(values) >= trusted else values[0]
    address = address or request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        if not network:
            return str(parsed)
        # One IPv6 subscriber usually holds a whole /64: count the network, not the address.
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_key(request) -> str:
    """A keyed hash identifying the client (its address) for rate limits; never the raw address."""
    return salted_hmac(_SALT + ".client", client_address(request, network=True)).hexdigest()[:32]


def value_key(value: str) -> str:
    """A keyed hash of a value such as a normalised ID number, for per-value limits."""
    return salted_hmac(_SALT + ".value", str(value)).hexdigest()[:32]
