"""The bulk-actions footer of the registrations queue: only the actions the user may use."""

from django import template

from forms_intake.backoffice.bulk_actions import offered_actions

register = template.Library()


@register.inclusion_tag("forms_intake/admin/bulk/footer.html", takes_context=True)
def submission_bulk_actions(context):
    return {"actions": offered_actions(context["request"].user), "request": context["request"]}
