"""Policy Q&A: categories, stable anchors, the no-JavaScript filter and FAQPage JSON-LD."""

import json
import re

import pytest
from wagtail.models import Locale

from faq.models import FaqPage, question_anchor

pytestmark = pytest.mark.django_db


def _questions(body):
    pattern = r'<div class="faq-item" id="(q-[0-9a-f]{8})" data-faq-item>\s*<h3 class="faq-item__question">(.*?) <a'
    return re.findall(pattern, body)


def test_at_least_15_questions_in_at_least_3_categories(client, public_site, db):
    body = client.get("/qa/").content.decode()
    assert len(_questions(body)) >= 15
    assert body.count("data-faq-category") >= 3
    questions = [q for _a, q in _questions(body)]
    for required in [
        "哪些人需要登记？",
        "登记表由谁填写？",
        "可以选择哪些银行？",
        "家人可以代为登记吗？",
        "我的个人信息安全吗？",
        "登记后信息发生变化怎么办？",
    ]:
        assert required in questions, required
    tip = "本次登记后，若登记对象相关信息发生变化，请到本人户籍所在地的乡镇（街道）社区社会保障所办理变更事宜。"
    assert tip in body


def test_every_question_has_a_unique_anchor_with_a_link_to_itself(client, public_site, db):
    body = client.get("/qa/").content.decode()
    anchors = [a for a, _q in _questions(body)]
    assert len(anchors) == len(set(anchors))
    for anchor in anchors:
        assert f'href="#{anchor}"' in body


def test_anchors_are_the_same_in_english_and_survive_edits(client, public_site, db):
    zh_anchors = [a for a, _q in _questions(client.get("/qa/").content.decode())]
    en_body = client.get("/en/qa/").content.decode()
    assert [a for a, _q in _questions(en_body)] == zh_anchors
    assert "Which banks can I choose?" in en_body
    # Editing a question keeps every anchor.
    page = FaqPage.objects.get(locale__language_code="zh-hans")
    page.categories[0].value["questions"][0]["question"] = "什么是全民参保登记？（修订）"
    page.save_revision().publish()
    assert [a for a, _q in _questions(client.get("/qa/").content.decode())] == zh_anchors


def test_filter_works_without_javascript(client, public_site, db):
    body = client.get("/qa/", {"q": "代理人"}).content.decode()
    questions = [q for _a, q in _questions(body)]
    assert questions and len(questions) < 15
    page = FaqPage.objects.get(locale__language_code="zh-hans")
    assert {q["question"] for q in page.matching_questions("代理人")} == set(questions)
    assert 'value="代理人"' in body
    empty = client.get("/qa/", {"q": "不存在的词语"}).content.decode()
    assert _questions(empty) == []
    assert 'role="status"' in empty


def test_english_filter_is_case_insensitive(client, public_site, db):
    questions = [q for _a, q in _questions(client.get("/en/qa/", {"q": "BANK"}).content.decode())]
    assert "Which banks can I choose?" in questions
    assert "What if my details change after I register?" not in questions


def test_jsonld_lists_every_question_and_is_escaped(client, public_site, db):
    body = client.get("/qa/").content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
    assert len(data["mainEntity"]) == len(_questions(body))
    assert data["mainEntity"][0]["acceptedAnswer"]["@type"] == "Answer"
    # A question containing markup cannot break out of the script element.
    page = FaqPage.objects.get(locale__language_code="zh-hans")
    page.categories[0].value["questions"][0]["question"] = "</script><script>alert(1)</script>"
    page.save_revision().publish()
    body = client.get("/qa/").content.decode()
    assert "</script><script>alert(1)" not in body
    raw = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)[0]
    assert json.loads(raw)["mainEntity"][0]["name"] == "</script><script>alert(1)</script>"


def test_question_anchor_format():
    assert question_anchor("0f1e2d3c-aaaa-bbbb-cccc-000000000000") == "q-0f1e2d3c"


def test_faq_page_is_searchable_in_both_languages(public_site, db):
    from home.search import search_pages

    zh = Locale.objects.get(language_code="zh-hans")
    en = Locale.objects.get(language_code="en")
    [zh_result] = [r for r in search_pages("户籍所在地", zh) if r.kind == "faq"]
    assert any("变化" in q["question"] for q in zh_result.questions)
    [en_result] = [r for r in search_pages("relative", en) if r.kind == "faq"]
    assert any("relative" in q["question"].lower() or "relative" in q["text"].lower() for q in en_result.questions)


def test_factory_qa_page_renders_every_question_with_an_anchor_and_jsonld(client, public_site, db):
    from tests.factories.pages import FaqPageFactory

    page = FaqPage.objects.get(pk=FaqPageFactory(slug="test-qa").pk)  # re-read: block ids are given on save
    generated = [q for c in page.question_list() for q in c["questions"]]
    assert len(generated) == 6  # two categories of three questions
    body = client.get("/test-qa/").content.decode()
    assert _questions(body) == [(q["anchor"], q["question"]) for q in generated]
    for category in page.categories:
        assert category.value["title"] in body
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    assert [entity["name"] for entity in json.loads(raw)["mainEntity"]] == [q["question"] for q in generated]
    # The no-JavaScript filter finds a question by words of its answer only.
    target = generated[4]
    found = _questions(client.get("/test-qa/", {"q": target["text"][:8]}).content.decode())
    assert (target["anchor"], target["question"]) in found and len(found) < len(generated)


def test_factory_questions_can_be_given_one_by_one(client, public_site, db):
    from tests.factories.pages import FaqPageFactory

    FaqPageFactory(
        slug="test-qa-2",
        categories__0__category__title="代理登记",
        categories__0__category__questions__0__question="代理人需要带什么？",
        categories__0__category__questions__0__answer_text="代理人本人的身份证。",
    )
    body = client.get("/test-qa-2/").content.decode()
    assert [q for _a, q in _questions(body)] == ["代理人需要带什么？"]
    assert "代理登记" in body and "代理人本人的身份证。" in body
