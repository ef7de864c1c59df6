"""The printable Annex 2 as a PDF: WeasyPrint renders the print view's own template, offline.

WeasyPrint would fetch any URL a page names; here it reads only the site's static files from disk
(``static_only_fetcher``) and never opens a network connection. Chinese glyphs come from the fonts
installed on the machine (WenQuanYi Micro Hei, Debian's ``fonts-wqy-microhei``; see the README).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from forms_intake.services.printable import printable_html

PDF_CONTENT_TYPE = "application/pdf"


class StaticOnlyFetcher(URLFetcher):
    """Serve the site's static files from disk; refuse every other URL (no network, no file:// paths)."""

    def __init__(self, base_url):
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
        self.base = urlsplit(base_url)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (self.base.scheme, self.base.netloc):
            raise ValueError("only the site's own static files are read")
        path = local_static_path(unquote(parts.path))
        if path is None:
            raise ValueError("not a static file")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def local_static_path(url_path):
    """The file on disk behind a static URL path (``/static/forms_intake/annex2.css``), or None."""
    prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    if not url_path.startswith(prefix):
        return None
    name = url_path[len(prefix):]
    if not name or Path(name).is_absolute() or "\\" in name or ".." in Path(name).parts:
        return None
    # The source files first (collectstatic copies them; a stale STATIC_ROOT must not win), then the collected
    # ones (the hashed names of a manifest storage exist only there).
    found = finders.find(name)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT, name) if settings.STATIC_ROOT else None
    return collected if collected is not None and collected.is_file() else None


def render_document(request, submission, *, page=None):
    """The printable form of `submission` laid out by WeasyPrint (a ``Document`` of one A4 page)."""
    base_url = request.build_absolute_uri("/")
    fetcher = StaticOnlyFetcher(base_url)
    document = None
    # Answers at their longest can push the form past one page: then it is laid out again, smaller.
    for compact in (False, True):
        html = printable_html(request, submission, page=page, compact=compact)
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        if len(document.pages) == 1:
            break
    return document


def render_pdf(request, submission, *, page=None):
    """The printable form of `submission` as PDF bytes (A4, one page)."""
    return render_document(request, submission, page=page).write_pdf()


def pdf_filename(submission):
    """The download's name: the reference only, never a name or an ID number."""
    return f"annex2-{submission.reference}.pdf"


def pdf_response(request, submission, *, page=None):
    """The PDF as a download that no cache keeps."""
    response = HttpResponse(render_pdf(request, submission, page=page), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(submission)}"'
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
    return response
