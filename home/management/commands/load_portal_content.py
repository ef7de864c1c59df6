"""Load the home app's seed content: locales, roles, the site and its public pages in both languages.

Idempotent: every step looks for what it would create, so running it twice
changes nothing. `make run` calls it on every start, first: the other apps'
commands (`load_registration_content`) add their pages below its home page.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Collection, Page, Site

from home import seed_content
from home.models import HomePage
from home.seeding import ensure_locales, save_and_publish, translate_instance
from portal.roles import ensure_roles


class Command(BaseCommand):
    help = "Create the locales, roles, site and public pages (idempotent); other apps' commands add theirs."

    def handle(self, *args, **options):
        zh, en = ensure_locales()
        if not Collection.objects.exists():
            # Wagtail's migrations create the root collection; a flushed database lacks it.
            Collection.add_root(name="Root")
        with transaction.atomic():
            home = self.ensure_home_page(zh)
        if not home.has_translation(en):
            translate_instance(home, en, seed_content.HOME_PAGE_EN)
        ensure_roles(root_pages=[home])
        for step in seed_content.EXTRA_STEPS:
            step(self, home, zh, en)
        self.stdout.write(self.style.SUCCESS("Portal content is in place."))

    def ensure_home_page(self, zh):
        """The Chinese home page as the default site's root, replacing Wagtail's placeholder page."""
        existing = HomePage.objects.filter(locale=zh).first()
        if existing is not None:
            return existing
        root = Page.get_first_root_node()
        if root is None:
            # An empty database (e.g. flushed between tests) has no tree root yet.
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=zh, live=True))
        site = Site.objects.filter(is_default_site=True).first()
        placeholder = site.root_page if site else None
        if placeholder is not None and placeholder.slug == "home":
            # Free the slug; the placeholder is deleted once the site points at our page.
            Page.objects.filter(pk=placeholder.pk).update(slug="wagtail-placeholder")
        home = HomePage(**seed_content.HOME_PAGE_ZH, slug="home", locale=zh)
        root.add_child(instance=home)
        save_and_publish(home)
        if site is None:
            Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="湖南省全民参保登记"
            )
        else:
            site.root_page = home
            site.site_name = "湖南省全民参保登记"
            site.save()
        # Wagtail's first migration creates a "Welcome" page; it serves no one here.
        if placeholder is not None and placeholder.specific_class is Page and not placeholder.get_children().exists():
            placeholder.delete()
        return home
