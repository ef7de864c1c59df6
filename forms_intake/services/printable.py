"""The printable Annex 2: the filled form laid out like the paper form on A4."""

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from forms_intake.rules.choices import EmploymentStatus, NotInsuredReason, ProxyRelationship, ServiceBank


def division_parts(division, *, show_town=False):
    """Names of the province, city, county and town leading to `division` (levels it skips stay blank)."""
    parts = {"show_town": show_town}
    names = {1: "province", 2: "city", 3: "county", 4: "town"}
    current = division
    while current is not None:
        parts[names[current.level]] = current.name
        current = current.parent
    return parts


def _person(user):
    return (user.get_full_name() or user.get_username()) if user else ""


def render_printable(request, submission, *, page=None, back_url=None):
    """Render the printable Annex 2 of `submission`.

    The caller decides who may see it (the submitting session, or staff
    within their scope): this shows every answer, ID and phone numbers included.
    """
    context = {
        "page": page,
        "submission": submission,
        "employment_choices": EmploymentStatus.choices,
        "reason_choices": NotInsuredReason.choices,
        "bank_choices": ServiceBank.choices,
        "proxy_relationship": dict(ProxyRelationship.choices).get(submission.proxy_relationship, ""),
        "hukou": division_parts(submission.hukou_division),
        "residence": division_parts(submission.residence_division, show_town=True),
        "workplace": division_parts(submission.employer_division, show_town=True),
        "unit": division_parts(submission.unit_division, show_town=True),
        "handler_name": _person(submission.handler),
        "reviewer_name": _person(submission.reviewer),
        "reminder": getattr(page, "reminder", "") if page else "",
        "back_url": back_url or (page.url + page.reverse_subpage("receipt") if page else ""),
    }
    response = TemplateResponse(request, "forms_intake/printable.html", context)
    add_never_cache_headers(response)
    return response
