"""Site search over notices, posters, the policy Q&A and the work schedule, in the active language.

Why not Wagtail's search backend for the public search: its database backend
splits text into words on spaces, and Chinese has none, so 参保 inside
"未参保人员" would never match. Every searchable page keeps `search_text`
(a lower-cased plain-text copy, see home.models.SearchTextMixin), and a query
matches pages whose text contains every whitespace-separated term. That is an
exact substring match, identical on SQLite and PostgreSQL, and cheap at the
size of this site (hundreds of pages): one query per page type.
"""

from dataclasses import dataclass, field

from django.db.models import Q

MAX_QUERY_LENGTH = 100
MAX_TERMS = 5


def query_terms(query):
    """The lower-cased, de-duplicated terms of a query (at most MAX_TERMS)."""
    terms = []
    for term in (query or "")[:MAX_QUERY_LENGTH].lower().split():
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


@dataclass
class SearchResult:
    """One page found, with the questions that matched when it is the Q&A."""

    page: object
    kind: str
    questions: list = field(default_factory=list)


def searchable_models():
    """(kind, model) pairs in the order results are shown."""
    from faq.models import FaqPage
    from home.models import NoticePage, PosterPage, SchedulePage

    return [("notice", NoticePage), ("faq", FaqPage), ("poster", PosterPage), ("schedule", SchedulePage)]


def search_pages(query, locale):
    """Live pages in `locale` whose text contains every term of `query`, newest notices first."""
    terms = query_terms(query)
    if not terms:
        return []
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    results = []
    for kind, model in searchable_models():
        qs = model.objects.live().filter(locale=locale).filter(condition)
        qs = qs.order_by("-issue_date", "-pk") if kind == "notice" else qs.order_by("path")
        for page in qs:
            result = SearchResult(page=page, kind=kind)
            if kind == "faq":
                result.questions = page.matching_questions(" ".join(terms))
            results.append(result)
    return results
