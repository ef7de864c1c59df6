"""The Wagtail admin for the API: clients (token shown once), webhook subscriptions, and the dead-letter list.

Provincial administrators only (``add/change_apiclient``, ``change_delivery``; portal/roles.py). A token
or a signing secret appears once, on the page that follows its creation or rotation (never stored, never
sent through messages or the session), with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from forms_intake.models import ApiClient, Delivery, Subscription
from forms_intake.services import deliveries

MANAGE = "forms_intake.change_apiclient"
RETRY = "forms_intake.change_delivery"
#: Grace periods offered on rotation.
GRACE_CHOICES = {"0": None, "1d": timedelta(days=1), "7d": timedelta(days=7)}


class CodeListInput(forms.TextInput):
    """Division codes typed as text ("430102 430104"): a select of 40 000 divisions is unusable."""

    def value_from_datadict(self, data, files, name):
        return (data.get(name) or "").replace(",", " ").split()

    def format_value(self, value):
        if not value:
            return ""
        return " ".join(str(getattr(v, "pk", v)) for v in value)


def _secret_page(request, title, secret, back_url, what):
    response = TemplateResponse(request, "forms_intake/api/secret_once.html", {
        "header_title": title, "secret": secret, "back_url": back_url, "what": what,
    })
    add_never_cache_headers(response)
    return response


class ApiClientCreateView(CreateView):
    """Creates the client with a fresh token and shows the token once."""

    def save_instance(self):
        self.token = self.form.instance.set_new_token()
        return super().save_instance()

    def save_action(self):
        return _secret_page(self.request, _("API client created"), self.token,
                            self.get_success_url(), _("API token"))


def _rotate_url(client_pk):
    return reverse(api_client_viewset.get_url_name("rotate"), args=[client_pk])


class ApiClientEditView(EditView):
    """The client's settings, with "Rotate token" among the header's actions."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.request.user.has_perm(MANAGE):
            buttons.append(Button(_("Rotate token"), url=_rotate_url(self.object.pk), icon_name="key", priority=5))
        return buttons


class ApiClientIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.request.user.has_perm(MANAGE):
            buttons.append(Button(_("Rotate token"), url=_rotate_url(instance.pk), icon_name="key", priority=15))
        return buttons


class ApiClientViewSet(ModelViewSet):
    """API clients of the business systems (one per external system)."""

    model = ApiClient
    icon = "key"
    name = "api-clients"
    url_namespace = "forms_intake_apiclient"
    url_prefix = "registrations/api-clients"
    menu_label = _("API clients")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    add_view_class = ApiClientCreateView
    edit_view_class = ApiClientEditView
    index_view_class = ApiClientIndexView
    list_display = ["name", "token_hint", "can_read_feed", "can_see_personal_data", "can_report_results", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("divisions", widget=CodeListInput(attrs={"inputmode": "numeric"}),
                   help_text=_("Division codes separated by spaces, e.g. 430102 (a county) or 43 (the province).")),
        FieldPanel("can_read_feed"), FieldPanel("can_see_personal_data"), FieldPanel("can_report_results"),
        FieldPanel("allowed_networks"), FieldPanel("rate_limit_per_minute"), FieldPanel("revoked"),
    ]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<str:pk>/rotate/", rotate_token, name="rotate")]


class SubscriptionCreateView(CreateView):
    """Creates the webhook with a fresh signing secret and shows the secret once."""

    def save_action(self):
        return _secret_page(self.request, _("Webhook created"), self.object.secret,
                            self.get_success_url(), _("signing secret"))


class SubscriptionViewSet(ModelViewSet):
    """Webhook URLs of API clients (events of their divisions are POSTed there, signed)."""

    model = Subscription
    icon = "link"
    name = "api-webhooks"
    url_namespace = "forms_intake_subscription"
    url_prefix = "registrations/api-webhooks"
    menu_label = _("Webhooks")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    add_view_class = SubscriptionCreateView
    list_display = ["client", "url", "active"]
    panels = [FieldPanel("client"), FieldPanel("url"), FieldPanel("active")]


@require_http_methods(["GET", "POST"])
def rotate_token(request, pk):
    """A new token for the client; the old one works for the chosen grace period (or stops at once).

    GET asks first (which grace period, and what happens to the business system meanwhile)."""
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    client = get_object_or_404(ApiClient, pk=pk)
    if request.method == "GET":
        return TemplateResponse(request, "forms_intake/api/rotate_confirm.html", {
            "header_title": _("Rotate the token of %(name)s") % {"name": client.name},
            "client": client, "back_url": reverse(api_client_viewset.get_url_name("edit"), args=[client.pk]),
        })
    grace = GRACE_CHOICES.get(request.POST.get("grace", "0"))
    token = client.set_new_token(grace=grace)
    client.save(update_fields=["token_hash", "token_hint", "previous_token_hash", "previous_token_expires_at"])
    return _secret_page(request, _("New token for %(name)s") % {"name": client.name}, token,
                        reverse(api_client_viewset.get_url_name("index")), _("API token"))


def dead_letters(request):
    """Deliveries given up after the last attempt, newest first, each with a retry button."""
    if not request.user.has_perm(RETRY):
        raise PermissionDenied
    dead = (
        Delivery.objects.filter(state=Delivery.State.DEAD)
        .select_related("event", "subscription__client").order_by("-event_id")[:200]
    )
    return TemplateResponse(request, "forms_intake/api/dead_letters.html", {
        "header_title": _("Failed webhook deliveries"), "deliveries": dead,
    })


@require_POST
def retry_delivery(request, pk):
    """Send a dead delivery again (it and the submission's later events go out in order)."""
    if not request.user.has_perm(RETRY):
        raise PermissionDenied
    delivery = get_object_or_404(Delivery, pk=pk, state=Delivery.State.DEAD)
    deliveries.retry(delivery)
    messages.success(request, _("The delivery is queued again."))
    return redirect("forms_intake_api_dead_letters")


def admin_urls():
    """The dead-letter list and its retry button (registered by wagtail_hooks)."""
    return [
        path("registrations/api-deliveries/failed/", dead_letters, name="forms_intake_api_dead_letters"),
        path("registrations/api-deliveries/<int:pk>/retry/", retry_delivery, name="forms_intake_api_retry"),
    ]


api_client_viewset = ApiClientViewSet()
subscription_viewset = SubscriptionViewSet()
