"""Generate realistic population and insured data for the comparison (issue 12): CSV files, or staged rows.

Plausible overlap (defaults): 90 % of the population actively insured (some in two places for the same
insurance type: 重复参保; a few under another name), 3 % deceased or moved out (some of the deceased
still insured: 疑点), the rest unregistered — the roster. Registered people would need submissions with
the same ID numbers (generate_submissions makes its own), so registered ≈ 0 here. ID numbers are valid (check digit) and
unique: region, birth date and sequence are derived from the row number. Townships come from the
division table when loaded (``load_divisions``), else from a fixed list of Changsha townships.

    manage.py generate_outreach_data --population 200000 --out /tmp/outreach      # two CSV files
    manage.py generate_outreach_data --population 200000 --stage                  # straight into the tables

Memory stays flat: rows are written (or inserted) in batches as they are generated.
"""

from __future__ import annotations

import csv
import random
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries
from stdnum.cn import ric

from forms_intake.models import DataImport, Division, InsuredPerson, PopulationRecord
from forms_intake.rules.personal_data import id_hash

FALLBACK_TOWNSHIPS = ["430102001", "430102002", "430102003", "430103001", "430104001", "430104002",
                      "430105001", "430111001", "430112001", "430121001"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
INSURANCE = ["employee_pension", "resident_pension", "employee_medical", "resident_medical"]
POPULATION_HEADER = ["身份证号码", "姓名", "户籍地区划代码", "户籍地址", "居住地区划代码", "居住地址", "联系电话",
                     "人员状态"]
INSURED_HEADER = ["身份证号码", "姓名", "险种", "参保地区划代码", "参保状态", "单位代码"]
LIFE_LABELS = {"": "", "deceased": "死亡", "moved_out": "迁出"}
INSURANCE_LABELS = {"employee_pension": "企业职工基本养老保险", "resident_pension": "城乡居民基本养老保险",
                    "employee_medical": "职工基本医疗保险", "resident_medical": "城乡居民基本医疗保险"}
BATCH = 5000
_BIRTH_START = date(1950, 1, 1)
_BIRTH_DAYS = 20000  # 1950 to 2004


def id_number_for(region: str, k: int) -> str:
    """The k-th ID number of a region: unique per (region, k), valid check digit, born 1950–2004."""
    day = ((k // 999) * 37) % _BIRTH_DAYS  # 37 is coprime with 20000: distinct days for distinct k // 999
    born = _BIRTH_START + timedelta(days=day)
    body = f"{region}{born:%Y%m%d}{k % 999 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


def generate(count, townships, *, seed=1, insured_share=0.9, out_share=0.03, suspect_share=0.005):
    """Yield (population row, insured rows) per person; rows are dicts of the model fields."""
    rng = random.Random(seed)
    counters: dict[str, int] = {}
    for _ in range(count):
        township = rng.choice(townships)
        region = township[:6]
        k = counters.get(region, 0)
        counters[region] = k + 1
        id_number = id_number_for(region, k)
        village = f"{township}{rng.randint(1, 20):03d}"
        roll = rng.random()
        life = ""
        if roll < out_share:
            life = "deceased" if roll < out_share / 2 else "moved_out"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        population = {
            "id_number": id_number, "name": name, "hukou_division": village,
            "hukou_address": f"{village} 户籍 {rng.randint(1, 200)} 号", "residence_division": village,
            "residence_address": f"{village} {rng.randint(1, 200)} 栋 {rng.randint(1, 30)} 号",
            "phone": f"+86139{rng.randint(0, 99999999):08d}" if rng.random() < 0.7 else "", "life_event": life,
        }
        insured = []
        insured_roll = rng.random()
        if insured_roll < insured_share and (life != "moved_out"):
            kind = rng.choice(INSURANCE)
            insured.append({"insurance_type": kind, "insured_place": township, "status": "active", "name": name})
            if insured_roll < suspect_share:  # 重复参保: the same type in another county
                insured.append({"insurance_type": kind, "insured_place": "430111001", "status": "active",
                                "name": name})
            elif insured_roll < 2 * suspect_share:  # the same ID under another name
                insured.append({"insurance_type": rng.choice(INSURANCE), "insured_place": township,
                                "status": "active", "name": name + "某"})
        elif insured_roll < insured_share + 0.02:
            insured.append({"insurance_type": rng.choice(INSURANCE), "insured_place": township,
                            "status": "terminated", "name": name})
        yield population, insured


class Command(BaseCommand):
    help = "Generate population and insured data with plausible overlap (CSV files, or staged rows with --stage)."

    def add_arguments(self, parser):
        parser.add_argument("--population", type=int, default=10000, help="People in the population file.")
        parser.add_argument("--out", default="", help="Directory for population.csv and insured.csv.")
        parser.add_argument("--stage", action="store_true", help="Insert into the staging tables instead.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--insured-share", type=float, default=0.9)
        parser.add_argument("--allow-production", action="store_true", help="needed with production settings")

    def handle(self, *args, population, out, stage, seed, insured_share, allow_production, **options):
        if stage and settings.PORTAL_ENVIRONMENT == "production" and not allow_production:
            raise CommandError("This stages fake people: pass --allow-production to really do it here.")
        if not out and not stage:
            raise CommandError("Give --out DIR (CSV files) or --stage (rows in the staging tables).")
        townships = list(Division.objects.filter(level=Division.Level.TOWNSHIP, code__startswith="43")
                         .values_list("code", flat=True)[:400]) or FALLBACK_TOWNSHIPS
        rows = generate(population, townships, seed=seed, insured_share=insured_share)
        started = time.monotonic()
        written = self._stage(rows) if stage else self._csv(rows, Path(out))
        seconds = time.monotonic() - started
        self.stdout.write(f"{written[0]} population rows, {written[1]} insured rows in {seconds:.1f} s "
                          f"({written[0] / max(seconds, 0.001):.0f} population rows/s)")

    def _csv(self, rows, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        counts = [0, 0]
        with open(out / "population.csv", "w", newline="", encoding="utf-8-sig") as p_file, \
                open(out / "insured.csv", "w", newline="", encoding="utf-8-sig") as i_file:
            p_csv, i_csv = csv.writer(p_file), csv.writer(i_file)
            p_csv.writerow(POPULATION_HEADER)
            i_csv.writerow(INSURED_HEADER)
            for person, insured in rows:
                p_csv.writerow([person["id_number"], person["name"], person["hukou_division"], person["hukou_address"],
                                person["residence_division"], person["residence_address"],
                                person["phone"].replace("+86", ""), LIFE_LABELS[person["life_event"]]])
                counts[0] += 1
                for record in insured:
                    i_csv.writerow([person["id_number"], record["name"], INSURANCE_LABELS[record["insurance_type"]],
                                    record["insured_place"], {"active": "正常参保", "terminated": "终止参保"}[
                                        record["status"]], ""])
                    counts[1] += 1
        return counts

    def _stage(self, rows):
        now = int(time.time())
        population_import = DataImport.objects.create(
            kind=DataImport.Kind.POPULATION, source="police", file_name="generated-population.csv",
            sha256=f"generated-population-{now}", state=DataImport.State.DONE)
        insured_import = DataImport.objects.create(
            kind=DataImport.Kind.INSURED, file_name="generated-insured.csv", sha256=f"generated-insured-{now}",
            state=DataImport.State.DONE)
        counts = [0, 0]
        people, records = [], []
        for person, insured in rows:
            hashed = id_hash(person["id_number"])
            people.append(PopulationRecord(id_number_hash=hashed, source="police", data_import=population_import,
                                           **person))
            records.extend(InsuredPerson(id_number_hash=hashed, insurance_type=r["insurance_type"],
                                         insured_place=r["insured_place"], status=r["status"],
                                         data_import=insured_import) for r in insured)
            if len(people) >= BATCH:
                counts = self._flush(people, records, counts)
                people, records = [], []
        return self._flush(people, records, counts)

    @staticmethod
    def _flush(people, records, counts):
        reset_queries()  # DEBUG keeps every statement: memory would grow with the rows
        PopulationRecord.objects.bulk_create(people, batch_size=BATCH)
        InsuredPerson.objects.bulk_create(records, batch_size=BATCH)
        return [counts[0] + len(people), counts[1] + len(records)]
