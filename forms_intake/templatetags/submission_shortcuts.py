"""Access keys of the submission detail page and their help panel (forms_intake/backoffice/shortcuts.py)."""

from django import template
from django.utils.html import format_html

from forms_intake.backoffice.shortcuts import ACCESS_KEYS, LABELS, dialog_rows, key_combination, shortcuts_enabled

register = template.Library()


@register.simple_tag(takes_context=True)
def access_key(context, action):
    """` accesskey="c"` for an action of the detail page, or nothing (no key, or shortcuts switched off)."""
    key = ACCESS_KEYS.get(action)
    request = context.get("request")
    if not key or request is None or not shortcuts_enabled(request.user):
        return ""
    return format_html(' accesskey="{}"', key)


@register.inclusion_tag("forms_intake/admin/_shortcuts.html", takes_context=True)
def submission_shortcuts_help(context, transitions, can_correct=False):
    """The keys of the actions shown on this page, with the key combination of the clerk's browser."""
    request = context["request"]
    actions = [(t.name, t.label) for t in transitions]
    if can_correct:
        actions.append(("correct", LABELS["correct"]))
    actions.append(("next", LABELS["next"]))
    return {
        "enabled": shortcuts_enabled(request.user),
        "rows": [
            (label, key_combination(request, ACCESS_KEYS[name])) for name, label in actions if name in ACCESS_KEYS
        ],
    }


@register.simple_tag(takes_context=True)
def registration_dialog_shortcuts(context):
    """The detail page's access keys for Wagtail's keyboard-shortcuts dialog (none for content editors)."""
    request = getattr(context, "request", None) or context.get("request")
    return dialog_rows(request) if request is not None else []
