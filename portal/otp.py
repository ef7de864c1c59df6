"""A second factor for staff: TOTP codes (django-otp) on Wagtail's own login form.

A staff user with a confirmed authenticator (TOTP device, enrolled with
`manage.py staff_totp <username>`) must type its current six-digit code with
the password. A wrong or missing code gets exactly the error a wrong password
gets, and counts as a failed sign-in for the lockout (django-axes), so the form
never tells an attacker that the password was right. With
`STAFF_OTP_REQUIRED = True`, users without an authenticator cannot sign in.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


def totp_devices(user):
    """The user's confirmed authenticators."""
    return TOTPDevice.objects.filter(user=user, confirmed=True)


class LoginForm(WagtailLoginForm):
    """Wagtail's login form with an authenticator code (shown by Wagtail's template as an extra field)."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=12,
        help_text=_("The six-digit code from your authenticator app, if your account has one."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()  # authenticates (through django-axes) and sets user_cache
        user = self.user_cache
        if user is None:
            return cleaned
        devices = list(totp_devices(user))
        if not devices:
            if getattr(settings, "STAFF_OTP_REQUIRED", False):
                raise forms.ValidationError(
                    _("This account needs an authenticator before it can sign in. Ask your administrator."),
                    code="otp_required",
                )
            return cleaned
        token = "".join((cleaned.get("otp_token") or "").split())
        device = self._verify(user, devices, token) if token.isdigit() else None
        if device is None:
            # Same answer as a wrong password, and counted by the lockout like one.
            user_login_failed.send(
                sender=__name__, credentials={"username": cleaned.get("username")}, request=self.request
            )
            self.user_cache = None
            raise self.get_invalid_login_error()
        # django-otp marks the session verified when Django's login() runs.
        user.otp_device = device
        return cleaned

    @staticmethod
    def _verify(user, devices, token):
        for device in devices:
            verified = verify_token(user, device.persistent_id, token)
            if verified is not None:
                return verified
        return None
