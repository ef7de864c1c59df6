from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsIntakeConfig(AppConfig):
    """Annex 2 registration: the public wizard, submissions and the staff moderation queues."""

    name = "forms_intake"
    verbose_name = _("Social insurance registration")
