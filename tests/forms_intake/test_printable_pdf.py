"""The printable Annex 2 as the paper form has it, and as a one-page A4 PDF (WeasyPrint, offline).

The resident downloads the PDF of their own registration from the receipt; staff download it from the
detail page within their scope, and the download is recorded like the print view.
"""

import io
import re

import pypdf
import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from forms_intake.models import Submission, SubmissionEvent
from forms_intake.services import pdf as pdf_service
from forms_intake.services.printable import division_parts, without_ending, written_date
from portal import roles
from tests.forms_intake.moderation_support import (
    TOWNSHIP_A,
    TOWNSHIP_B,
    make_divisions,
    make_id_number,
    make_staff,
    make_submission,
)

from .wizard_support import ADULT_ID, employed_self_answers, run_wizard

pytestmark = pytest.mark.django_db


def pdf_text(content):
    """(page count, the text of every page with runs of ASCII whitespace as one space; 　 stays)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"[ \t\r\n]+", " ", text)


def html_text(content):
    """The printable page's text without tags, whitespace runs as one space."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", "", content.decode()))


def assert_pdf_download(response, submission):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="annex2-{submission.reference}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_the_resident_downloads_their_own_form_as_one_a4_page_with_every_answer(client, registration_site):
    run_wizard(client, employed_self_answers())
    submission = Submission.objects.get()
    receipt = client.get("/register/done/").content.decode()
    assert 'href="/register/done/pdf/"' in receipt

    response = client.get("/register/done/pdf/")
    assert_pdf_download(response, submission)
    assert submission.name not in response["Content-Disposition"] and ADULT_ID not in response["Content-Disposition"]
    pages, text = pdf_text(response.content)
    assert pages == 1
    page = pypdf.PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    for answer in (
        submission.reference, "张三", ADULT_ID, "138 1234 5678", "长沙市某某科技有限公司", "91430100MA4L16JX8F",
        "省内☑", "省外☐", "☐学龄前", "☑单位未予参保", "☑工行", "☐长沙银行", "☑工作单位", "八一路12号",
        "湖南 省（自治区、直辖市） 长沙 市（州） 芙蓉 县（市、区） 文艺路 镇（街道）", "八一路 村（社区）",
        f"{gettext('Electronic declaration')} {written_date(submission.declared_at)}", "温馨提示：本次登记后",
    ):
        assert answer in text, answer
    # The print view offers the same download.
    assert 'href="/register/done/pdf/"' in client.get("/register/done/print/").content.decode()
    # Another browser gets no form: the session-expired page, no PDF.
    stranger = Client().get("/register/done/pdf/")
    assert stranger["Content-Type"].startswith("text/html") and submission.reference not in stranger.content.decode()


PROXY_ID = make_id_number(born="19550315", sequence=231)


@pytest.fixture
def staff_world(db):
    from wagtail.models import Page

    from forms_intake.pages import RegistrationPage
    from forms_intake.seed import REMINDER

    make_divisions()
    # The live registration page whose 温馨提示 the back office prints.
    Page.get_first_root_node().add_child(
        instance=RegistrationPage(title="登记", slug="register-test", intro="<p>登记</p>",
                                  confirmation_text="<p>好</p>", reminder=REMINDER))
    submission = make_submission(
        name="王小明", is_proxy_filing=True, proxy_name="王大明", proxy_id_number=PROXY_ID,
        proxy_phone="+8613987654321", proxy_relationship="other_relative", not_insured_reason="other",
        not_insured_reason_other="长期在外地务工，单位没有给缴纳社会保险，本人也不清楚如何办理",
        unit_village="韶山路社区",
    )
    return {
        "submission": submission,
        "handler": make_staff("handler_a", roles.HANDLER, [TOWNSHIP_A], first_name="李经办"),
        "elsewhere": make_staff("handler_b", roles.HANDLER, [TOWNSHIP_B]),
    }


def test_the_paper_wording_on_the_printed_form(client, staff_world):
    client.force_login(staff_world["handler"])
    submission = staff_world["submission"]
    text = html_text(client.get(reverse("forms_intake_submission:print", args=[submission.pk])).content)
    for wording in (
        "姓　名", "1、已就业 省内☐ 省外☐ 工作单位名称：—", "2、无单位 ☐学龄前 ☐在校学生 ☑未就业 ☐自由职业者",
        "社保卡服务银行选择", "☑工行", f"代理人签名王大明 · {gettext('Electronic declaration')} 20",
        "湖南 省（自治区、直辖市） 长沙 市（州） 芙蓉 县（市、区）",
        # The community registration unit's address line ends in 村（社区）.
        "登记单位所在地：湖南 省（自治区、直辖市） 长沙 市（州） 芙蓉 县（市、区） 文艺路 镇（街道） 韶山路 村（社区）",
        # The 温馨提示 of the registration page is printed from the back office too.
        "温馨提示：",
    ):
        assert wording in text, wording
    assert "湖南省 省" not in text and "芙蓉区 县" not in text
    # The unsigned staff boxes keep the paper's blank date.
    assert "经办人签名\u3000\u3000 年 \u3000\u3000 月 \u3000\u3000 日" in text


def test_staff_download_the_pdf_in_scope_and_it_is_recorded(client, staff_world):
    submission = staff_world["submission"]
    url = reverse("forms_intake_submission:print", args=[submission.pk]) + "?format=pdf"
    client.force_login(staff_world["elsewhere"])
    assert client.get(url).status_code == 404
    assert not SubmissionEvent.objects.filter(submission=submission, action="print").exists()

    client.force_login(staff_world["handler"])
    detail = client.get(reverse("forms_intake_submission:inspect", args=[submission.pk])).content.decode()
    assert f'href="{url}"' in detail
    response = client.get(url)
    assert_pdf_download(response, submission)
    pages, text = pdf_text(response.content)
    assert pages == 1
    for answer in (submission.reference, "王小明", submission.id_number, "王大明", PROXY_ID,
                   "139 8765 4321", "☑其他", "长期在外地务工", "其他亲属", "☑村（社区）", "韶山路社区"):
        assert answer in text, answer
    # The Chinese glyphs are the installed WenQuanYi font's, embedded (a fresh machine: README).
    fonts = pypdf.PdfReader(io.BytesIO(response.content)).pages[0]["/Resources"]["/Font"]
    assert any("WenQuanYi" in str(font.get_object()["/BaseFont"]) for font in fonts.values())
    event = SubmissionEvent.objects.get(submission=submission, action="print")
    assert event.user == staff_world["handler"] and event.note == "PDF"


def test_the_english_form_of_a_long_proxy_registration_fits_one_page(staff_world):
    request = RequestFactory().get("/")
    with translation.override("en"):
        pages, text = pdf_text(pdf_service.render_pdf(request, staff_world["submission"]))
    assert pages == 1
    assert "Proxy" in text and "王大明" in text


def test_weasyprint_reads_only_the_sites_static_files():
    fetcher = pdf_service.StaticOnlyFetcher("http://testserver/")
    css = fetcher.fetch("http://testserver/static/forms_intake/annex2.css")
    assert css.content_type == "text/css" and b"@page" in css.read()
    for url in ("http://example.com/static/forms_intake/annex2.css", "http://testserver/media/x.png",
                "http://testserver/static/../portal/settings/base.py", "file:///etc/passwd",
                "http://testserver/static//etc/passwd", "http://testserver/static/%2e%2e/portal/settings/base.py",
                "http://testserver/static/does-not-exist.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_division_names_lose_only_the_ending_their_label_gives():
    assert without_ending("湖南省", ("自治区", "省", "市")) == "湖南"
    assert without_ending("广西壮族自治区", ("自治区", "省", "市")) == "广西壮族"
    assert without_ending("城区", ("县", "市", "区")) == "城区"  # one character would be left
    assert without_ending("东莞市", ("街道", "镇")) == "东莞市"
    furong = make_divisions()["430102"]
    assert [name for name, _level in division_parts(furong)] == ["湖南", "长沙", "芙蓉"]
    assert [name for name, _level in division_parts(furong, show_town=True)][-1] == "\u3000\u3000"


def test_the_wizard_asks_employment_on_the_papers_two_numbered_lines():
    from forms_intake.steps.forms import EmploymentForm

    html = str(EmploymentForm(wizard_context={}, prefix="employment")["employment_status"].as_field_group())
    text = re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))
    assert re.search(r"就业状态 .*1、已就业 省内 省外 2、无单位 学龄前 在校学生 未就业 自由职业者", text), text
    assert html.count('<fieldset class="radios__group">') == 2 and html.count('type="radio"') == 6
    form = EmploymentForm(data={"employment-employment_status": "employed_out_of_province",
                                "employment-employer_name": "广东某某公司"}, prefix="employment", wizard_context={})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_answer_at_its_longest_still_fits_one_page(staff_world, language):
    submission = staff_world["submission"]
    for name, length in (("name", 20), ("proxy_name", 20), ("employer_name", 100), ("unit_name", 100),
                         ("residence_street", 100), ("not_insured_reason_other", 200), ("residence_village", 60),
                         ("employer_village", 60), ("unit_village", 60)):
        setattr(submission, name, "湘" * length)
    submission.employment_status = "employed_out_of_province"
    submission.employer_division = submission.residence_division
    with translation.override(language):
        pages, text = pdf_text(pdf_service.render_pdf(RequestFactory().get("/"), submission))
    assert pages == 1
    assert "湘" * 100 in text.replace(" ", "")
