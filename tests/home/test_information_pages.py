"""The privacy notice (个人信息处理规则) and the accessibility statement: seeded in both languages, editable
pages, linked from every page's footer and from the wizard's declaration."""

import os
import re

import pytest
from django.core.management import call_command

from home.models import InformationPage
from tests.forms_intake.wizard_support import employed_self_answers, run_wizard

pytestmark = pytest.mark.django_db


def _main(body):
    return body.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]


def _footer(body):
    return body.split('<footer class="site-footer"', 1)[1].split("</footer>", 1)[0]


def test_privacy_notice_in_chinese_says_who_what_why_how_long_rights_and_contact(client, public_site):
    response = client.get("/privacy/")
    assert response.status_code == 200
    main = _main(response.content.decode())
    assert '<h1 id="information-title">个人信息处理规则</h1>' in main
    for heading in ("个人信息处理者", "处理哪些个人信息", "处理目的和法律依据", "保存多长时间", "向谁提供", "您的权利"):
        assert heading in main, heading
    # The retention periods are the ones the purge applies (settings.RETENTION_DAYS).
    assert "180天后删除" in main and "365天后删除" in main
    assert "业务经办系统" in main and "撤回同意" in main and "12333" in main


def test_privacy_notice_follows_the_retention_settings(settings, db):
    from home.seed_information import privacy_page

    settings.RETENTION_DAYS = {"rejected": 30, "returned": 60}
    settings.SAVED_DRAFT_DAYS = 3
    text = repr(privacy_page()["body"])
    assert "30天后删除" in text and "60天后删除" in text and "180天" not in text
    assert "加密保存3天" in text


def test_english_pages_are_translations_in_english(client, public_site):
    for path, title in (("/en/privacy/", "Privacy notice"), ("/en/accessibility/", "Accessibility statement")):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert '<html lang="en"' in body
        main = _main(body)
        assert f">{title}</h1>" in main
        text = re.sub(r"<[^>]+>", " ", main)
        assert not re.findall(r"[\u4e00-\u9fff]", text), path
    zh = InformationPage.objects.get(slug="privacy", locale__language_code="zh-hans")
    en = InformationPage.objects.get(slug="privacy", locale__language_code="en")
    assert en.translation_key == zh.translation_key and en.live
    assert "Withdraw consent" in _main(client.get("/en/privacy/").content.decode())


def test_accessibility_statement_says_what_was_tested_and_the_known_gaps(client, public_site):
    main = _main(client.get("/accessibility/").content.decode())
    assert "无障碍声明" in main
    for text in ("长辈模式", "键盘", "读屏软件", "axe-core", "尚未做到的", "反馈和联系方式"):
        assert text in main, text
    en = _main(client.get("/en/accessibility/").content.decode())
    assert "Known gaps" in en and "axe-core" in en and "Elder mode" in en


@pytest.mark.parametrize(
    ("path", "privacy", "accessibility"),
    [("/", "/privacy/", "/accessibility/"), ("/en/notices/", "/en/privacy/", "/en/accessibility/")],
)
def test_footer_links_lead_to_the_pages_in_the_page_language(client, public_site, path, privacy, accessibility):
    footer = _footer(client.get(path).content.decode())
    assert f'href="{privacy}"' in footer and f'href="{accessibility}"' in footer
    assert client.get(privacy).status_code == 200 and client.get(accessibility).status_code == 200
    label = "个人信息处理规则" if not path.startswith("/en/") else "Privacy notice"
    assert f">{label}</a>" in footer


def test_the_wizard_declaration_links_to_the_privacy_notice(client, public_site):
    first = client.get("/register/step/filer/", follow=True)
    assert first.status_code == 200
    assert 'href="/privacy/">个人信息处理规则</a>' in _main(first.content.decode())
    response = run_wizard(client, employed_self_answers(), stop_before="review")
    review = client.get(response.url)
    body = _main(review.content.decode())
    assert 'name="review-consent"' in body
    assert 'href="/privacy/">个人信息处理规则</a>' in body


def test_seeding_again_changes_nothing_and_keeps_the_editors_text(public_site):
    page = InformationPage.objects.get(slug="privacy", locale__language_code="zh-hans")
    page.summary = "编辑修改后的摘要。"
    page.save_revision().publish()
    count = InformationPage.objects.count()
    call_command("load_portal_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert InformationPage.objects.count() == count == 4
    page.refresh_from_db()
    assert page.summary == "编辑修改后的摘要。"
