"""Helpers for the seed command: locales, pages and their English translations.

English pages are made through wagtail-localize (translated strings in its
translation memory, then `create_or_update_translation`), never by copying the
Chinese page, so the translation editor shows them as translated and a later
sync picks up changes to the Chinese source.
"""

from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource


class MissingSeedTranslation(Exception):
    """The seed data has no English text for a segment of the Chinese source."""


def ensure_locales():
    """Create the Chinese (default) and English locales; return them as (zh, en)."""
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return zh, en


def save_and_publish(page, user=None):
    """Validate, save a revision and publish it (drafts skip validation, so clean first)."""
    page.full_clean()
    page.save()
    revision = page.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    return page


def _segment_key(html):
    """wagtail-localize segments rich text per paragraph, without the <p> wrapper."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def translate_instance(instance, locale, translations, user=None):
    """Translate `instance` into `locale` through wagtail-localize and publish the result.

    `translations` maps each source string (as wagtail-localize segments it, i.e.
    the text of a field or an HTML fragment of rich text) to its translation.
    Returns the translated instance. Raises MissingSeedTranslation when a
    segment has no translation, so the seed cannot silently leave Chinese text
    on the English site.
    """
    translations = {_segment_key(k): _segment_key(v) for k, v in translations.items()}
    with transaction.atomic():
        source, _created = TranslationSource.update_or_create_from_instance(instance)
        segments = StringSegment.objects.filter(source=source).select_related("string", "context")
        for segment in segments:
            text = _segment_key(segment.string.data)
            if text not in translations:
                raise MissingSeedTranslation(f"No English text for {segment.context.path!r}: {text!r}")
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={"data": translations[text], "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL},
            )
        # A Translation record is what the wagtail-localize editor opens and syncs.
        translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
        translation.save_target(user=user, publish=False)
        translated = translation.get_target_instance()
        if isinstance(translated, Page):
            # Publish now rather than on commit, so it also works inside tests' transactions.
            translated.get_latest_revision().publish(user=user)
    return translated
