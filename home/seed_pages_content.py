# ruff: noqa: E501  (verbatim Chinese source text reads better unwrapped)
"""Seed content of the public pages (issue 3): notices, policy Q&A, posters and the work schedule.

Every Chinese text is paired with its English translation where it is written
(`_t`), so a missing translation is impossible to overlook; `seed_public_pages`
(the EXTRA_STEPS entry) creates the Chinese pages, publishes them and makes the
English pages through wagtail-localize (home.seeding.translate_instance). The work schedule's rows are in
home/seed_schedule_content.py, the posters' image and print files are drawn by home/poster_images.py.
"""

import datetime
import uuid

from home.seed_schedule_content import SCHEDULE_EN

EN = {}
"""Chinese segment -> English translation, for every page this module creates."""


def _t(zh, en):
    """Record the translation of a plain-text segment and return the Chinese text."""
    EN[zh] = en
    return zh


def _p(zh, en):
    """A rich-text paragraph (wagtail-localize translates it as one segment)."""
    EN[zh] = en
    return f"<p>{zh}</p>"


def _ul(items):
    """A rich-text bulleted list; each item is its own segment."""
    for zh, en in items:
        EN[zh] = en
    return "<ul>" + "".join(f"<li>{zh}</li>" for zh, _en in items) + "</ul>"


def _id():
    return str(uuid.uuid4())


# --- Section pages -----------------------------------------------------------------------------

NOTICE_INDEX = {
    "title": _t("通知公告", "Notices"),
    "slug": _t("notices", "notices"),
    "search_description": _t(
        "湖南省全民参保登记的通告和通知，按发布日期排列。",
        "Notices and announcements on universal social insurance registration in Hunan, newest first.",
    ),
    "intro": _p(
        "这里发布全民参保登记工作的通告和通知。可以通过 RSS 或 Atom 订阅最新通知。",
        "Notices and announcements about the universal registration campaign. Subscribe to new notices by RSS or Atom.",
    ),
}

FAQ_PAGE = {
    "title": _t("政策问答", "Policy questions and answers"),
    "slug": _t("qa", "qa"),
    "search_description": _t(
        "谁需要登记、怎样填写登记表、社会保障卡、代办登记、个人信息保护和信息变更。",
        "Who registers, how the form is filled in, the social security card, registering for a relative, "
        "privacy and changing your details.",
    ),
    "intro": _p(
        "以下是群众最常问的问题。可以在搜索框中输入关键词（如“社保卡”“代理人”）筛选问题。",
        "These are the questions residents ask most. Type a word (for example “card” or “relative”) in the box to "
        "filter the questions.",
    ),
}

POSTER_INDEX = {
    "title": _t("宣传张贴画", "Posters"),
    "slug": _t("posters", "posters"),
    "search_description": _t(
        "全民参保登记宣传张贴画，可下载打印文件在社区、乡镇张贴。",
        "Posters about universal registration, with print files for communities and townships to put up.",
    ),
    "intro": _p(
        "乡镇（街道）、社区（村）可以下载打印文件，按A4或更大尺寸打印张贴。",
        "Townships, sub-districts, communities and villages can download the print files and print them at A4 or "
        "larger.",
    ),
}

SCHEDULE_PAGE = {
    "title": _t("湖南省全民参保登记主要工作安排表", "Hunan Universal Registration Work Schedule"),
    "slug": _t("work-schedule", "work-schedule"),
    "search_description": _t(
        "全民参保登记准备、实施、完善三个阶段的24项工作、负责人和完成时限。",
        "The 24 tasks of the preparation, implementation and consolidation phases, who leads them and when they "
        "are due.",
    ),
    "intro": _p(
        "本表按原文列出全民参保登记准备阶段、实施阶段和完善阶段的24项工作。",
        "This table lists, as in the original document, the 24 tasks of the preparation, implementation and "
        "consolidation phases of universal registration.",
    ),
}

HOME_EXTRA = {
    "status_lookup_text": _t("查询登记进度", "Check your registration"),
    "notices_heading": _t("最新通知", "Latest notices"),
    "sections_heading": _t("了解全民参保登记", "About universal registration"),
}

# --- Notices -----------------------------------------------------------------------------------

AUTHORITY = _t("湖南省人力资源和社会保障厅", "Hunan Provincial Department of Human Resources and Social Security")


def campaign_notice_body(attachment_document=None):
    """The body of the campaign notice as raw StreamField data (the attachment is the first poster's print file)."""
    body = [
        {"type": "paragraph", "id": _id(), "value": _p(
            "为贯彻落实《中华人民共和国社会保险法》，实施全民参保计划，推动社会保险从制度全覆盖走向人群全覆盖，"
            "省人力资源和社会保障厅决定在全省开展全民参保登记工作。现将有关事项通告如下：",
            "To implement the Social Insurance Law of the People's Republic of China and the universal insurance "
            "plan, so that social insurance covers every person and not only every scheme, the Provincial "
            "Department of Human Resources and Social Security is carrying out universal social insurance "
            "registration across the province. The arrangements are as follows.",
        )},
        {"type": "heading", "id": _id(), "value": {"text": _t("一、谁需要登记", "1. Who must register"), "level": "h2"}},
        {"type": "paragraph", "id": _id(), "value": _p(
            "具有本省户籍或在本省居住、就业，尚未参加任何社会保险的人员，都应当登记，包括：",
            "Everyone who has household registration in Hunan, or lives or works in Hunan, and is not yet covered "
            "by any social insurance must register, including:",
        ) + _ul([
            ("已经就业、但工作单位未为其办理参保的职工；", "employees whose employer has not insured them;"),
            ("学龄前儿童和在校学生；", "pre-school children and students;"),
            ("未就业人员和自由职业者；", "people without work and the self-employed;"),
            ("在省外工作、户籍在本省的人员。", "people registered in Hunan who work in another province."),
        ])},
        {"type": "paragraph", "id": _id(), "value": _p(
            "已经参加社会保险的人员无需重复登记，社会保险经办机构通过信息比对进行核实。",
            "People who already have social insurance need not register again: the social insurance agencies "
            "check their records by comparing data.",
        )},
        {"type": "heading", "id": _id(), "value": {"text": _t("二、怎样登记", "2. How to register"), "level": "h2"}},
        {"type": "paragraph", "id": _id(), "value": _ul([
            (
                "网上自助登记：在本网站点击“立即登记”，按提示填写《湖南省未参加社会保险人员登记表》，提交后即可获得登记回执编号。",
                "Online: choose “Register now” on this website and fill in the Hunan Registration Form for People "
                "Without Social Insurance step by step; you receive a reference number when you submit it.",
            ),
            (
                "窗口登记：到户籍所在地或常住地的乡镇（街道）社区社会保障所登记，工作人员协助填写登记表。",
                "At the office: go to the social security office of the township or sub-district where your "
                "household is registered or where you live; the staff help you fill in the form.",
            ),
            (
                "入户登记：社区（村）和乡镇工作人员上门入户登记，请予以配合。",
                "At home: staff of your community, village or township visit households to register them; please "
                "help them.",
            ),
        ])},
        {"type": "paragraph", "id": _id(), "value": _p(
            "本人不便办理的，可以由亲属作为代理人代为登记。",
            "If you cannot register yourself, a relative can register for you as your proxy.",
        )},
        {"type": "heading", "id": _id(), "value": {"text": _t("三、需要准备的材料", "3. What to bring"), "level": "h2"}},
        {"type": "paragraph", "id": _id(), "value": _ul([
            ("登记对象的居民身份证或户口簿；", "the resident identity card or household register of the person registering;"),
            ("已就业的，工作单位的名称和地址；", "for people in work, the name and address of the employer;"),
            ("常住地址和联系电话；", "the address where the person lives and a telephone number;"),
            (
                "代为登记的，代理人本人的居民身份证，并说明与登记对象的关系。",
                "for a proxy, the proxy's own identity card and their relationship to the person registering.",
            ),
        ])},
        {"type": "heading", "id": _id(), "value": {"text": _t("四、时间安排", "4. Timetable"), "level": "h2"}},
        {"type": "table", "id": _id(), "value": {
            "table_caption": _t("全民参保登记时间安排", "Timetable of universal registration"),
            "first_row_is_table_header": True,
            "first_col_is_header": True,
            "data": [
                [_t("阶段", "Stage"), _t("时间", "When"), _t("主要内容", "What happens")],
                [_t("宣传发动", "Publicity"), _t("2015年5月至6月", "May to June 2015"),
                 _t("发布通告，张贴宣传画，解答政策问题", "Notices are published, posters put up and questions answered")],
                [_t("集中登记", "Registration"), _t("2015年6月至2016年12月", "June 2015 to December 2016"),
                 _t("网上登记和窗口登记，发放社会保障卡", "Online and office registration; social security cards issued")],
                [_t("入户调查", "Home visits"), _t("2017年1月至3月", "January to March 2017"),
                 _t("对仍未登记的人员上门入户登记核实", "Staff visit people still unregistered to register and verify them")],
                [_t("总结完善", "Review"), _t("2017年4月至12月", "April to December 2017"),
                 _t("统计分析，自查总结，完善制度", "Statistics, self-review and improvement of the rules")],
            ],
        }},
        {"type": "heading", "id": _id(), "value": {"text": _t("五、个人信息保护", "5. Your personal data"), "level": "h2"}},
        {"type": "paragraph", "id": _id(), "value": _p(
            "登记信息只用于社会保险参保服务和统计分析。经办机构依法保密，不得泄露、出售或者非法向他人提供。",
            "The information you give is used only to provide social insurance and for statistics. The agencies "
            "keep it confidential as the law requires and never disclose, sell or unlawfully pass it on.",
        )},
        {"type": "heading", "id": _id(), "value": {"text": _t("六、咨询方式", "6. Where to ask"), "level": "h2"}},
        {"type": "paragraph", "id": _id(), "value": _p(
            "咨询电话：12333（人力资源和社会保障服务热线）。也可以到当地乡镇（街道）社区社会保障所咨询。",
            "Telephone 12333, the human resources and social security hotline, or ask at your local township or "
            "sub-district social security office.",
        )},
        {"type": "paragraph", "id": _id(), "value": _p("特此通告。", "This notice is hereby given.")},
    ]
    if attachment_document is not None:
        body.append({"type": "attachment", "id": _id(), "value": {
            "document": attachment_document.pk,
            "title": _t("附件：全民参保登记宣传张贴画（打印文件）", "Attachment: universal registration poster (print file)"),
        }})
    return body


CAMPAIGN_NOTICE = {
    "title": _t("湖南省人力资源和社会保障厅关于开展全民参保登记工作的通告",
                "Notice of the Hunan Provincial Department of Human Resources and Social Security on universal "
                "social insurance registration"),
    "slug": _t("universal-registration-notice", "universal-registration-notice"),
    "issuing_authority": AUTHORITY,
    "document_number": _t("湘人社通告〔2015〕1号", "Xiang Ren She Notice [2015] No. 1"),
    "issue_date": datetime.date(2015, 5, 20),
    "effective_date": datetime.date(2015, 6, 1),
    "summary": _t(
        "全省开展全民参保登记。尚未参加社会保险的人员可以网上登记、到乡镇（街道）社区社会保障所登记，或者等候入户登记。",
        "Universal social insurance registration takes place across the province. People without social insurance "
        "can register online, at their township or sub-district social security office, or when staff visit.",
    ),
}

HOME_VISIT_NOTICE = {
    "title": _t("关于开展全民参保登记入户调查的公告", "Announcement of door-to-door registration visits"),
    "slug": _t("home-visits-announcement", "home-visits-announcement"),
    "issuing_authority": AUTHORITY,
    "document_number": "",
    "issue_date": datetime.date(2016, 12, 20),
    "effective_date": datetime.date(2017, 1, 1),
    "summary": _t(
        "2017年1月至3月，社区（村）和乡镇工作人员将上门入户，为仍未登记的人员办理全民参保登记。",
        "From January to March 2017, community, village and township staff visit homes to register the people who "
        "have not yet registered.",
    ),
}


def home_visit_notice_body():
    return [
        {"type": "paragraph", "id": _id(), "value": _p(
            "经与公安、民政、卫生计生等部门的人口信息比对，全省仍有部分居民未参加社会保险、也未进行登记。"
            "2017年1月1日至3月31日，社区（村）和乡镇工作人员将上门入户开展登记调查。",
            "Comparing population records with the public security, civil affairs and health departments shows "
            "that some residents still have no social insurance and have not registered. From 1 January to "
            "31 March 2017, community, village and township staff will visit homes to register them.",
        )},
        {"type": "heading", "id": _id(), "value": {"text": _t("入户时请您注意", "When staff visit"), "level": "h2"}},
        {"type": "paragraph", "id": _id(), "value": _ul([
            ("工作人员会主动出示工作证件，您可以拨打12333核实。", "Staff show their work identity card; you can call 12333 to check it."),
            ("登记不收取任何费用。", "Registration is free of charge."),
            (
                "工作人员不会索要银行卡密码或验证码，请勿向任何人透露。",
                "Staff never ask for bank card passwords or verification codes: never give them to anyone.",
            ),
            (
                "家中无人时，可以在网上自助登记，或到乡镇（街道）社区社会保障所登记。",
                "If nobody is at home, you can register online or at your township or sub-district social security "
                "office.",
            ),
        ])},
        {"type": "paragraph", "id": _id(), "value": _p("特此公告。", "This announcement is hereby given.")},
    ]

# --- Policy Q&A ----------------------------------------------------------------------------------

CHANGE_TIP_ZH = "本次登记后，若登记对象相关信息发生变化，请到本人户籍所在地的乡镇（街道）社区社会保障所办理变更事宜。"
BANKS_ZH = "中国工商银行、中国农业银行、中国银行、中国建设银行、中信银行、交通银行、华融湘江银行、中国邮政储蓄银行、农村信用社、长沙银行"

FAQ_CATEGORIES = [
    (
        ("谁需要登记", "Who registers"),
        [
            (
                ("什么是全民参保登记？", "What is universal social insurance registration?"),
                (
                    "全民参保登记是人力资源和社会保障部门依法对各类人员参加社会保险的情况进行登记管理，摸清谁已参保、谁还没有参保，让符合条件的人都能参加社会保险。",
                    "It is the human resources and social security departments' lawful record of who is covered by "
                    "social insurance, so that they know who is insured and who is not, and everyone who is eligible "
                    "can join.",
                ),
            ),
            (
                ("哪些人需要登记？", "Who needs to register?"),
                (
                    "尚未参加任何社会保险的人员都需要登记，包括单位未为其参保的职工、学龄前儿童、在校学生、未就业人员和自由职业者。",
                    "Everyone not yet covered by any social insurance: employees whose employer has not insured "
                    "them, pre-school children, students, people without work and the self-employed.",
                ),
            ),
            (
                ("已经参加社会保险的人还要登记吗？", "Do people who already have social insurance need to register?"),
                (
                    "一般不需要。已参保人员的信息由社会保险经办机构通过信息比对核实；社区（村）工作人员上门核实时，请配合确认。",
                    "Usually not. The social insurance agencies check their records by comparing data; if community "
                    "or village staff come to check, please confirm your details with them.",
                ),
            ),
            (
                ("户籍在湖南、在外省工作的人怎么登记？", "I am registered in Hunan but work in another province. How do I register?"),
                (
                    "可以在网上自助登记，就业状态选择“已就业 省外”并填写工作单位；也可以委托家人到户籍所在地的乡镇（街道）社区社会保障所代为登记。",
                    "Register online and choose “employed, outside the province” with the name of your employer, or "
                    "ask a relative to register for you at the social security office of the township or "
                    "sub-district where your household is registered.",
                ),
            ),
        ],
    ),
    (
        ("怎样填写登记表", "Filling in the form"),
        [
            (
                ("登记表由谁填写？", "Who fills in the registration form?"),
                (
                    "由登记对象本人填写并签名；本人不便的，可以由亲属作为代理人填写并签名。在乡镇（街道）社区社会保障所登记的，经办人员可以协助填写，登记后由经办人和校核人分别签名确认。",
                    "The person registering fills it in and signs it; if they cannot, a relative can do so as their "
                    "proxy. At the township or sub-district office the staff can help; a caseworker and a reviewer "
                    "then each sign to confirm the registration.",
                ),
            ),
            (
                ("网上登记要准备什么？需要多长时间？", "What do I need to register online, and how long does it take?"),
                (
                    "一般十分钟左右。请准备好登记对象的身份证号码、户口所在地和常住地址、联系电话；已就业的，还需要工作单位的名称和地址。",
                    "About ten minutes. Have ready the identity number of the person registering, the address of "
                    "their household registration and where they live, and a telephone number; for people in work, "
                    "also the name and address of the employer.",
                ),
            ),
            (
                ("“未参保原因”怎么选？", "Which “reason for not being insured” should I choose?"),
                (
                    "按实际情况选择一项：个人未参保、单位未予参保、参军、出国、判刑或其他。选择“单位未予参保”的，请同时填写工作单位的信息。",
                    "Choose the one that applies: not insured personally, employer did not insure, military "
                    "service, abroad, serving a sentence, or other. If your employer did not insure you, also give "
                    "the employer's details.",
                ),
            ),
            (
                ("提交后怎样知道登记成功了？", "How do I know that my registration went through?"),
                (
                    "网上提交后，页面会显示登记回执编号，并可以打印登记表。凭回执编号可以在本网站“查询登记进度”中查看办理情况。",
                    "After you submit online, the page shows your reference number and you can print the form. With "
                    "the reference number you can follow your registration under “Check your registration” on "
                    "this website.",
                ),
            ),
        ],
    ),
    (
        ("社会保障卡", "The social security card"),
        [
            (
                ("登记时为什么要选择社保卡服务银行？", "Why do I choose a bank for my social security card?"),
                (
                    "社会保障卡具有金融功能，由合作银行发放并提供服务。登记时选择的银行，就是今后为您办理社保卡和相关金融服务的银行。",
                    "The social security card is also a bank card, issued and served by a partner bank. The bank "
                    "you choose when you register is the one that will issue your card and provide its banking "
                    "services.",
                ),
            ),
            (
                ("可以选择哪些银行？", "Which banks can I choose?"),
                (
                    "可以在以下十家银行中选择一家：" + BANKS_ZH + "。",
                    "One of these ten: Industrial and Commercial Bank of China, Agricultural Bank of China, Bank of "
                    "China, China Construction Bank, China CITIC Bank, Bank of Communications, Huarong Xiangjiang "
                    "Bank, Postal Savings Bank of China, the rural credit cooperatives, and Bank of Changsha.",
                ),
            ),
            (
                ("已经有社保卡的还要重新办理吗？", "I already have a social security card. Do I need a new one?"),
                (
                    "不需要。已经领取社会保障卡的，登记时如实填写即可，原卡继续使用。",
                    "No. Say so on the form; your card remains valid.",
                ),
            ),
        ],
    ),
    (
        ("代为登记", "Registering for someone else"),
        [
            (
                ("家人可以代为登记吗？", "Can a relative register for me?"),
                (
                    "可以。老人、儿童、在校学生和外出务工人员等，可以由亲属作为代理人登记。代理人需要填写本人姓名、联系电话、身份证号码以及与被代理人的关系，并签名。",
                    "Yes. Older people, children, students and people working away from home can be registered by a "
                    "relative as their proxy. The proxy gives their own name, telephone number, identity number and "
                    "relationship to the person, and signs.",
                ),
            ),
            (
                ("代为登记要带哪些材料？", "What does a proxy need to bring?"),
                (
                    "到窗口代为登记的，请携带登记对象的居民身份证或户口簿，以及代理人本人的居民身份证。网上代为登记的，按页面提示填写代理人信息即可。",
                    "At the office, bring the identity card or household register of the person being registered "
                    "and your own identity card. Online, fill in the proxy details when the form asks for them.",
                ),
            ),
        ],
    ),
    (
        ("个人信息与信息变更", "Personal data and changes"),
        [
            (
                ("我的个人信息安全吗？", "Is my personal information safe?"),
                (
                    "登记信息只用于社会保险参保服务和统计分析。身份证号码和电话号码加密保存，页面上只显示部分号码；只有负责本辖区的经办人员才能查看，每次查看和处理都有记录。",
                    "Your information is used only to provide social insurance and for statistics. Identity and "
                    "telephone numbers are stored encrypted and shown only in part; only the staff responsible for "
                    "your area can see them, and every view and action is recorded.",
                ),
            ),
            (
                ("登记后信息发生变化怎么办？", "What if my details change after I register?"),
                (
                    CHANGE_TIP_ZH,
                    "If your details change after this registration, please go to the community social security "
                    "office of the township or sub-district where your household is registered to update them.",
                ),
            ),
            (
                ("登记收费吗？有人上门收费怎么办？", "Does registration cost anything? What if someone asks me for money?"),
                (
                    "全民参保登记不收取任何费用。入户登记的工作人员会出示工作证件，不会索要银行卡密码。如有疑问，请拨打12333核实。",
                    "Registration is free. Staff who visit show their work identity card and never ask for bank "
                    "card passwords. If in doubt, call 12333 to check.",
                ),
            ),
        ],
    ),
]


def faq_categories_data():
    """The Q&A as raw StreamField data (and every text registered in EN)."""
    data = []
    for (title_zh, title_en), questions in FAQ_CATEGORIES:
        items = []
        for (q_zh, q_en), (a_zh, a_en) in questions:
            items.append({"type": "item", "id": _id(), "value": {"question": _t(q_zh, q_en), "answer": _p(a_zh, a_en)}})
        data.append({"type": "category", "id": _id(), "value": {"title": _t(title_zh, title_en), "questions": items}})
    return data

# --- Posters -------------------------------------------------------------------------------------

POSTERS = [
    {
        "slug": "register-now-poster",
        "color": "#a3101b",
        "headline": "全民参保 登记有我",
        "lines": ["未参加社会保险的居民", "请进行全民参保登记", "网上登记 · 窗口登记 · 入户登记", "咨询电话 12333"],
        "title": ("全民参保 登记有我", "Universal insurance: register today"),
        "alt": (
            "红色张贴画，标题“全民参保 登记有我”，文字：未参加社会保险的居民请进行全民参保登记；网上登记、窗口登记、入户登记；咨询电话12333。",
            "Red poster in Chinese: “Universal insurance: register today”. Residents without social insurance "
            "should register online, at the office or when staff visit; hotline 12333.",
        ),
        "caption": (
            "号召未参保居民登记，列出三种登记方式和咨询电话。",
            "Calls on uninsured residents to register and lists the three ways to register and the hotline.",
        ),
    },
    {
        "slug": "social-security-card-poster",
        "color": "#0b4f8a",
        "headline": "社保卡 一卡在手",
        "lines": ["登记时选择社保卡服务银行", "工行 农行 中行 建行 中信银行", "交通银行 华融湘江银行", "邮政银行 农信社 长沙银行"],
        "title": ("社保卡 一卡在手", "One social security card for everything"),
        "alt": (
            "蓝色张贴画，标题“社保卡 一卡在手”，文字：登记时选择社保卡服务银行；列出工行、农行、中行、建行、中信银行、交通银行、华融湘江银行、邮政银行、农信社、长沙银行十家银行。",
            "Blue poster in Chinese: “One social security card for everything”. Choose the bank for your card when "
            "you register; the ten banks are listed.",
        ),
        "caption": (
            "介绍社会保障卡和十家社保卡服务银行。",
            "Explains the social security card and its ten partner banks.",
        ),
    },
    {
        "slug": "proxy-registration-poster",
        "color": "#1e6b30",
        "headline": "家人代登记 一样能办",
        "lines": ["老人、学生、外出务工人员", "可以由亲属代为登记", "请带好双方身份证件", "信息变化请到户籍所在地社保所变更"],
        "title": ("家人代登记 一样能办", "A relative can register for you"),
        "alt": (
            "绿色张贴画，标题“家人代登记 一样能办”，文字：老人、学生、外出务工人员可以由亲属代为登记，请带好双方身份证件；信息变化请到户籍所在地社保所变更。",
            "Green poster in Chinese: “A relative can register for you”. A relative can register older people, "
            "students and migrant workers, bringing both identity cards; changes go to the local social security office.",
        ),
        "caption": (
            "说明亲属代为登记的做法和登记后信息变更的办理地点。",
            "Explains registering for a relative and where to report changes after registering.",
        ),
    },
]

for _poster in POSTERS:
    _t(*_poster["title"])
    _t(*_poster["alt"])
    _t(*_poster["caption"])
    _t(_poster["slug"], _poster["slug"])


# --- Work schedule: home/seed_schedule_content.py ------------------------------------------------

EN.update(SCHEDULE_EN)
EN[""] = ""
