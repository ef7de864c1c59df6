"""``/api/v1/``: the versioned API, its OpenAPI schema (``openapi.json``) and interactive docs (``docs``).

Every answer is JSON, errors included (``{"error": code, "detail": text}``), and every call is logged
in ``ApiCallLog`` (client, route name, status, record count, time; never a URL, parameter or body, which
could carry personal data). The docs page is django-ninja's Swagger UI served from our own static files
(``ninja`` in INSTALLED_APPS), with no inline script, so the strict public CSP holds.
"""

from __future__ import annotations

import logging
import time

from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from forms_intake.api import employers, feed, results
from forms_intake.api.auth import ApiError, ClientToken
from forms_intake.models import ApiCallLog

logger = logging.getLogger(__name__)


class PortalAPI(NinjaAPI):
    """NinjaAPI that logs each call once its answer is made."""

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        log_call(request, response.status_code)
        return response


def log_call(request, status):
    """One ``ApiCallLog`` row for this call (a failure to log never fails the call)."""
    match = getattr(request, "resolver_match", None)
    started = getattr(request, "api_started", None)
    try:
        ApiCallLog.objects.create(
            client=getattr(request, "api_client", None),
            endpoint=(getattr(match, "url_name", "") or "")[:60],
            method=request.method[:8],
            status=status,
            count=getattr(request, "api_count", 0),
            duration_ms=int((time.monotonic() - started) * 1000) if started else 0,
        )
    except Exception:  # noqa: BLE001 - the log line must not turn an answer into a 500
        logger.exception("API call log failed")


api = PortalAPI(
    title="湖南省全民参保登记 API",
    version="1.0.0",
    description="Change feed of registrations, results from the business systems, employer lookup. See docs/api.md.",
    urls_namespace="api-v1",
    auth=ClientToken(),
)
api.add_router("", feed.router)
api.add_router("", results.router)
api.add_router("", employers.router)


def _error(request, status, code, detail, errors=None):
    body = {"error": code, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return _error(request, exc.status, exc.code, exc.detail)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    response = _error(request, 401, "unauthorized", _("A valid API token is required (Authorization: Bearer …)."))
    response["WWW-Authenticate"] = "Bearer"
    return response


def _safe_errors(errors):
    # Only where and what kind: never the rejected input, which may be personal data.
    return [{"loc": [str(part) for part in e.get("loc", ())], "type": str(e.get("type", ""))} for e in errors]


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return _error(request, 422, "invalid", _("The request is not valid."), errors=_safe_errors(exc.errors))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


def unknown_path(request, path):
    """Any other path under /api/v1/: a JSON 404, not Django's slash-appending 301 or its HTML 404
    (a reference holding "/" lands here)."""
    return _error(request, 404, "not_found", _("Not found."))


# Included by portal/urls.py as a module; its namespace is the API's (``api-v1:feed``, ``api-v1:openapi-json``…).
urlpatterns = [*api.urls[0], re_path(r"^(?P<path>.+)$", unknown_path, name="unknown")]
app_name = api.urls_namespace
