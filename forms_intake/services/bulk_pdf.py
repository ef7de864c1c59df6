"""Several printable forms as one PDF: each laid out as its own one-page A4 document, then joined.

The same template and offline fetcher as the single form (``services.pdf``); WeasyPrint joins the
pages of several rendered documents with ``Document.copy(pages)``. The caller checks who may print
and records each form; the file's name holds a count and a time, never a name or an ID number.
"""

from __future__ import annotations

from django.utils import timezone

from forms_intake.services.pdf import render_document

#: What the printable form reads of a submission (the divisions' names up to the city, the staff).
PRINT_RELATED = (
    "hukou_division__parent__parent", "residence_division__parent__parent__parent",
    "employer_division__parent__parent__parent", "unit_division__parent__parent__parent",
    "handler", "reviewer",
)


def render_many_pdf(request, submissions):
    """The printable forms of `submissions`, in order, as the bytes of one PDF (one page per form)."""
    documents = [render_document(request, submission) for submission in submissions]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def forms_filename(count, now=None):
    """``annex2-3-forms-20261202-0815.pdf``: how many forms and when (Beijing time), nothing personal."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return f"annex2-{count}-forms-{stamp}.pdf"
