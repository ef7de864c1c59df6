"""Demo division assignments for the demo staff accounts (development only).

`create_demo_accounts` calls `assign_demo_divisions(user)` for each demo
user: the 经办人 `handler` and 校核人 `reviewer` work in one township of
长沙市芙蓉区 (so they can do the two-person check together), the provincial
administrator `admin` covers the whole province. Idempotent; does nothing
for a division that is not loaded yet (`load_divisions`).
"""

from forms_intake.models import Division, StaffDivision

#: 长沙市芙蓉区 文艺路街道
DEMO_TOWNSHIP = "430102001"
PROVINCE = "430000"

DEMO_DIVISIONS = {
    "handler": DEMO_TOWNSHIP,
    "reviewer": DEMO_TOWNSHIP,
    "admin": PROVINCE,
}


def assign_demo_divisions(user):
    """Give a demo user their division (see DEMO_DIVISIONS); other users are left alone."""
    code = DEMO_DIVISIONS.get(user.get_username())
    if code is None:
        return
    division = Division.objects.filter(code=code).first()
    if division is not None:
        StaffDivision.objects.get_or_create(user=user, division=division)
