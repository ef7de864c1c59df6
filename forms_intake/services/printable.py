"""The printable Annex 2: the filled form laid out like the paper form on A4 (the print view and the PDF)."""

from django.apps import apps
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from forms_intake.rules import annex2
from forms_intake.rules.personal_data import format_phone

TEMPLATE = "forms_intake/printable.html"

#: Each level's word printed after its blank, and the endings of a name that the word already gives
#: (湖南省 is written "湖南 省（自治区、直辖市）", as a clerk fills in the paper form).
LEVELS = {
    1: (_("省（自治区、直辖市）"), ("自治区", "省", "市")),
    2: (_("市（州）"), ("市", "州")),
    3: (_("县（市、区）"), ("县", "市", "区")),
    4: (_("镇（街道）"), ("街道", "镇")),
}
#: The village or community line, and the endings its word gives.
VILLAGE_ENDINGS = ("社区", "村")
#: A blank the size of a short name, for a level the address skips.
BLANK = "\u3000\u3000"


def without_ending(name, endings):
    """`name` without the first of `endings` it ends in, unless that would leave fewer than two characters."""
    for ending in endings:
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            return name[: -len(ending)]
    return name


def division_parts(division, *, show_town=False):
    """[(name in the blank, level word)] from the province down to the county (or the town)."""
    names = {}
    current = division
    while current is not None:
        names[current.level] = current.name
        current = current.parent
    depth = 4 if show_town else 3
    return [(without_ending(names[level], LEVELS[level][1]) if names.get(level) else BLANK, LEVELS[level][0])
            for level in range(1, depth + 1)]


def _person(user):
    return (user.get_full_name() or user.get_username()) if user else ""


def written_date(value=None):
    """A date the way the paper's signature lines have it: "2026 年 12 月 2 日" (blanks without a date)."""
    if value is None:
        return gettext("%(year)s 年 %(month)s 月 %(day)s 日") % {"year": BLANK, "month": BLANK, "day": BLANK}
    local = timezone.localtime(value)
    return gettext("%(year)s 年 %(month)s 月 %(day)s 日") % {"year": local.year, "month": local.month, "day": local.day}


def _signature(key, submission):
    """What stands in for a signature: the electronic declaration, or the staff member; each with its date."""
    label = gettext("Electronic declaration")  # not inside the f-string: makemessages would not find it there
    declared = f"{label} {written_date(submission.declared_at)}"
    if key == "self":
        return written_date() if submission.is_proxy_filing else declared
    if key == "proxy":
        return f"{submission.proxy_name} · {declared}" if submission.is_proxy_filing else written_date()
    user, when = (submission.handler, submission.handled_at) if key == "handler" else (
        submission.reviewer, submission.reviewed_at)
    return f"{_person(user)} {written_date(when)}" if user else written_date()


def _groups(spec, value, submission):
    """The paper's numbered lines of one choice: heading, boxes (checked, wording), fields at the line's end."""
    lines = []
    for group in spec.print_groups:
        boxes = [(choice == value, spec.option_label(choice)) for choice in group.choices]
        extras = [_item(annex2.schema().by_name[name], submission) for name in group.fields]
        lines.append({"heading": group.heading, "boxes": boxes, "box_after": group.box_after, "extras": extras})
    return lines


def _item(spec, submission):
    """One printed answer: {label, kind, value | boxes | lines | parts, mono}."""
    value = getattr(submission, spec.name)
    label = spec.form_label if spec.print_label is None else spec.print_label
    item = {"label": label, "kind": "text", "mono": spec.kind in ("id_number", "phone"), "style": spec.print_as,
            # An unanswered box shows a dash; a word written before a printed label stays blank, as on paper.
            "placeholder": "" if spec.print_as in ("after", "line_after") else "—"}
    if spec.print_groups:
        item.update(kind="groups", lines=_groups(spec, value, submission))
    elif spec.print_as == "boxes":
        item.update(kind="boxes", boxes=[(choice == value, text) for choice, text in spec.choices.choices])
    elif spec.kind == "choice":
        item["value"] = spec.choice_label(value) if value else ""
    elif spec.kind == "division":
        item.update(kind="division", parts=division_parts(value, show_town=spec.depth == "town"), empty=value is None)
    elif spec.kind == "phone":
        item["value"] = format_phone(value) if value else ""
    elif spec.print_as in ("after", "line_after") and label == _("村（社区）"):
        item["value"] = without_ending(value, VILLAGE_ENDINGS) if value else ""
    else:
        item["value"] = value
    return item


def print_rows(submission):
    """The printed form's rows from the schema: [[cell]], each cell an answer with what follows it in its box."""
    schema = annex2.schema()
    rows = []
    for key, signatures in schema.print_rows:
        cells = [{"label": annex2.SIGNATURES[name], "kind": "text", "value": _signature(name, submission),
                  "signature": True, "extras": [], "placeholder": ""} for name in signatures]
        for spec in schema.by_print_row.get(key, ()):
            if spec.print_as == "in_group":
                continue  # printed on its line of the choice before it
            item = _item(spec, submission)
            if spec.print_as in ("cell", "boxes") or not cells:
                cells.append({**item, "extras": []})
            else:
                cells[-1]["extras"].append(item)
        if cells:
            cells[-1]["colspan"] = 3 if len(cells) == 1 else None
            rows.append(cells)
    return rows


def registration_page_for(language=None):
    """The live registration page in `language` (else any live one): where the 温馨提示 is edited."""
    page_model = apps.get_model("forms_intake", "RegistrationPage")  # pages sit above services: no import
    pages = page_model.objects.live().select_related("locale")
    language = language or get_language() or ""
    for page in pages:
        if page.locale.language_code.lower() == language.lower():
            return page
    return pages.first()


def printable_context(submission, *, page=None, back_url=None, pdf_url=""):
    """What the printable template shows; the staff print (no page) reads the 温馨提示 from the live page."""
    reminder_page = page or registration_page_for()
    return {
        "page": page,
        "submission": submission,
        "rows": print_rows(submission),
        "reminder": getattr(reminder_page, "reminder", "") if reminder_page else "",
        "back_url": back_url or (page.url + page.reverse_subpage("receipt") if page else ""),
        "pdf_url": pdf_url,
    }


def render_printable(request, submission, *, page=None, back_url=None, pdf_url=""):
    """Render the printable Annex 2 of `submission`.

    The caller decides who may see it (the submitting session, or staff
    within their scope): this shows every answer, ID and phone numbers included.
    """
    context = printable_context(submission, page=page, back_url=back_url, pdf_url=pdf_url)
    response = TemplateResponse(request, TEMPLATE, context)
    add_never_cache_headers(response)
    return response


def printable_html(request, submission, *, page=None, compact=False):
    """The same template as the print view, as a string (for the PDF); ``compact``: smaller type."""
    context = {**printable_context(submission, page=page), "for_pdf": True, "compact": compact}
    return render_to_string(TEMPLATE, context, request=request)
