"""Site-wide views: health check, robots.txt and the error pages (404, 429, 500, 503)."""

import base64
import hashlib
import logging
import re
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Report whether the application can reach its database (for load balancers)."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def robots_txt(request):
    """Allow the public site, keep crawlers out of the admin and the wizard, point to the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /register/",
        "Disallow: /en/register/",
        "Disallow: /status/",
        "Disallow: /en/status/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    """404 page in the site's look, without echoing the requested path."""
    return HttpResponse(loader.render_to_string("404.html", request=request), status=404)


#: Errors of a lost or refused database connection (a PgBouncer or PostgreSQL restart, a failover):
#: the request may well succeed a moment later, so the visitor gets 503 "try again", not 500.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
logger = logging.getLogger("portal.errors")


def _bare_page(template_name, response_class, **kwargs):
    """An error page that renders no context: it must work when everything else fails.

    Its styles are inline (no static file needed); the strict CSP allows exactly
    those bytes by their hash, so no 'unsafe-inline' is needed.
    """
    html = loader.get_template(template_name).render()
    response = response_class(html, **kwargs)
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
        for style in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    ]
    if hashes:
        response._csp_update = {"style-src": hashes}
    return response


def server_error(request):
    """500 page, or 503 with Retry-After when the database connection was lost (Django calls this
    while the exception is being handled, so sys.exc_info() names it)."""
    error = sys.exc_info()[1]
    if isinstance(error, CONNECTION_ERRORS):
        # Only the class: a database message can quote values.
        logger.warning("event=database_unavailable error=%s path_kind=%s", type(error).__name__,
                       "admin" if request.path.startswith("/admin/") else "public")
        response = _bare_page("503.html", HttpResponse, status=503)
        response["Retry-After"] = "5"
        add_never_cache_headers(response)
        return response
    return _bare_page("500.html", HttpResponseServerError)


def too_many_requests(request, retry_after=None):
    """429 page for a rate-limited action, in the request's language; never cached.

    `retry_after` (seconds) goes into the Retry-After header and the page's advice.
    """
    minutes = max(1, -(-int(retry_after) // 60)) if retry_after else None
    response = render(request, "429.html", {"retry_minutes": minutes}, status=429)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    add_never_cache_headers(response)
    return response
