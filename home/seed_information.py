# ruff: noqa: E501  (verbatim Chinese source text reads better unwrapped)
"""Seed step for the privacy notice (个人信息处理规则) and the accessibility statement (无障碍声明).

Both are InformationPage pages under the home page, at the fixed slugs the site footer and the
wizard link to (`PRIVACY_SLUG`, `ACCESSIBILITY_SLUG`); editors change their text like any page.
Every Chinese text is paired with its English translation where it is written, and the English
pages are made through wagtail-localize (home.seeding.translate_instance). Idempotent: an existing
page is left as the editors made it.

What the privacy notice says follows the code: the retention periods are read from the settings
that forms_intake/services/retention.py applies (RETENTION_DAYS and the others), the sharing is the
business systems' API (docs/api.md).
"""

import uuid

from django.conf import settings

PRIVACY_SLUG = "privacy"
ACCESSIBILITY_SLUG = "accessibility"

EN = {}
"""Chinese segment -> English translation, for the pages this module creates."""


def _t(zh, en):
    EN[zh] = en
    return zh


def _p(zh, en):
    return {"type": "paragraph", "id": str(uuid.uuid4()), "value": f"<p>{_t(zh, en)}</p>"}


def _h(zh, en):
    return {"type": "heading", "id": str(uuid.uuid4()), "value": {"text": _t(zh, en), "level": "h2"}}


def _ul(items):
    html = "<ul>" + "".join(f"<li>{_t(zh, en)}</li>" for zh, en in items) + "</ul>"
    return {"type": "paragraph", "id": str(uuid.uuid4()), "value": html}


def _retention():
    """(rejected days, returned days, sign-in record days, export file days, session hours) from the settings."""
    days = getattr(settings, "RETENTION_DAYS", None) or {"rejected": 180, "returned": 365}
    return (
        days.get("rejected", 180),
        days.get("returned", 365),
        getattr(settings, "RETENTION_LOGIN_RECORD_DAYS", 90),
        getattr(settings, "RETENTION_EXPORT_DAYS", 7),
        max(1, settings.SESSION_COOKIE_AGE // 3600),
    )


CONTACT = [
    ("拨打人力资源社会保障咨询服务电话 12333；", "call the human resources and social security helpline, 12333;"),
    (
        "到户籍所在地或常住地的乡镇（街道）社会保障所当面提出；",
        "ask in person at the social security office of the township or sub-district where your household is registered or where you live;",
    ),
    (
        "书面寄送湖南省人力资源和社会保障厅，注明“全民参保登记个人信息”。",
        "write to the Hunan Provincial Department of Human Resources and Social Security, marked “universal registration personal information”.",
    ),
]


def privacy_page():
    """Fields of the privacy notice page (title, slug, summary, body as raw StreamField data)."""
    rejected, returned, sign_in, exports, hours = _retention()
    saved = getattr(settings, "SAVED_DRAFT_DAYS", 7)  # forms_intake/services/saved_drafts.py
    body = [
        _h("一、个人信息处理者", "1. Who processes your personal information"),
        _p(
            "全民参保登记的个人信息处理者是湖南省人力资源和社会保障厅。各市州、县市区人力资源社会保障部门和社会保险经办机构、乡镇（街道）社会保障所在各自辖区内办理登记，只能查看本辖区的登记信息。",
            "The Hunan Provincial Department of Human Resources and Social Security is responsible for the personal information of universal registration. The human resources and social security departments and social insurance agencies of cities, prefectures and counties, and the social security offices of townships and sub-districts, handle the registrations of their own area and can see only those.",
        ),
        _h("二、处理哪些个人信息", "2. What personal information we process"),
        _p(
            "按照《湖南省未参加社会保险人员登记表》，登记时收集：",
            "As Annex 2, the registration form for people not yet insured, asks, we collect:",
        ),
        _ul(
            [
                (
                    "被登记人的姓名、身份证号码（由此得出性别和出生日期）、联系电话；",
                    "the registered person's name, ID number (from which the gender and birth date follow) and phone number;",
                ),
                ("就业状态、工作单位名称和所在地；", "employment status, the employer's name and where it is;"),
                (
                    "户口所在地、常住所在地（包括村（社区）和街、路、巷门牌号）；",
                    "where the household is registered and where the person lives (including the village or community and the street address);",
                ),
                (
                    "未参保原因、社保卡服务银行、登记单位；",
                    "the reason for not being insured, the bank for the social security card and the registration unit;",
                ),
                (
                    "代理他人登记时，代理人的姓名、身份证号码、联系电话和与被代理人关系。",
                    "when registering for someone else, the proxy's name, ID number, phone number and relationship to the person.",
                ),
            ]
        ),
        _p(
            "身份证号码和不满十四周岁未成年人的个人信息属于敏感个人信息。为不满十四周岁的子女登记的，应当由父母或者其他监护人代为填写并同意。",
            "ID numbers and the personal information of children under fourteen are sensitive personal information. Children under fourteen are registered by a parent or other guardian, who fills in the form and gives the consent.",
        ),
        _h("三、处理目的和法律依据", "3. Why we process it, and on what legal basis"),
        _p(
            "这些信息只用于全民参保登记：核实参保状况、办理社会保险参保登记、制发社会保障卡、通知您登记进度，以及按行政区划统计参保扩面情况（统计结果不含个人信息）。",
            "The information is used only for universal registration: to check whether the person is insured, to enrol them in social insurance, to issue the social security card, to tell you how the registration is progressing, and to count coverage by area (the counts contain no personal information).",
        ),
        _p(
            "依据是《中华人民共和国社会保险法》和《中华人民共和国个人信息保护法》第十三条：履行法定职责所必需，以及您在提交登记时作出的同意。",
            "The legal basis is the Social Insurance Law and Article 13 of the Personal Information Protection Law of the People's Republic of China: processing needed to carry out statutory duties, and the consent you give when you submit the registration.",
        ),
        _h("四、保存多长时间", "4. How long we keep it"),
        _ul(
            [
                (
                    f"在网上填写、尚未提交的内容保存在本次会话中，{hours}小时内没有操作即被删除；",
                    f"Answers typed online but not yet submitted are kept in your session and deleted after {hours} hours without activity.",
                ),
                (
                    f"选择“保存，稍后继续填写”的，填写内容加密保存{saved}天，到期即被删除；短信验证码只保存其加密散列值，几分钟后失效；",
                    f"Answers saved to finish later are kept encrypted for {saved} days and then deleted; text-message codes are kept only as keyed hashes and expire within minutes.",
                ),
                (
                    f"不予登记的记录，自最后一次处理起{rejected}天后删除其中的个人信息；",
                    f"A registration that was refused has its personal information deleted {rejected} days after it was last handled.",
                ),
                (
                    f"退回补正后未再提交的记录，自最后一次处理起{returned}天后删除其中的个人信息；",
                    f"A registration returned for correction and not resubmitted has its personal information deleted {returned} days after it was last handled.",
                ),
                (
                    "已登记和已发卡的记录是社会保险登记档案，按社会保险档案管理规定保存；",
                    "Registrations that were accepted, and their cards, are social insurance records and are kept as the rules on social insurance records require.",
                ),
                (
                    f"工作人员导出的文件{exports}天后删除，工作人员登录记录保存{sign_in}天。",
                    f"Files that staff export are deleted after {exports} days; staff sign-in records are kept for {sign_in} days.",
                ),
            ]
        ),
        _p(
            "删除个人信息后，记录只保留行政区划、状态、原因和出生年份，用于统计。",
            "Once the personal information is deleted, the record keeps only the area, the state, the reason and the birth year, for statistics.",
        ),
        _h("五、向谁提供", "5. Who receives it"),
        _p(
            "登记信息通过经过认证的接口提供给社会保险经办机构的业务经办系统，用于办理参保和制发社会保障卡；每个系统只能获得其负责辖区的登记，只有获得授权的系统才能获得完整的身份证号码和联系电话。发送验证码和办理进度通知时，手机号码和短信内容交由短信服务商发送。",
            "Registrations go through an authenticated interface to the business systems of the social insurance agencies, which enrol the person and issue the card; each system receives only the registrations of its own area, and only authorised systems receive full ID and phone numbers. To send verification codes and progress messages, the phone number and the text of the message are passed to the SMS provider.",
        ),
        _p(
            "除法律、行政法规另有规定外，不向其他任何单位或个人提供，不公开，不出售，不向境外提供。",
            "Unless a law or administrative regulation requires it, the information is given to no one else, never published, never sold and never transferred outside the country.",
        ),
        _h("六、怎样保护", "6. How it is protected"),
        _p(
            "身份证号码、联系电话、地址等个人信息加密存储；列表中只显示部分号码；工作人员按辖区和岗位授权查看，每次查看、更正和导出都有记录；网页和地址栏中不出现个人信息。",
            "ID numbers, phone numbers, addresses and other personal information are stored encrypted; lists show only part of a number; staff see only the registrations of their area and role, and every view, correction and export is recorded; personal information never appears in web addresses.",
        ),
        _h("七、您的权利", "7. Your rights"),
        _ul(
            [
                (
                    "查阅、复制：用登记回执编号和身份证号码查询登记进度，或到社会保障所查阅登记内容；",
                    "See and copy: look up the registration with the reference number and the ID number, or see what was recorded at the social security office.",
                ),
                (
                    "更正、补充：登记被退回补正时可以在网上更正；登记后信息有变化的，到户籍所在地的乡镇（街道）社会保障所办理变更；",
                    "Correct and complete: when a registration is returned for correction you can correct it online; if your details change later, the social security office of the township or sub-district where your household is registered records the change.",
                ),
                (
                    "删除：处理目的已经实现或者不再需要时，可以要求删除；",
                    "Delete: you can ask for the information to be deleted once its purpose is fulfilled or it is no longer needed.",
                ),
                (
                    "撤回同意：可以撤回同意，撤回不影响此前已经进行的处理，也不影响履行法定职责所必需的处理；",
                    "Withdraw consent: you can withdraw your consent; this does not affect what was done before, nor processing needed to carry out statutory duties.",
                ),
                ("要求解释说明本规则。", "Ask for an explanation of these rules."),
            ]
        ),
        _p("行使权利或者提出意见、投诉，可以：", "To exercise these rights, or to comment or complain, you can:"),
        _ul(CONTACT),
        _p(
            "我们在收到请求之日起十五个工作日内答复。",
            "We answer within fifteen working days of receiving the request.",
        ),
    ]
    return {
        "title": _t("个人信息处理规则", "Privacy notice"),
        "slug": PRIVACY_SLUG,
        "search_description": _t(
            "全民参保登记处理哪些个人信息、为什么处理、保存多久、提供给谁，以及您的权利和联系方式。",
            "What personal information universal registration processes, why, for how long, who receives it, your rights and how to contact us.",
        ),
        "summary": _t(
            "本规则说明全民参保登记网上登记和社会保障所代办登记中，个人信息由谁处理、处理什么、为什么处理、保存多久、提供给谁，以及您享有的权利。",
            "These rules explain, for online registration and registration at a social security office, who processes your personal information, what, why, for how long and who receives it, and the rights you have.",
        ),
        "body": body,
    }


def accessibility_page():
    """Fields of the accessibility statement page."""
    hours = _retention()[4]
    body = [
        _h("一、适用范围和标准", "1. What this statement covers"),
        _p(
            "本声明适用于湖南省全民参保登记网站的公开页面、网上登记和登记进度查询。我们按照《信息技术 互联网内容无障碍可访问性技术要求与测试方法》（GB/T 37668-2019）和 WCAG 2.1 AA 级的要求建设和测试本网站。",
            "This statement covers the public pages of the Hunan universal social insurance registration website, online registration and the status lookup. The site is built and tested against GB/T 37668-2019 (accessibility requirements and test methods for Internet content) and WCAG 2.1 level AA.",
        ),
        _h("二、已经做到的", "2. What works"),
        _ul(
            [
                (
                    "长辈模式：更大的文字和按钮（每个按钮至少 60 像素高），更强的对比度，没有弹出窗口，超时提醒显示在页面中；",
                    "Elder mode: larger text and buttons (every button at least 60 pixels tall), stronger contrast, no pop-up windows, and the time-out warning shown in the page.",
                ),
                (
                    "全程可以只用键盘操作，焦点清晰可见，页面顶部有“跳到主要内容”链接；",
                    "Everything can be done with the keyboard alone, the focus is always visible, and a “skip to main content” link opens every page.",
                ),
                (
                    "页面有页眉、导航、主要内容和页脚等标志区域，每页一个一级标题，供读屏软件跳转；",
                    "Pages have banner, navigation, main and footer landmarks and one top-level heading, for screen reader users to move around.",
                ),
                (
                    "表单的每个问题都有标签和提示，出错时页面顶部列出所有错误并链接到对应问题；",
                    "Every question of the forms has a label and a hint; errors are listed at the top of the page, each linked to its question.",
                ),
                (
                    "不开启 JavaScript 也能完成登记，页面写明填写内容保存到几点；",
                    "Registration works without JavaScript, and each page says until when the answers are kept.",
                ),
                (
                    f"登记内容在{hours}小时内没有操作才会删除，到期前有提醒，可以延长；",
                    f"Answers are deleted only after {hours} hours without activity; a warning comes first and the time can be extended.",
                ),
                (
                    "宣传张贴画有文字说明，并提供打印文件；网站可以在手机上浏览。",
                    "Posters have text descriptions and print files; the site can be read on a phone.",
                ),
            ]
        ),
        _h("三、怎样测试的", "3. How it was tested"),
        _p(
            "每次修改后，自动测试用 axe-core 检查所有公开页面和网上登记的每一步，中文和英文、普通模式和长辈模式都检查，不允许出现严重问题；自动浏览器测试只用键盘完成登记，并检查标志区域、标题和错误提示。",
            "After every change, automated tests run axe-core over every public page and every step of online registration, in Chinese and English, in standard and elder mode, and allow no serious or critical issue; automated browser tests complete a registration with the keyboard alone and check the landmarks, headings and error messages.",
        ),
        _h("四、尚未做到的", "4. Known gaps"),
        _ul(
            [
                (
                    "还没有请使用读屏软件的残障人士实际测试；",
                    "The site has not yet been tested by disabled people using screen readers.",
                ),
                (
                    "宣传张贴画图片中的文字只能通过文字说明获得，打印文件不是无障碍文档；",
                    "The text inside poster images is available only through their descriptions; the print files are not accessible documents.",
                ),
                (
                    "可下载的登记表和回执 PDF 文件可能不便于读屏软件阅读，网页上有相同的内容；",
                    "The downloadable PDF of the form and the receipt may be hard to read with a screen reader; the web pages show the same information.",
                ),
                ("暂不提供手语和语音服务。", "Sign language and voice services are not offered yet."),
            ]
        ),
        _p(
            "如果您在使用中遇到困难，可以到乡镇（街道）社会保障所，由工作人员帮助登记。",
            "If anything stops you, the staff of your township or sub-district social security office will register you in person.",
        ),
        _h("五、反馈和联系方式", "5. Feedback and contact"),
        _p(
            "发现无障碍问题或者需要其他格式的内容，可以：",
            "To report an accessibility problem, or to ask for content in another format, you can:",
        ),
        _ul(CONTACT),
        _p("我们在收到反馈之日起十五个工作日内答复。", "We answer within fifteen working days."),
    ]
    return {
        "title": _t("无障碍声明", "Accessibility statement"),
        "slug": ACCESSIBILITY_SLUG,
        "search_description": _t(
            "本网站的无障碍情况：长辈模式、键盘操作、读屏软件、测试方法、尚未解决的问题和联系方式。",
            "How accessible this site is: elder mode, keyboard use, screen readers, how it was tested, known gaps and how to contact us.",
        ),
        "summary": _t(
            "我们希望每一位居民，包括老年人和残障人士，都能使用本网站。本声明说明已经做到的、怎样测试的和尚未做到的。",
            "We want every resident, older people and disabled people included, to be able to use this site. This statement says what works, how it was tested and what does not work yet.",
        ),
        "body": body,
    }


def seed_information_pages(command, home_page, zh, en):
    """The privacy notice and the accessibility statement under the home page, in Chinese and English."""
    from home.models import HomePage, InformationPage
    from home.seed_pages import ensure_child

    home = HomePage.objects.get(pk=home_page.pk)
    for data in (privacy_page(), accessibility_page()):
        fields = {k: v for k, v in data.items() if k != "slug"}
        ensure_child(home, InformationPage, data["slug"], fields, zh, en, {data["slug"]: data["slug"], **EN})
    if command is not None and getattr(command, "stdout", None) is not None:
        command.stdout.write("Privacy notice and accessibility statement are in place.")
