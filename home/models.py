"""Page models of the public site."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The portal's front page: a clear call to register and the ways into the content."""

    intro = RichTextField(blank=True, verbose_name=_("introduction"), help_text=_("Shown under the page title."))
    call_to_action_text = models.CharField(
        max_length=60,
        blank=True,
        verbose_name=_("call to action"),
        help_text=_("Label of the main button, e.g. 立即登记."),
    )
    call_to_action_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("call to action page"),
        help_text=_("Where the main button leads: the registration page."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("call_to_action_text"), FieldPanel("call_to_action_page")], heading=_("Call to action")
        ),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")
