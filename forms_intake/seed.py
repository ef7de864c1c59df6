"""Seed step of `load_portal_content`: divisions, the registration page and the status lookup page.

Idempotent: divisions are loaded in bulk (nothing is written on a second
run) and each page is created only when missing; English pages are
wagtail-localize translations of the Chinese ones.
"""

import hashlib
from pathlib import Path

from django.conf import settings

from forms_intake.models import DataImport
from forms_intake.pages import RegistrationPage, StatusLookupPage
from forms_intake.services import imports, roster
from forms_intake.services.divisions import load_divisions
from home.seeding import save_and_publish, translate_instance

REMINDER = (
    "温馨提示：本次登记后，若登记对象相关信息发生变化，"
    "请到本人户籍所在地的乡镇（街道）社区社会保障所办理变更事宜。"
)

REGISTRATION_ZH = {
    "title": "网上参保登记",
    "slug": "register",
    "intro": (
        "<p>尚未参加任何社会保险的湖南省户籍居民和在湖南居住、就业的人员，可以在这里填写"
        "《湖南省未参加社会保险人员登记表》（附件2）。也可以为家人代为登记（代理人）。</p>"
        "<p>请准备好被登记人的身份证号码、联系电话和户口所在地、常住地址。大约需要10分钟。</p>"
    ),
    "confirmation_text": (
        "<p>乡镇（街道）社会保障所的经办人员将在10个工作日内核对您的信息，必要时会电话联系您。"
        "核对通过后，信息将录入全民参保登记数据库。您可以用登记编号和身份证号码查询办理进度。</p>"
    ),
    "reminder": REMINDER,
    "guidance": [
        {
            "type": "step_guidance",
            "value": {
                "step": "identity",
                "text": "<p>填写被登记人本人的姓名和居民身份证号码。代人登记时，这里填写被代理人的信息。</p>",
            },
        },
        {
            "type": "step_guidance",
            "value": {
                "step": "address",
                "text": "<p>户口所在地以户口簿为准；常住所在地填写现在实际居住的地址。</p>",
            },
        },
    ],
}
REGISTRATION_EN = {
    "网上参保登记": "Register online",
    "<p>尚未参加任何社会保险的湖南省户籍居民和在湖南居住、就业的人员，可以在这里填写"
    "《湖南省未参加社会保险人员登记表》（附件2）。也可以为家人代为登记（代理人）。</p>": (
        "<p>Residents with a Hunan household registration, and people living or working in Hunan, who take part "
        "in no social insurance scheme can fill in the Registration Form for Persons Not Enrolled in Social "
        "Insurance (Annex 2) here. You can also register a family member, as their proxy (代理人).</p>"
    ),
    "<p>请准备好被登记人的身份证号码、联系电话和户口所在地、常住地址。大约需要10分钟。</p>": (
        "<p>Have ready the ID number and phone number of the person to be registered, and their household "
        "registration and home addresses. It takes about 10 minutes.</p>"
    ),
    "<p>乡镇（街道）社会保障所的经办人员将在10个工作日内核对您的信息，必要时会电话联系您。"
    "核对通过后，信息将录入全民参保登记数据库。您可以用登记编号和身份证号码查询办理进度。</p>": (
        "<p>Staff of the township (sub-district) social security office will check the information within 10 "
        "working days and may phone you. Once checked, it is entered in the universal registration database. "
        "You can follow the progress with the reference number and the ID number.</p>"
    ),
    REMINDER: (
        "Reminder: if the registered person's details change after this registration, please have them updated "
        "at the social security office of the township (sub-district) or community where their household is "
        "registered."
    ),
    "register": "register",
    "<p>填写被登记人本人的姓名和居民身份证号码。代人登记时，这里填写被代理人的信息。</p>": (
        "<p>Enter the name and resident ID number of the person to be registered. When you register someone "
        "else, enter their details here, not yours.</p>"
    ),
    "<p>户口所在地以户口簿为准；常住所在地填写现在实际居住的地址。</p>": (
        "<p>The household registration address is the one in the household register (户口簿); the usual "
        "residence is where the person actually lives now.</p>"
    ),
}

STATUS_ZH = {
    "title": "登记进度查询",
    "slug": "status",
    "intro": "<p>输入登记回执上的登记编号和被登记人的身份证号码，查询办理进度。</p>",
}
STATUS_EN = {
    "登记进度查询": "Check the status of a registration",
    "<p>输入登记回执上的登记编号和被登记人的身份证号码，查询办理进度。</p>": (
        "<p>Enter the reference number from the receipt and the ID number of the person registered.</p>"
    ),
    "status": "status",
}


def _ensure_page(model, home_page, zh_locale, en_locale, fields, translations):
    page = model.objects.filter(locale=zh_locale).first()
    if page is None:
        page = model(**fields, locale=zh_locale)
        home_page.add_child(instance=page)
        save_and_publish(page)
    if not page.has_translation(en_locale):
        translate_instance(page, en_locale, translations)
    return page


#: The sample files of docs/outreach-data.md, loaded in this order (employers route suspect records).
OUTREACH_SAMPLES = (
    ("employer_sample.xlsx", DataImport.Kind.EMPLOYER, ""),
    ("population_sample_gb18030.csv", DataImport.Kind.POPULATION, "civil_affairs"),
    ("insured_sample.csv", DataImport.Kind.INSURED, ""),
)
OUTREACH_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "outreach"


def seed_outreach(command):
    """Import the sample insured, population and employer files once (a known file is skipped).

    The roster comparison (services/roster.py, another step) then turns the staged population into
    the demo township's roster.
    """
    loaded = False
    for name, kind, source in OUTREACH_SAMPLES:
        path = OUTREACH_FIXTURES / name
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        if DataImport.objects.filter(kind=kind, sha256=sha).exclude(state=DataImport.State.FAILED).exists():
            continue
        data_import = imports.import_file(path, kind=kind, source=source)
        command.stdout.write(f"Sample {kind} data: {data_import.rows_imported} rows ({data_import.state}).")
        loaded = True
    if loaded:
        counts = roster.compare()
        command.stdout.write(f"Roster comparison: {counts.get('people', 0)} people compared.")


def seed_registration(command, home_page, zh_locale, en_locale):
    """Load the divisions, then place /register/ and /status/ (and their /en/ translations)."""
    counts = load_divisions()
    if counts["created"] or counts["updated"]:
        command.stdout.write(f"Divisions: {counts['created']} created, {counts['updated']} updated.")
    register = _ensure_page(RegistrationPage, home_page, zh_locale, en_locale, REGISTRATION_ZH, REGISTRATION_EN)
    _ensure_page(StatusLookupPage, home_page, zh_locale, en_locale, STATUS_ZH, STATUS_EN)
    # Sample people are demo data: development machines only (like the demo accounts).
    if settings.DEBUG and settings.PORTAL_ENVIRONMENT == "development":
        seed_outreach(command)
    # The home page's main button leads to the wizard, in each language.
    for home, target in ((home_page, register), (home_page.get_translation_or_none(en_locale), None)):
        if home is None:
            continue
        target = target or register.get_translation_or_none(en_locale)
        if target is not None and home.call_to_action_page_id is None:
            home.call_to_action_page = target
            save_and_publish(home)
