"""Security plumbing: response headers, request ids, the admin idle timeout and security events.

`SecurityHeadersMiddleware` adds what Django's SecurityMiddleware does not:
a request id (X-Request-ID), Permissions-Policy, and `Cache-Control: no-store`
on every response that may carry personal data or a session (wizard, status
lookup, admin, any response to a signed-in user). `AdminIdleTimeoutMiddleware`
signs staff out after `ADMIN_IDLE_TIMEOUT` seconds without a request.
`AdminAwareCSPMiddleware` swaps in the relaxed admin policy under /admin/.

`log_security_event()` (portal/security_events.py, importable from here too)
writes one structured line per security event (login, lockout, scope denial,
reveal, export, purge…) with the time, the user id, what the apps' registered
providers add (the registration app: the user's divisions) and the request id,
never personal data.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from urllib.parse import urlencode

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from portal.ratelimit import client_address, client_key

# Security events and request ids live in portal/security_events.py (the rate limiter logs through it too);
# these names stay importable from here.
from portal.security_events import (  # noqa: F401
    log_security_event,
    register_log_context_provider,
    request_id,
)

logger = logging.getLogger("portal.security")

LAST_ACTIVITY_KEY = "_portal_last_activity"
IDLE_RESOLUTION = 60  # seconds


def _is_sensitive_path(path: str) -> bool:
    prefixes = getattr(settings, "NO_STORE_PATH_PREFIXES", ("/admin/",))
    patterns = getattr(settings, "NO_STORE_PATH_PATTERNS", ())
    return path.startswith(tuple(prefixes)) or any(re.search(pattern, path) for pattern in patterns)


#: Admin URLs whose successful use is a security event: (namespace, url name, method) → event.
#: Listed here rather than in each view so the audit covers every route of the viewset.
ADMIN_EVENT_ROUTES = {
    ("forms_intake_submission", "reveal", "POST"): "reveal",
    ("forms_intake_submission", "print", "GET"): "reveal_print",
    ("forms_intake_submission", "reroute", "POST"): "reroute",
    ("forms_intake_submission", "bulk_claim", "POST"): "bulk_action",
}
#: Namespaces whose 403/404 answers to a signed-in user are scope denials.
SCOPED_NAMESPACES = {"forms_intake_submission", "forms_intake_statistics"}


def _log_admin_events(request, response):
    """Security events for reveals, exports and scope denials in the back office (no personal data)."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return
    namespace = match.namespace or ""
    url_name = match.url_name or ""
    pk = match.kwargs.get("pk", "")
    status = response.status_code
    if namespace in SCOPED_NAMESPACES and status in (403, 404):
        log_security_event("scope_denial", request, level=logging.WARNING, route=url_name, object=pk, status=status)
        return
    if status >= 400:
        return
    event = ADMIN_EVENT_ROUTES.get((namespace, url_name, request.method))
    if event:
        log_security_event(event, request, route=url_name, object=pk)
    export_format = request.GET.get("export", "")
    if namespace in SCOPED_NAMESPACES and export_format and request.method == "GET":
        log_security_event("export", request, route=url_name, format=export_format[:10])


class SecurityHeadersMiddleware:
    """Request id, Permissions-Policy, and no-store caching where personal data or a session may be.

    Place it after AuthenticationMiddleware (it reads request.user).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id(request)
        response = self.get_response(request)
        try:
            _log_admin_events(request, response)
        except Exception:  # an audit line must never break the response it describes
            logger.exception("security event logging failed")
        response.setdefault("X-Request-ID", rid)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.setdefault("Permissions-Policy", policy)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or _is_sensitive_path(request.path_info):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
            # A shared cache must not keep a personal page even if it ignores no-store.
            if "Vary" not in response or "Cookie" not in response["Vary"]:
                response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), "Cookie"]))
        return response


class AdminIdleTimeoutMiddleware:
    """Sign a staff user out after ADMIN_IDLE_TIMEOUT seconds without a request.

    The last activity time lives in the server-side session. Place after
    AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = int(getattr(settings, "ADMIN_IDLE_TIMEOUT", 30 * 60))
        user = getattr(request, "user", None)
        if timeout and user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - int(last) > timeout:
                log_security_event("idle_timeout", request, user=user, idle_seconds=now - int(last))
                logout(request)
                if request.path_info.startswith("/admin/"):
                    login_url = getattr(settings, "WAGTAILADMIN_LOGIN_URL", None) or "/admin/login/"
                    return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.path_info})}")
            elif last is None or now - int(last) >= IDLE_RESOLUTION:
                # Rewritten at most once a minute: not a session write on every request.
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class AdminAwareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the relaxed `ADMIN_CONTENT_SECURITY_POLICY` under /admin/.

    The Wagtail admin renders inline scripts and styles of its own, which the
    strict public policy would block; the admin policy allows them only there
    (see README, "Security and privacy").
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        admin_policy = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", None)
        if (
            not report_only
            and admin_policy
            and parts.config is None
            and request.path_info.startswith(tuple(getattr(settings, "ADMIN_CSP_PATH_PREFIXES", ("/admin/",))))
        ):
            parts.config = admin_policy["DIRECTIVES"]
        return parts


# --------------------------------------------------------------------------
# django-axes: staff login lockout


class AxesBackend(AxesStandaloneBackend):
    """django-axes' backend, which refuses locked-out clients before any password check.

    Axes needs the request (Wagtail's login view passes it). Only when
    `AXES_ALLOW_NO_REQUEST` is set (test settings: Django's test client logs in
    without a request) is a request-less call passed on to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None and getattr(settings, "AXES_ALLOW_NO_REQUEST", False):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_client_ip(request):
    """The client address for axes, resolved like the rate limiter's (trusted proxy header aware)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def axes_client_str(username, ip_address, user_agent, path_info, request):
    """What axes writes in its log lines: a hash of the client, never a username or address."""
    return f"client={client_key(request)}" if request is not None else "client=unknown"


def lockout_response(request, credentials, *args, **kwargs):
    """The page a locked-out login gets: the same for every username, existing or not."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    response = render(request, "429.html", {"locked_out": True, "retry_minutes": minutes}, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    add_never_cache_headers(response)
    return response
