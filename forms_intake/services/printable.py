"""The printable Annex 2: the filled form laid out like the paper form on A4."""

from django.template.response import TemplateResponse
from django.utils import dateformat, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from forms_intake.rules import annex2
from forms_intake.rules.personal_data import format_phone


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


def _when(value):
    return dateformat.format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def _signature(key, submission):
    """What stands in for a signature box: the electronic declaration, or the staff member and time."""
    declared = f"{gettext('Electronic declaration')} {_when(submission.declared_at)}"
    if key == "self":
        return "—" if submission.is_proxy_filing else declared
    if key == "proxy":
        return f"{submission.proxy_name} · {declared}" if submission.is_proxy_filing else "—"
    user, when = (submission.handler, submission.handled_at) if key == "handler" else (
        submission.reviewer, submission.reviewed_at)
    return f"{_person(user)} {_when(when)}" if user else ""


def _item(spec, submission):
    """One printed answer: {label, kind, value | boxes | parts, mono}."""
    value = getattr(submission, spec.name)
    label = spec.form_label if spec.print_label is None else spec.print_label
    item = {"label": label, "kind": "text", "mono": spec.kind in ("id_number", "phone"), "style": spec.print_as,
            # An unanswered box shows a dash; a word written before a printed label stays blank, as on paper.
            "placeholder": "" if spec.print_as in ("after", "line_after") else "—"}
    if spec.print_as == "boxes":
        item.update(kind="boxes", boxes=[(choice == value, text) for choice, text in spec.choices.choices])
    elif spec.kind == "choice":
        item["value"] = spec.choice_label(value) if value else ""
    elif spec.kind == "division":
        item.update(kind="division", parts=division_parts(value, show_town=spec.depth == "town"), empty=value is None)
    elif spec.kind == "phone":
        item["value"] = format_phone(value) if value else ""
    else:
        item["value"] = value
    return item


def print_rows(submission):
    """The printed form's rows from the schema: [[cell]], each cell an answer with what follows it in its box."""
    schema = annex2.schema()
    rows = []
    for key, signatures in schema.print_rows:
        cells = [{"label": annex2.SIGNATURES[name], "kind": "text", "value": _signature(name, submission),
                  "signature": name in ("handler", "reviewer"), "extras": [],
                  "placeholder": ""} for name in signatures]
        for spec in schema.by_print_row.get(key, ()):
            item = _item(spec, submission)
            if spec.print_as in ("cell", "boxes") or not cells:
                cells.append({**item, "extras": []})
            else:
                cells[-1]["extras"].append(item)
        if cells:
            cells[-1]["colspan"] = 3 if len(cells) == 1 else None
            rows.append(cells)
    return rows


def render_printable(request, submission, *, page=None, back_url=None):
    """Render the printable Annex 2 of `submission`.

    The caller decides who may see it (the submitting session, or staff
    within their scope): this shows every answer, ID and phone numbers included.
    """
    context = {
        "page": page,
        "submission": submission,
        "rows": print_rows(submission),
        "reminder": getattr(page, "reminder", "") if page else "",
        "back_url": back_url or (page.url + page.reverse_subpage("receipt") if page else ""),
    }
    response = TemplateResponse(request, "forms_intake/printable.html", context)
    add_never_cache_headers(response)
    return response
