"""What moves the content generation on (portal/generation.py): publishing, and saving what pages show.

Connected once from `home.apps.HomeConfig.ready` (`connect_signals`). Pages
count when published, unpublished, moved or deleted; their draft saves do not
(they reach the public only through publishing). Snippets, site settings,
sites, locales, images, documents and view restrictions count on every save
and delete. Every bump waits for the transaction to commit.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import BaseViewRestriction, Locale, Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished
from wagtail.snippets.models import get_snippet_models

from portal.generation import invalidate_on_commit

_SITE_CONTENT = (
    BaseGenericSetting,
    BaseSiteSetting,
    Site,
    Locale,
    AbstractImage,
    AbstractDocument,
    BaseViewRestriction,
)


def invalidating_model(model, deleted):
    """Whether saving (or deleting) a row of this model changes what public pages show."""
    if issubclass(model, Page):
        return deleted
    return model in get_snippet_models() or issubclass(model, _SITE_CONTENT)


_model_decisions = {}


def _on_model_change(sender, signal, **kwargs):
    # One receiver for every model: decided once per model class, then a dict
    # lookup, so bulk saves of submissions cost nothing and never invalidate pages.
    deleted = signal is post_delete
    decision = _model_decisions.get((sender, deleted))
    if decision is None:
        decision = _model_decisions[(sender, deleted)] = invalidating_model(sender, deleted)
    if decision:
        invalidate_on_commit()


def connect_signals():
    """Connect the invalidation receivers (idempotent: each has a dispatch uid)."""
    uid = "portal.cache"
    # Pages, and their wagtail-localize translations, which are published as pages.
    page_published.connect(invalidate_on_commit, dispatch_uid=f"{uid}.page_published")
    page_unpublished.connect(invalidate_on_commit, dispatch_uid=f"{uid}.page_unpublished")
    post_page_move.connect(invalidate_on_commit, dispatch_uid=f"{uid}.post_page_move")
    # Snippets with drafts publish through these; plain snippets through post_save.
    published.connect(invalidate_on_commit, dispatch_uid=f"{uid}.published")
    unpublished.connect(invalidate_on_commit, dispatch_uid=f"{uid}.unpublished")
    post_save.connect(_on_model_change, dispatch_uid=f"{uid}.post_save")
    post_delete.connect(_on_model_change, dispatch_uid=f"{uid}.post_delete")
