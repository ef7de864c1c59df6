from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.security_events import register_log_context_provider


def staff_division_codes(user):
    """What security log lines say about a staff user: the codes of their divisions (portal/security_events.py)."""
    # The app's models: apps.py is imported before the app registry is ready, so they are imported when called.
    from forms_intake.models import StaffDivision

    if user is None:
        return {"division": ""}
    codes = StaffDivision.objects.filter(user_id=user.pk).values_list("division_id", flat=True)
    return {"division": "+".join(sorted(codes))}


class FormsIntakeConfig(AppConfig):
    """Annex 2 registration: the public wizard, submissions and the staff moderation queues."""

    name = "forms_intake"
    verbose_name = _("Social insurance registration")

    def ready(self):
        # The kernel knows no app: the registration app adds its users' divisions to every security event.
        register_log_context_provider(staff_division_codes)
