"""The admin in Chinese for every role (issue 17): the main screens of each role show no English sentence.

Wagtail's and wagtail-localize's own zh_Hans catalogues lack several hundred admin strings; the project
supplies them (locale/packages/wagtail.zh_Hans.po, merged into the project catalogue by `make messages`).
Allowed: proper names, the languages' own names (the account page lists every admin language in its own
language), English page titles (content, not interface) and what Wagtail builds without gettext.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.translation import get_language_info
from wagtail.admin.localization import get_available_admin_languages
from wagtail.models import Locale, Page, Site

from forms_intake.models import Division, StaffDivision
from home.models import HomePage, NoticeIndexPage, NoticePage
from portal.roles import APPROVER, EDITOR, HANDLER, PROVINCIAL_ADMIN, REVIEWER
from tests.forms_intake.moderation_support import make_submission
from tests.portal.admin_text import english_sentences, shown_text

pytestmark = pytest.mark.django_db

PROPER_NAMES = ["Wagtail", "Wagtail Localize", "JavaScript", "Moderators approval"]
# Columns Wagtail's sites listing labels from field names without gettext (wagtail/sites/views.py).
UNTRANSLATABLE = ["Site name", "Root page"]


def _user(name, group, divisions=(), **extra):
    user = get_user_model().objects.create_user(username=name, password="x-test-password-123", **extra)
    user.groups.add(Group.objects.get(name=group))
    for code in divisions:
        StaffDivision.objects.create(user=user, division=Division.objects.get(code=code))
    return user


def _allowed():
    english_titles = Page.objects.filter(locale__language_code="en").values_list("title", flat=True)
    languages = [get_language_info(code)["name_local"] for code, _name in get_available_admin_languages()]
    texts = [*english_titles, *languages, *PROPER_NAMES, *UNTRANSLATABLE]
    return sorted(set(texts), key=len, reverse=True)  # longest first: a title may contain a shorter one


def _content_paths():
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=zh)
    notices = NoticeIndexPage.objects.get(locale=zh)
    notice = NoticePage.objects.filter(locale=zh).first()
    english_notice = notice.get_translation(en)
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=(home.pk,)),
        reverse("wagtailadmin_explore", args=(notices.pk,)),
        reverse("wagtailadmin_pages:edit", args=(notice.pk,)),
        reverse("wagtailadmin_pages:edit", args=(english_notice.pk,)),  # wagtail-localize's editor
        reverse("wagtailadmin_pages:history", args=(notice.pk,)),
        reverse("wagtailadmin_pages:add", args=("home", "noticepage", notices.pk)),
        reverse("wagtailadmin_pages:revisions_compare", args=(notice.pk, "earliest", "latest")),
        reverse("wagtailadmin_pages:search") + "?q=参保",
        reverse("wagtailimages:index"),
        reverse("wagtaildocs:index"),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtailadmin_account"),
    ]


def _registration_paths(submission):
    return [
        reverse("wagtailadmin_home"),
        reverse("forms_intake_submission:index"),
        reverse("forms_intake_submission:inspect", args=(submission.pk,)),
        # The queue's bulk actions: their confirmation pages (forms_intake/backoffice/bulk_actions.py).
        *(reverse("wagtail_bulk_action", args=("forms_intake", "submission", action)) + f"?id={submission.pk}"
          for action in ("claim", "complete", "register", "print", "export")),
        reverse("wagtailadmin_account"),
    ]


def _admin_paths():
    return [
        reverse("wagtailadmin_home"),
        reverse("forms_intake_submission:index"),
        "/admin/registrations/staff-divisions/",
        "/admin/registrations/statistics/",
        "/admin/registrations/jobs/",
        "/admin/registrations/cards/",
        "/admin/registrations/export-records/",
        "/admin/registrations/api-clients/",
        "/admin/outreach/imports/",
        "/admin/outreach/imports/upload/",
        "/admin/outreach/roster/",
        "/admin/outreach/coverage/",
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:page_types_usage"),
        reverse("wagtailsites:index"),
        reverse("wagtaillocales:index"),
        reverse("wagtailadmin_workflows:index"),
    ]


def _english_on(client, paths, allowed):
    found = {}
    for path in paths:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, path
        html = response.json().get("html", "") if response["Content-Type"].startswith("application/json") else ""
        html = html or response.content.decode()
        assert shown_text(html), path
        sentences = english_sentences(html, allowed)
        if sentences:
            found[path] = sentences
    return found


@pytest.mark.parametrize("role", [EDITOR, APPROVER])
def test_the_content_roles_admin_is_in_chinese(client, public_site, role):
    client.force_login(_user("content", role))
    assert _english_on(client, _content_paths(), _allowed()) == {}


@pytest.mark.parametrize("role", [HANDLER, REVIEWER])
def test_the_registration_roles_admin_is_in_chinese(client, public_site, role):
    submission = make_submission()
    client.force_login(_user("staff", role, divisions=["430102001"], is_staff=True))
    assert _english_on(client, _registration_paths(submission), _allowed()) == {}


def test_the_provincial_administrators_admin_is_in_chinese(client, public_site):
    assert Site.objects.exists()
    # As the demo account (create_demo_accounts): the provincial administrator is a superuser.
    client.force_login(_user("province", PROVINCIAL_ADMIN, divisions=["430000"], is_staff=True, is_superuser=True))
    assert _english_on(client, _admin_paths(), _allowed()) == {}


def test_the_admin_strings_wagtail_lacks_are_in_the_project_catalogue():
    from django.utils import translation

    with translation.override("zh-hans"):
        for text in ("Search all pages…", "Schedule to publish", "Privacy and access", "Compare", "Layout"):
            assert translation.gettext(text) != text, text
        referenced = translation.ngettext("Referenced %(count)s time", "Referenced %(count)s times", 0)
        assert referenced == "被引用 %(count)s 次"
        assert translation.gettext("Live") == "查看线上页面"


def test_the_admin_javascript_strings_are_in_chinese(client, public_site):
    import json
    import re

    client.force_login(_user("js", EDITOR))
    for name in ("wagtailadmin_javascript_catalog", "wagtail_localize:javascript_catalog"):
        body = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
        assert catalog["A network error occurred."] == "网络出错。", name
        assert catalog["Autosave in progress…"] == "正在自动保存…", name


def test_a_translated_string_says_how_without_an_english_date(public_site):
    from django.utils import translation
    from wagtail_localize.models import StringTranslation

    string = StringTranslation.objects.filter(translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL).first()
    with translation.override("zh-hans"):
        assert string.get_comment() == "已手工翻译"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_of_the_installed_wagtail_has_chinese(domain):
    """A Wagtail upgrade that brings new admin strings fails here until locale/ translates them."""
    from pathlib import Path

    import polib
    import wagtail
    import wagtail_localize
    from django.conf import settings

    locale = Path(settings.BASE_DIR) / "locale"
    ours_files = [locale / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"]
    if domain == "django":
        ours_files.append(locale / "packages" / "wagtail.zh_Hans.po")
    ours = {(e.msgctxt, e.msgid) for path in ours_files for e in polib.pofile(str(path)) if e.translated()}
    missing = []
    for package in (Path(wagtail.__file__).parent, Path(wagtail_localize.__file__).parent):
        for source in package.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"):
            base = source.parents[2]
            theirs = set()
            for language in ("zh_Hans", "zh"):
                catalogue = base / language / "LC_MESSAGES" / f"{domain}.po"
                if catalogue.exists():
                    theirs |= {(e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue)) if e.translated()}
            missing += [
                e.msgid for e in polib.pofile(str(source)) if e.msgid and (e.msgctxt, e.msgid) not in theirs | ours
            ]
    assert missing == []
