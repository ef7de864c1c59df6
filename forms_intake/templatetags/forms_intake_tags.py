"""Template helpers of the registration forms: the error summary and field kinds."""

from django import forms, template
from django.utils.translation import gettext

from forms_intake.rules.personal_data import format_phone

register = template.Library()
register.filter("phone", format_phone)


def field_anchor(bound_field):
    """The id the error summary links to: the first option of a radio group, else the field."""
    if isinstance(bound_field.field.widget, forms.RadioSelect):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.simple_tag
def error_summary(form):
    """[(anchor, label, message)] for every error of the form, in field order."""
    if not form.is_bound or not form.errors:
        return []
    items = [("", "", message) for message in form.non_field_errors()]
    # A field of a group (户口所在地, 常住所在地…) is named with its group: "县（市、区）" alone says not which.
    legends = {name: legend for legend, names in getattr(form, "groups", ()) if legend for name in names}
    for bound_field in form:
        label = bound_field.label
        if bound_field.name in legends:
            label = gettext("%(group)s, %(field)s") % {"group": legends[bound_field.name], "field": label}
        for message in bound_field.errors:
            items.append((field_anchor(bound_field), label, message))
    return items


@register.filter
def field_kind(bound_field):
    """"radio", "checkbox", "hidden" or "input": how field.html lays the field out."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if widget.is_hidden:
        return "hidden"
    return "input"
