"""Enrol (or remove) a staff user's authenticator app for the second sign-in factor.

    python manage.py staff_totp <username>            # prints an otpauth:// link to add to the app
    python manage.py staff_totp <username> --remove   # e.g. a lost phone

The link holds the shared secret: show it to the user only (scan it as a QR
code with any authenticator app), never send it by e-mail or chat.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.security import log_security_event


class Command(BaseCommand):
    help = "Enrol a staff user's authenticator app (TOTP) and print its otpauth:// link, or remove it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="remove the user's authenticators")

    def handle(self, *args, username, remove, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if remove:
            count = TOTPDevice.objects.filter(user=user).delete()[0]
            log_security_event("otp_removed", user=None, target_user=user.pk, devices=count)
            self.stdout.write(f"Removed {count} authenticator(s).")
            return
        TOTPDevice.objects.filter(user=user).delete()  # one authenticator per user
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        log_security_event("otp_enrolled", user=None, target_user=user.pk)
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "portal")
        self.stdout.write(f"Authenticator enrolled for {username} ({issuer}). Add this link to the app:")
        self.stdout.write(device.config_url)
