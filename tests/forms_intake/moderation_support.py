"""Small division table, staff users and submissions for the moderation tests.

A few provinces, cities, counties and townships (not the full load):
湖南 43 → 长沙 4301 → 芙蓉区 430102 → 文艺路街道 430102001 / 五里牌街道 430102002,
岳麓区 430104 → 岳麓街道 430104001; 衡阳 4304 → 雁峰区 430406;
广东 44 → 广州 4401 → 天河区 440106 → 天河南街道 440106001.
"""

from __future__ import annotations

import itertools
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from stdnum.cn import ric

from forms_intake.models import Division, StaffDivision, Submission
from forms_intake.rules import routing
from forms_intake.rules.personal_data import mask_id_number, mask_phone
from forms_intake.rules.reference import generate_reference_number
from forms_intake.services import flags
from portal import roles

DIVISIONS = [
    ("430000", "湖南省", 1, None),
    ("430100", "长沙市", 2, "430000"),
    ("430102", "芙蓉区", 3, "430100"),
    ("430102001", "文艺路街道", 4, "430102"),
    ("430102002", "五里牌街道", 4, "430102"),
    ("430104", "岳麓区", 3, "430100"),
    ("430104001", "岳麓街道", 4, "430104"),
    ("430400", "衡阳市", 2, "430000"),
    ("430406", "雁峰区", 3, "430400"),
    ("440000", "广东省", 1, None),
    ("440100", "广州市", 2, "440000"),
    ("440106", "天河区", 3, "440100"),
    ("440106001", "天河南街道", 4, "440106"),
]

TOWNSHIP_A = "430102001"
TOWNSHIP_B = "430102002"


def make_divisions():
    """Create the small division table; returns {code: Division}."""
    made = {}
    for code, name, level, parent in DIVISIONS:
        made[code], _ = Division.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": made.get(parent)}
        )
    return made


def make_id_number(region="430102", born="19850315", sequence=123):
    """A valid 18-character ID number (check digit computed)."""
    body = f"{region}{born}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


_counter = itertools.count(1)


def build_submission(**overrides) -> Submission:
    """An unsaved, valid submission of a resident of 文艺路街道 with a community unit there."""
    divisions = {d.code: d for d in Division.objects.all()} or make_divisions()
    n = next(_counter)
    id_number = overrides.pop("id_number", None) or make_id_number(sequence=100 + n % 800)
    phone = overrides.pop("phone", None) or f"+86138{n:08d}"
    values = {
        "reference": generate_reference_number(),
        "name": "张三",
        "id_number": id_number,
        "id_number_hash": flags.id_hash(id_number),
        "id_number_masked": mask_id_number(id_number),
        "gender": "M",
        "birth_date": date(1985, 3, 15),
        "phone": phone,
        "phone_hash": flags.phone_hash(phone),
        "phone_masked": mask_phone(phone),
        "employment_status": "unemployed",
        "hukou_division": divisions["430102"],
        "residence_division": divisions[TOWNSHIP_A],
        "residence_village": "韶山路社区",
        "not_insured_reason": "personal",
        "service_bank": "icbc",
        "unit_type": "community",
        "unit_name": "韶山路社区",
        "unit_division": divisions[TOWNSHIP_A],
        "declared_at": timezone.now(),
    }
    for key in ("hukou_division", "residence_division", "unit_division", "employer_division"):
        if isinstance(overrides.get(key), str):
            overrides[key] = divisions[overrides[key]]
    values.update(overrides)
    return Submission(**values)


def make_submission(**overrides) -> Submission:
    """Build, route, flag and save a submission (as the wizard does)."""
    queue = overrides.pop("queue_code", None)
    submission = build_submission(**overrides)
    submission.queue_code = queue or routing.route_submission(submission)
    flags.apply_flags(submission)
    submission.save()
    return submission


def make_staff(username, role=roles.HANDLER, divisions=(), **extra):
    """A staff user in a role group, assigned to the given division codes."""
    roles.ensure_roles()
    user = get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", is_staff=True, first_name=extra.pop("first_name", username)
    )
    user.groups.add(Group.objects.get(name=role))
    for code in divisions:
        StaffDivision.objects.create(user=user, division=Division.objects.get(code=code))
    return user
