"""Population, insured and roster rows made directly (the comparison's input), for the roster tests."""

from __future__ import annotations

import itertools

from forms_intake.models import DataImport, InsuredPerson, PopulationRecord, RosterEntry
from forms_intake.rules.personal_data import id_hash, mask_id_number
from tests.forms_intake.moderation_support import TOWNSHIP_A, make_id_number

VILLAGE_A1 = TOWNSHIP_A + "003"  # 韶山路社区 of 文艺路街道
VILLAGE_A2 = TOWNSHIP_A + "004"

_sequence = itertools.count(500)


def new_id(born="19800101") -> str:
    return make_id_number(region="430102", born=born, sequence=next(_sequence) % 1000)


def population_import(source="police") -> DataImport:
    """A finished population import whose rows the comparison may consume."""
    return DataImport.objects.create(
        kind=DataImport.Kind.POPULATION,
        source=source,
        file_name=f"{source}.csv",
        sha256=f"{source}-{next(_sequence)}",
        state=DataImport.State.DONE,
    )


def insured_import() -> DataImport:
    return DataImport.objects.create(
        kind=DataImport.Kind.INSURED,
        file_name="insured.csv",
        sha256=f"insured-{next(_sequence)}",
        state=DataImport.State.DONE,
    )


def person(
    data_import,
    id_number=None,
    *,
    name="王五",
    residence=VILLAGE_A1,
    hukou="430102",
    life_event="",
    phone="+8613900001111",
    address="韶山路 12 号",
) -> str:
    """Stage one population row; returns the ID number."""
    id_number = id_number or new_id()
    PopulationRecord.objects.create(
        id_number=id_number,
        id_number_hash=id_hash(id_number),
        name=name,
        hukou_division=hukou,
        hukou_address="芙蓉区户籍地址",
        residence_division=residence,
        residence_address=address,
        phone=phone,
        source=data_import.source,
        life_event=life_event,
        data_import=data_import,
    )
    return id_number


def insure(
    id_number, data_import=None, *, status="active", insurance_type="resident_medical", place="430102"
) -> InsuredPerson:
    return InsuredPerson.objects.create(
        id_number_hash=id_hash(id_number),
        insurance_type=insurance_type,
        insured_place=place,
        status=status,
        data_import=data_import or insured_import(),
    )


def roster_entry(id_number=None, *, queue=TOWNSHIP_A, village=VILLAGE_A1, name="赵六", **extra) -> RosterEntry:
    """A roster entry made directly (as a comparison would leave it)."""
    id_number = id_number or new_id()
    return RosterEntry.objects.create(
        id_number=id_number,
        id_number_hash=id_hash(id_number),
        id_number_masked=mask_id_number(id_number),
        name=name,
        hukou_division="430102",
        residence_division=village,
        residence_address="韶山路 1 号",
        queue_code=queue,
        village_code=village,
        **extra,
    )
