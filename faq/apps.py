from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaqConfig(AppConfig):
    """Policy questions and answers (政策问答)."""

    name = "faq"
    verbose_name = _("Policy Q&A")
