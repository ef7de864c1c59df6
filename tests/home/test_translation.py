"""English pages are wagtail-localize translations: every block type yields segments, and syncing after a
change to the Chinese source updates the English page."""

import pytest
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, Translation, TranslationSource

from faq.models import FaqPage
from home.models import NoticePage, PosterPage, SchedulePage
from home.seeding import translate_instance

pytestmark = pytest.mark.django_db


def _segments(page):
    source, _created = TranslationSource.get_or_create_from_instance(page)
    return {s.string.data for s in StringSegment.objects.filter(source=source).select_related("string")}


def test_every_block_type_yields_translatable_segments(public_site, db):
    notice = NoticePage.objects.get(slug="universal-registration-notice", locale__language_code="zh-hans")
    segments = _segments(notice)
    assert "一、谁需要登记" in segments  # heading block
    assert "特此通告。" in segments  # paragraph block
    assert "全民参保登记时间安排" in segments and "2015年6月至2016年12月" in segments  # table caption and cell
    assert "附件：全民参保登记宣传张贴画（打印文件）" in segments  # attachment link text
    schedule = SchedulePage.objects.get(locale__language_code="zh-hans")
    assert {"准备阶段", "确定我省全民参保登记计划试点城市", "陈范勋", "2014年12月"} <= _segments(schedule)
    faq = FaqPage.objects.get(locale__language_code="zh-hans")
    assert {"谁需要登记", "哪些人需要登记？"} <= _segments(faq)
    poster = PosterPage.objects.get(slug="register-now-poster", locale__language_code="zh-hans")
    assert poster.alt_text in _segments(poster)


def test_every_page_has_a_distinct_english_translation(public_site, db):
    en = Locale.objects.get(language_code="en")
    for model in (NoticePage, PosterPage, SchedulePage, FaqPage):
        for page in model.objects.filter(locale__language_code="zh-hans"):
            translated = page.get_translation(en)
            assert translated.live and translated.title != page.title, page
            assert Translation.objects.filter(source__object_id=page.translation_key, target_locale=en).exists()


def test_english_page_follows_a_change_to_the_chinese_source(client, public_site, db):
    en = Locale.objects.get(language_code="en")
    notice = NoticePage.objects.get(slug="home-visits-announcement", locale__language_code="zh-hans")
    notice.summary = "2017年1月至3月，工作人员上门登记。"
    notice.save_revision().publish()
    # A translator syncs and translates the changed segment; unchanged segments keep their translation.
    translations = {s: s for s in _segments(notice)}
    changed = "2017年1月至3月，工作人员上门登记。"
    translations[changed] = "From January to March 2017, staff register people at home."
    from home.seed_pages_content import EN

    translations.update({k: v for k, v in EN.items() if k in translations})
    translate_instance(notice, en, translations)
    body = client.get("/en/notices/home-visits-announcement/").content.decode()
    assert "Announcement of door-to-door registration visits" in body
    body = client.get("/en/notices/").content.decode()
    assert "From January to March 2017, staff register people at home." in body
