"""What every public render recomputes from the page tree, kept per process for one content generation.

The page cache (portal/cache.py) keeps whole responses for anonymous visitors.
This module serves the renders that still happen (a cache miss, a visitor with
a session, the wizard, a page with the page cache off). What they compute from
the page tree (the main menu, the language links, the breadcrumbs, the home
page's lists, the Q&A's questions, whether any view restriction exists, the
route from a path to a page, the rendered content of a page) changes only when
an editor publishes. So each is computed once per app process and *content
generation* (the counter that publishing bumps, portal/generation.py) and
reused until the generation moves on: a publish shows on every server's next
request, exactly as it reaches the page cache.

What it holds is plain data (ids, titles, URLs, rendered HTML strings, and the
pickled bytes of a served page): never a live model instance, so nothing a request
does to what it gets can reach the next request. A served page is unpickled
afresh for every request (portal/page_serving.py).

Two tiers, one call (`memo.get(request, key, compute)`):

* per request, always: a value is computed at most once per request even with
  the memo switched off (the header and the <head> both need the language links);
* per process and generation, unless switched off: at most `max_entries`
  entries, least recently used dropped first, each tied to a page or a site and
  language (never to a raw query string), so the size follows the number of pages.

`CONTENT_MEMO_ENABLED` (environment variable `CONTENT_MEMO`, default on)
switches the per-process tier off, and with it the remembered routes and the
memoised fragments: `CONTENT_MEMO=0` measures a cold render, as after a publish.
It is read on every use. The test settings switch it off (tests roll back
instead of committing, so publishing never bumps the generation there); the
tests of the memo switch it on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import PageViewRestriction

from portal.generation import memo_enabled, request_generation

__all__ = [
    "GenerationMemo",
    "ViewRestrictionsMixin",
    "any_view_restrictions",
    "memo",
    "memo_enabled",
    "site_key",
]

# Where the per-request tier lives on the request.
_REQUEST_VALUES = "_portal_memo_values"


class GenerationMemo:
    """A bounded map of key → (generation, value): a value is reused only under the generation it was made in."""

    def __init__(self, max_entries=2000):
        self.max_entries = max_entries
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _request_values(request):
        if request is None:
            return None
        values = getattr(request, _REQUEST_VALUES, None)
        if values is None:
            values = {}
            setattr(request, _REQUEST_VALUES, values)
        return values

    def get(self, request, key, compute):
        """`compute()`'s value for `key`: at most once per request, and once per generation while the memo is on."""
        values = self._request_values(request)
        if values is not None and key in values:
            return values[key]
        value = self._lookup(request, key)
        if value is None:
            value = compute()
            self.put(request, key, value)
        if values is not None:
            values[key] = value
        return value

    def per_request(self, request, key, compute):
        """`compute()`'s value for `key`, computed at most once per request (for values that hold the request's URL)."""
        values = self._request_values(request)
        if values is None:
            return compute()
        if key not in values:
            values[key] = compute()
        return values[key]

    def _lookup(self, request, key):
        generation = request_generation(request) if memo_enabled() else None
        if generation is None:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != generation:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def peek(self, request, key):
        """The value stored for `key` under this request's generation, or None (never computes)."""
        return self._lookup(request, key)

    def put(self, request, key, value):
        """Store `value` for `key` under this request's generation (nothing while the memo is off)."""
        generation = request_generation(request) if memo_enabled() else None
        if generation is None or value is None:
            return
        with self._lock:
            self._entries[key] = (generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


memo = GenerationMemo()


def site_key(request):
    """The part of a memo key that names the site and language of this request: (host name, port, language).

    Which Wagtail site answers a host name and port is a function of the Site rows, and saving a
    Site bumps the generation: the key needs no database query.
    """
    try:
        hostname = split_domain_port(request.get_host())[0]
    except DisallowedHost:
        hostname = ""
    return (hostname, request.get_port(), translation.get_language())


# --------------------------------------------------------------------------
# View restrictions


def any_view_restrictions(request=None):
    """Whether any page has a view restriction (almost never on this portal): one query per generation.

    Wagtail asks the page, not the request (its `check_view_restrictions` hook).
    """
    return memo.get(request, ("view-restrictions",), PageViewRestriction.objects.exists)


class ViewRestrictionsMixin:
    """Page mixin: skip Wagtail's view-restriction query per request while no restriction exists.

    Adding or removing a restriction bumps the content generation (portal/invalidation.py).
    """

    def get_view_restrictions(self):
        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
