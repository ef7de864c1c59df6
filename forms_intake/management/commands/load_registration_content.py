"""Load the registration app's part of the seed content (idempotent; `make run` calls it after `load_portal_content`).

The divisions, the registration page (/register/) and the status lookup page
(/status/) in both languages, and the home page's links to them (its main
button and its status lookup link). `load_portal_content` (the home app) must
have created the site and its home page first. With `--demo-divisions`, the
demo staff accounts of `create_demo_accounts` also get their divisions
(development only, like the accounts themselves).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from forms_intake.moderation_seed import DEMO_DIVISIONS, assign_demo_divisions
from forms_intake.pages import StatusLookupPage
from forms_intake.seed import seed_registration
from home.models import HomePage
from home.seeding import ensure_locales, save_and_publish


class Command(BaseCommand):
    help = "Create the divisions, registration and status pages and the home page's links to them (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-divisions",
            action="store_true",
            help="also assign the demo staff accounts their divisions (development only)",
        )

    def handle(self, *args, demo_divisions=False, **options):
        zh, en = ensure_locales()
        home = HomePage.objects.filter(locale=zh).first()
        if home is None:
            raise CommandError("No home page yet: run `manage.py load_portal_content` first.")
        seed_registration(self, home, zh, en)
        for locale_home in (home, home.get_translation_or_none(en)):
            if locale_home is not None:
                link_status_lookup(locale_home)
        if demo_divisions:
            self.assign_demo_divisions()
        self.stdout.write(self.style.SUCCESS("Registration content is in place."))

    def assign_demo_divisions(self):
        if not settings.DEBUG or settings.PORTAL_ENVIRONMENT == "production":
            raise CommandError("Demo divisions exist only on development machines (DEBUG on, not production settings).")
        for user in get_user_model().objects.filter(username__in=DEMO_DIVISIONS):
            assign_demo_divisions(user)


def link_status_lookup(home):
    """Point the home page's status lookup link at the status page of its language (when not set yet)."""
    if home.status_lookup_page_id is not None:
        return
    status_page = StatusLookupPage.objects.filter(locale_id=home.locale_id).first()
    if status_page is not None:
        home.status_lookup_page = status_page
        save_and_publish(home)
