"""The rows `generate_submissions` writes: realistic Annex 2 submissions for load tests and the benchmark.

Split from the command so each stays readable: the distributions (`WEIGHTS`), the synthetic residents
(ID numbers, phones, names, places) and the worker processes' chunk builder live here; the command
streams the chunks into the database.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from stdnum.cn import ric, uscc

from forms_intake.models import Submission
from forms_intake.rules import routing
from forms_intake.rules.choices import EmploymentStatus, NotInsuredReason, ProxyRelationship, ServiceBank
from forms_intake.rules.crypto import get_fernet, lookup_hash
from forms_intake.rules.eligibility import MIN_WORKING_AGE, PRESCHOOL_MAX_AGE
from forms_intake.rules.personal_data import mask_id_number
from forms_intake.rules.reference import generate_reference_number
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services.flags import FLAG_FIELDS

# Relative weights. Ages: children are registered by their parents, most
# registrations are of working age, fewer of the elderly.
WEIGHTS = {
    "status": {
        SubmissionStatus.SUBMITTED: 34,
        SubmissionStatus.CLAIMED: 9,
        SubmissionStatus.AWAITING_REVIEW: 7,
        SubmissionStatus.REGISTERED: 30,
        SubmissionStatus.RETURNED: 5,
        SubmissionStatus.REJECTED: 3,
        SubmissionStatus.CARD_ISSUED: 12,
    },
    "age_band": {(0, 6): 8, (7, 17): 12, (18, 29): 24, (30, 44): 26, (45, 59): 20, (60, 85): 10},
    "working": {
        EmploymentStatus.EMPLOYED_IN_PROVINCE: 30,
        EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE: 18,
        EmploymentStatus.UNEMPLOYED: 27,
        EmploymentStatus.FREELANCER: 25,
    },
    "reason": {
        NotInsuredReason.PERSONAL: 55,
        NotInsuredReason.EMPLOYER_DID_NOT_ENROL: 24,
        NotInsuredReason.MILITARY: 2,
        NotInsuredReason.ABROAD: 3,
        NotInsuredReason.IMPRISONED: 1,
        NotInsuredReason.OTHER: 15,
    },
    "bank": {
        ServiceBank.RCC: 22,
        ServiceBank.PSBC: 16,
        ServiceBank.CCB: 14,
        ServiceBank.ICBC: 12,
        ServiceBank.ABC: 12,
        ServiceBank.BOC: 7,
        ServiceBank.BOCS: 7,
        ServiceBank.HRXJ: 5,
        ServiceBank.BOCOM: 3,
        ServiceBank.CITIC: 2,
    },
    "channel": {Submission.Channel.ONLINE: 62, Submission.Channel.COUNTER: 24, Submission.Channel.DOOR_TO_DOOR: 14},
}
# Share of adults filed by a relative; children are always filed by a parent.
ADULT_PROXY_SHARE = 0.08
# Suspect-flag rates (of all rows).
DUPLICATE_ID_SHARE = 0.01
SHARED_PHONE_SHARE = 0.006
OTHER_PROVINCE_ID_SHARE = 0.02
HISTORICAL_COUNTY_SHARE = 0.004
AGE_STATUS_MISMATCH_SHARE = 0.003
PROXY_IS_REGISTRANT_SHARE = 0.001
# Residents registered in Hunan but living in another province (routed to the hukou county).
LIVING_ELSEWHERE_SHARE = 0.05
CAMPAIGN_DAYS = 120

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玉兰志宏海波辉鹏飞雪琴燕晶婷慧宇浩然子轩梓涵欣怡思雨"
VILLAGE_STEMS = "新民和平红星向阳建设光明胜利团结东风先锋长塘石桥枫林金山白沙桃源清水荷花杨柳花园"
ROADS = "人民解放建设五一芙蓉韶山中山新华友谊湘江劳动车站"
EMPLOYER_KINDS = (
    "建筑工程有限公司",
    "商贸有限公司",
    "农业发展有限公司",
    "物流有限公司",
    "餐饮管理有限公司",
    "电子科技有限公司",
)
# Mobile prefixes in service in mainland China.
MOBILE_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    *("150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "170", "173", "175", "176", "177"),
    *("178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"),
]
# County codes of other provinces (for residents with a Hunan hukou but an ID issued elsewhere).
OTHER_PROVINCE_COUNTIES = ("440106", "440305", "360102", "420106", "450103", "520102", "500103", "330106")
# Hunan county codes withdrawn in past mergers; only those absent from the Division table are used.
HISTORICAL_COUNTY_CANDIDATES = ("430122", "430425", "432301", "432302", "433001", "430603", "430722")
STATE_FIELDS = ("handled_at", "reviewed_at")

# Set in the parent before the worker pool forks (inherited, not pickled per task).
_CONTEXT = {}


def _weighted(rng, table):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _cum(table):
    keys = list(table)
    weights = [table[k] for k in keys]
    return keys, weights


def _birth_date(rng, today, age):
    start = date(today.year - age - 1, today.month, 1) + timedelta(days=1)
    return start + timedelta(days=rng.randrange(360))


def _id_number(rng, region, birth, male):
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)  # odd for men (GB 11643)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    # stdnum's calc_check_digit ignores the last character it is given (the check digit).
    return body + ric.calc_check_digit(body + "?")


def _mobile(rng):
    national = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    return "+86" + national, national[:3] + "****" + national[-4:]


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _credit_code(rng, county):
    body = f"91{county}" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


class _Place:
    """A division as routing.route_submission reads it (code and level only)."""

    __slots__ = ("code", "level")

    def __init__(self, code, level):
        self.code = code
        self.level = level


def _row(rng, ctx, today, now):
    """One submission as a dict of column values (plaintext personal data)."""
    townships = ctx["townships"]
    township, county = townships[rng.randrange(len(townships))]
    age_lo, age_hi = _weighted(rng, WEIGHTS["age_band"])
    age = rng.randint(age_lo, age_hi)
    male = rng.random() < 0.52
    birth = _birth_date(rng, today, age)

    # Every suspect flag column, from the flag rules (a new flag is generated as False).
    flags = dict.fromkeys(FLAG_FIELDS, False)
    id_region = county
    roll = rng.random()
    if roll < OTHER_PROVINCE_ID_SHARE:
        id_region = rng.choice(OTHER_PROVINCE_COUNTIES)
        flags["flag_region_mismatch"] = True
    elif roll < OTHER_PROVINCE_ID_SHARE + HISTORICAL_COUNTY_SHARE and ctx["historical"]:
        id_region = rng.choice(ctx["historical"])
        flags["flag_unknown_county"] = True

    recent_ids = ctx["recent_ids"]
    if recent_ids and rng.random() < DUPLICATE_ID_SHARE:
        id_number, birth, male = recent_ids[rng.randrange(len(recent_ids))]
        flags["flag_duplicate_id"] = True
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    else:
        id_number = _id_number(rng, id_region, birth, male)
        if len(recent_ids) < 2000:
            recent_ids.append((id_number, birth, male))
        else:
            recent_ids[rng.randrange(2000)] = (id_number, birth, male)

    # Employment consistent with the age, apart from a few flagged mistakes.
    if age <= PRESCHOOL_MAX_AGE - 1:
        employment = EmploymentStatus.PRESCHOOL
    elif age < MIN_WORKING_AGE or (age <= 22 and rng.random() < 0.7):
        employment = EmploymentStatus.STUDENT
    else:
        employment = _weighted(rng, WEIGHTS["working"])
    if rng.random() < AGE_STATUS_MISMATCH_SHARE and age >= MIN_WORKING_AGE + 10:
        employment = EmploymentStatus.PRESCHOOL
        flags["flag_age_status"] = True

    shared = ctx["shared_phones"]
    if shared and rng.random() < SHARED_PHONE_SHARE:
        phone, phone_masked = shared[rng.randrange(len(shared))]
        flags["flag_shared_phone"] = True
    else:
        phone, phone_masked = _mobile(rng)
        if rng.random() < 0.001:
            shared.append((phone, phone_masked))

    living_elsewhere = rng.random() < LIVING_ELSEWHERE_SHARE
    hukou = county
    residence = ctx["elsewhere"][rng.randrange(len(ctx["elsewhere"]))] if living_elsewhere else township
    employed = employment in (EmploymentStatus.EMPLOYED_IN_PROVINCE, EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE)
    employer_division = None
    employer_name = ""
    unit_type = Submission.UnitType.COMMUNITY
    unit_name = unit_code = ""
    village = rng.choice(VILLAGE_STEMS[::2]) + rng.choice(VILLAGE_STEMS[1::2]) + rng.choice(("村", "社区"))
    unit_division = residence
    unit_village = village
    if employment == EmploymentStatus.EMPLOYED_IN_PROVINCE and not living_elsewhere:
        employer_division = townships[rng.randrange(len(townships))][0] if rng.random() < 0.3 else township
        employer_name = f"湖南{rng.choice(VILLAGE_STEMS[::2])}{rng.choice(EMPLOYER_KINDS)}"
        unit_type = Submission.UnitType.EMPLOYER
        unit_name = employer_name
        unit_code = _credit_code(rng, employer_division[:6])
        unit_division = employer_division
        unit_village = ""
    elif employed:
        employer_name = f"{rng.choice(VILLAGE_STEMS[::2])}{rng.choice(EMPLOYER_KINDS)}"

    proxy = age < 18 or rng.random() < ADULT_PROXY_SHARE
    proxy_fields = {
        "proxy_name": "",
        "proxy_phone": "",
        "proxy_phone_masked": "",
        "proxy_id_number": "",
        "proxy_id_number_hash": "",
        "proxy_id_number_masked": "",
        "proxy_relationship": "",
    }
    if proxy:
        if rng.random() < PROXY_IS_REGISTRANT_SHARE:
            proxy_id = id_number
            flags["flag_proxy_is_registrant"] = True
        else:
            proxy_age = age + 25 if age < 18 else max(age - 28, 20)
            proxy_id = _id_number(rng, county, _birth_date(rng, today, proxy_age), rng.random() < 0.5)
        proxy_phone, proxy_phone_masked = _mobile(rng)
        proxy_fields = {
            "proxy_name": _name(rng),
            "proxy_phone": proxy_phone,
            "proxy_phone_masked": proxy_phone_masked,
            "proxy_id_number": proxy_id,
            "proxy_id_number_hash": lookup_hash(proxy_id),
            "proxy_id_number_masked": mask_id_number(proxy_id),
            "proxy_relationship": ProxyRelationship.PARENT if age < 18 else rng.choice(ProxyRelationship.values),
        }

    reason = _weighted(rng, WEIGHTS["reason"])
    status = _weighted(rng, WEIGHTS["status"])
    created = now - timedelta(seconds=rng.randrange(CAMPAIGN_DAYS * 86400))
    handled = created + timedelta(hours=rng.randint(2, 96)) if status != SubmissionStatus.SUBMITTED else None
    reviewed = (
        handled + timedelta(hours=rng.randint(1, 48))
        if status in (SubmissionStatus.REGISTERED, SubmissionStatus.CARD_ISSUED, SubmissionStatus.REJECTED)
        else None
    )
    # The queue by the real routing rules (the levels come from the code length).
    queue = routing.route_submission(_routing_view(unit_type, unit_division, residence, hukou, ctx["levels"]))
    return {
        "reference": generate_reference_number(),
        "idempotency_key": None,
        "status": status,
        "channel": _weighted(rng, WEIGHTS["channel"]),
        "name": _name(rng),
        "id_number": id_number,
        "id_number_hash": lookup_hash(id_number),
        "id_number_masked": mask_id_number(id_number),
        "gender": "M" if male else "F",
        "birth_date": birth,
        "phone": phone,
        "phone_hash": lookup_hash(phone),
        "phone_masked": phone_masked,
        "employment_status": employment,
        "employer_name": employer_name,
        "hukou_division_id": hukou,
        "residence_division_id": residence,
        "residence_village": "" if living_elsewhere else village,
        "residence_street": f"{rng.choice(ROADS)}路{rng.randint(1, 999)}号",
        "employer_division_id": employer_division,
        "employer_village": "",
        "not_insured_reason": reason,
        "not_insured_reason_other": "长期在外务工，不了解参保政策" if reason == NotInsuredReason.OTHER else "",
        "service_bank": _weighted(rng, WEIGHTS["bank"]),
        "is_proxy_filing": proxy,
        **proxy_fields,
        "unit_type": unit_type,
        "unit_name": unit_name,
        "unit_code": unit_code,
        "unit_division_id": unit_division,
        "unit_village": unit_village,
        "declared_at": created,
        "queue_code": queue,
        "handler_id": None,
        "handled_at": handled,
        "reviewer_id": None,
        "reviewed_at": reviewed,
        "resident_message": "请补充户口所在地信息。" if status == SubmissionStatus.RETURNED else "",
        "rejection_reason": "duplicate" if status == SubmissionStatus.REJECTED else "",
        **flags,
        "has_flags": any(flags.values()),
        "created_at": created,
        "updated_at": reviewed or handled or created,
    }


class _RoutingView:
    """The attributes routing.route_submission reads, without model instances."""

    __slots__ = ("unit_type", "unit_division", "residence_division", "hukou_division")


def _routing_view(unit_type, unit_division, residence, hukou, levels):
    view = _RoutingView()
    view.unit_type = unit_type
    view.unit_division = _Place(unit_division, levels.get(unit_division)) if unit_division else None
    view.residence_division = _Place(residence, levels.get(residence))
    view.hukou_division = _Place(hukou, levels.get(hukou))
    return view


def _copy_text(value):
    """A value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _build_chunk(task):
    """Worker: build `count` rows; return COPY text (encrypted) or dicts (plaintext, for bulk_create)."""
    index, count, seed, as_copy = task
    ctx = _CONTEXT
    rng = random.Random(seed * 1_000_003 + index)
    today = ctx["today"]
    now = ctx["now"]
    chunk_ctx = {**ctx, "recent_ids": [], "shared_phones": []}
    rows = [_row(rng, chunk_ctx, today, now) for _ in range(count)]
    if not as_copy:
        return rows
    fernet = get_fernet()
    encrypted = ctx["encrypted"]
    columns = ctx["columns"]
    lines = []
    for row in rows:
        for field in encrypted:
            value = row[field]
            if value:
                row[field] = fernet.encrypt(value.encode()).decode()
        lines.append("\t".join(_copy_text(row[column]) for column in columns))
    return ("\n".join(lines) + "\n").encode()
