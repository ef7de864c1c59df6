"""Views of the public site outside the page tree: search and the elder-friendly mode switch."""

from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from wagtail.models import Locale

from home.search import MAX_QUERY_LENGTH, search_pages
from home.templatetags.portal_tags import ELDER_COOKIE

ELDER_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


@require_GET
def search(request):
    """Search results for ?q= in the active language, twenty to a page."""
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    results = search_pages(query, Locale.get_active()) if query else []
    paginator = Paginator(results, 20)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "home/search_results.html",
        {"search_query": query, "results": page_obj, "result_count": len(results)},
    )


@require_GET
def elder_mode(request):
    """Switch elder-friendly mode (长辈模式) on (?on=1) or off (?on=0) and go back to `next`.

    A plain link, so it works without JavaScript and without a login; the choice
    lives in a cookie that holds nothing but "1". `next` must be a path on this
    site, never another host (no open redirect).
    """
    next_url = request.GET.get("next") or "/"
    hosts = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts=hosts, require_https=request.is_secure())
    if not safe:
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if request.GET.get("on") == "1":
        response.set_cookie(
            ELDER_COOKIE, "1", max_age=ELDER_COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure(), httponly=True
        )
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    # The redirect depends on the query string; never cache it.
    response["Cache-Control"] = "no-store"
    return response
