"""Who is calling: the bearer token of an ``ApiClient``, its address, its rate limit, its permissions.

Answers, always JSON (``api.urls`` renders ``ApiError``): no or unknown token → 401 ``unauthorized``;
a revoked client → 403 ``revoked``; an address outside its allow-list → 403 ``address_not_allowed``; over
its requests per minute → 429 ``rate_limited``; an endpoint it lacks the permission for → 403
``forbidden``. Tokens are compared by their SHA-256 (a unique index): nothing secret is ever logged.
"""

from __future__ import annotations

import time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from forms_intake.models import ApiClient
from forms_intake.models.api import hash_token
from forms_intake.services.outbox import client_prefixes
from portal import ratelimit

RATE_WINDOW_SECONDS = 60


class ApiError(Exception):
    """An answer other than 2xx: HTTP ``status``, a stable ``code`` for programs and a ``detail`` for people."""

    def __init__(self, status: int, code: str, detail):
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail


def find_client(token: str):
    """The client holding ``token`` (current, or the previous one within its grace period), else None."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    client = ApiClient.objects.filter(token_hash=digest).first()
    if client is not None:
        return client
    client = ApiClient.objects.filter(previous_token_hash=digest).first()
    if client is not None and client.previous_token_expires_at and client.previous_token_expires_at > timezone.now():
        return client
    return None


class ClientToken(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.api_client`` and ``request.api_prefixes``."""

    def authenticate(self, request, token):
        request.api_started = getattr(request, "api_started", time.monotonic())
        client = find_client(token.strip())
        if client is None:
            return None
        request.api_client = client
        if client.revoked:
            raise ApiError(403, "revoked", _("This API client has been revoked."))
        if not client.network_allowed(ratelimit.client_address(request)):
            raise ApiError(403, "address_not_allowed", _("Requests from this address are not allowed for this client."))
        if not ratelimit.hit("api-client", str(client.pk), client.rate_limit_per_minute, RATE_WINDOW_SECONDS):
            raise ApiError(429, "rate_limited", _("Too many requests: wait a minute and try again."))
        request.api_prefixes = client_prefixes(client)
        return client


def require(request, permission: str):
    """Refuse (403) a client without ``permission`` (``can_read_feed`` or ``can_report_results``)."""
    if not getattr(request.auth, permission, False):
        raise ApiError(403, "forbidden", _("This API client is not allowed to use this endpoint."))
