"""Population and insured files for the outreach benchmark (issue 12): realistic, streamed, with a manifest.

Pure Python (no Django): bench/outreach_probe.py gives it the Hunan township codes (from the Division
table), plaintext ID numbers of some submissions (the "registered") and a predicate telling whether an ID
number belongs to a submission (so that nobody else is registered by chance), and gets back the files and
a manifest of what the comparison must find.

Every ID number is valid (GB 11643 check digit; region = the person's county; born 1950–2004) and unique:
the i-th person's birth date and sequence number come from i through a bijection (``_id_body``). Overlap,
per population row (defaults): ~89 % actively insured, 3 % registered (IDs of generated submissions),
1.5 % deceased and 1.5 % moved out (civil affairs), the rest unregistered (the roster). One township
(``focus``) gets exactly ``focus_unregistered`` unregistered people on top, for the roster page. Suspect
cases of each kind: a second active row of the same insurance type in another county (重复参保), a second row
under another name, deceased but still insured, an invalid check digit (rejected + suspect), an age the
insurance type excludes. The insured file is filled to ``rows`` with people insured in Hunan who are not
in the population file (some terminated).

Memory is flat: two csv writers with large buffers, one row at a time.
"""

from __future__ import annotations

import csv
import random
import time
from datetime import date, timedelta
from pathlib import Path

POPULATION_HEADER = ["身份证号码", "姓名", "户籍地区划代码", "户籍地址", "居住地区划代码", "居住地址", "联系电话",
                     "人员状态"]
INSURED_HEADER = ["身份证号码", "姓名", "险种", "参保地区划代码", "参保状态", "单位代码"]
INSURANCE = ["企业职工基本养老保险", "城乡居民基本养老保险", "职工基本医疗保险", "城乡居民基本医疗保险"]
ADULT_ONLY = "企业职工基本养老保险"  # 16 and over: a child holding it is an 'age impossible' suspect
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玉兰志宏海波辉鹏飞雪琴燕晶婷慧宇浩然子轩梓涵欣怡思雨"
MOBILE = ("138", "139", "136", "150", "151", "158", "177", "186", "187", "189", "199")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_BIRTH_START = date(1950, 1, 1)
_DAYS = 20_000  # 1950-01-01 to 2004-10: adults
_CHILD_START = date(2014, 1, 1)  # children (age-impossible cases) are born 2014–2019: never an adult's date
_STEP = 7919  # prime, coprime with _DAYS: distinct day for distinct i // 999

SHARES = {
    "registered": 0.03,
    "deceased": 0.015,
    "moved_out": 0.015,
    "unregistered": 0.05,
    # of the insured: suspect cases
    "duplicate_insurance": 0.002,
    "name_mismatch": 0.001,
    # of the deceased: still insured (insured but deceased)
    "deceased_insured": 0.1,
    # of the insured file's rows
    "invalid_id": 0.0001,
    "age_impossible": 0.0001,
}


def check_digit(body: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def _id_body(region: str, i: int) -> str:
    """The 17 digits of person i: region, a birth date and a sequence number that are a bijection of i."""
    day = (i // 999 * _STEP) % _DAYS  # sequence 000 is not issued: 001–999
    return f"{region}{_BIRTH_START + timedelta(days=day):%Y%m%d}{i % 999 + 1:03d}"


class _Ids:
    """Unique valid ID numbers in a region, skipping those of submissions (``taken``)."""

    def __init__(self, taken):
        self.taken = taken
        self.next = 0
        self.skipped = 0

    def new(self, region: str) -> str:
        while True:
            body = _id_body(region, self.next)
            self.next += 1
            number = body + check_digit(body)
            if self.taken is None or not self.taken(number):
                return number
            self.skipped += 1


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def generate(out_dir, rows, townships, *, registered_ids=(), taken=None, focus="430102001",
             focus_unregistered=5000, seed=12, shares=None):
    """Write population.csv and insured.csv (``rows`` rows each) into ``out_dir``; returns the manifest."""
    shares = {**SHARES, **(shares or {})}
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ids = _Ids(taken)
    registered_ids = list(registered_ids)
    expect = dict.fromkeys(("insured", "registered", "unregistered", "deceased", "moved_out", "focus_unregistered",
                            "insured_rows_bad", "invalid_id", "age_impossible", "name_mismatch",
                            "duplicate_insurance", "insured_deceased"), 0)
    focus_left = min(focus_unregistered, rows)
    started = time.monotonic()
    cut_reg = shares["registered"]
    cut_dead = cut_reg + shares["deceased"]
    cut_moved = cut_dead + shares["moved_out"]
    cut_unreg = cut_moved + shares["unregistered"]
    p_file = open(out / "population.csv", "w", newline="", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
    i_file = open(out / "insured.csv", "w", newline="", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
    with p_file, i_file:
        pop, ins = csv.writer(p_file), csv.writer(i_file)
        pop.writerow(POPULATION_HEADER)
        ins.writerow(INSURED_HEADER)
        insured_rows = 0
        counties = sorted({code[:6] for code in townships})
        for n in range(rows):
            if focus_left and n % max(rows // focus_unregistered, 1) == 0:
                township, cls = focus, "unregistered"
                focus_left -= 1
                expect["focus_unregistered"] += 1
            else:
                township = townships[rng.randrange(len(townships))]
                roll = rng.random()
                if roll < cut_reg and not registered_ids:
                    roll += cut_moved  # no submission left to be registered: the share goes to the others
                cls = ("registered" if roll < cut_reg else "deceased" if roll < cut_dead
                       else "moved_out" if roll < cut_moved else "unregistered" if roll < cut_unreg else "insured")
                if township == focus and cls == "unregistered":
                    cls = "insured"  # the focus township's unregistered are exactly focus_unregistered
            number = registered_ids.pop() if cls == "registered" else ids.new(township[:6])
            expect[cls] += 1
            name = _name(rng)
            village = f"{township}{rng.randrange(1, 21):03d}"
            phone = f"{MOBILE[rng.randrange(len(MOBILE))]}{rng.randrange(10**8):08d}" if rng.random() < 0.7 else ""
            pop.writerow([number, name, village, f"{village}号 户籍 {rng.randrange(1, 200)} 号", village,
                          f"{rng.randrange(1, 60)} 栋 {rng.randrange(1, 30)} 号", phone,
                          "死亡" if cls == "deceased" else "迁出" if cls == "moved_out" else ""])
            if insured_rows >= rows:
                continue
            kind = INSURANCE[rng.randrange(4)]
            if cls == "insured" or (cls == "deceased" and rng.random() < shares["deceased_insured"]):
                ins.writerow([number, name, kind, township, "正常参保", ""])
                insured_rows += 1
                if cls == "deceased":
                    expect["insured_deceased"] += 1
                    continue
                roll = rng.random()
                if roll < shares["duplicate_insurance"] and insured_rows < rows:
                    other = counties[rng.randrange(len(counties))]
                    if other != township[:6]:
                        ins.writerow([number, name, kind, other, "正常参保", ""])
                        insured_rows += 1
                        expect["duplicate_insurance"] += 1
                elif roll < shares["duplicate_insurance"] + shares["name_mismatch"] and insured_rows < rows:
                    ins.writerow([number, _name(rng) + "某", INSURANCE[(INSURANCE.index(kind) + 1) % 4], township,
                                  "正常参保", ""])
                    insured_rows += 1
                    expect["name_mismatch"] += 1
        # The insured file's other rows: people insured here who are not in the population files.
        child = 0
        while insured_rows < rows:
            township = townships[rng.randrange(len(townships))]
            roll = rng.random()
            if roll < shares["invalid_id"]:
                body = _id_body(township[:6], ids.next)
                ids.next += 1
                wrong = CHECK[(CHECK.index(check_digit(body)) + 1) % 11]
                ins.writerow([body + wrong, _name(rng), INSURANCE[rng.randrange(4)], township, "正常参保", ""])
                expect["invalid_id"] += 1
                expect["insured_rows_bad"] += 1
            elif roll < shares["invalid_id"] + shares["age_impossible"]:
                born = _CHILD_START + timedelta(days=child % 2000)  # 2014–2019: under 16, never an adult's date
                body = f"{township[:6]}{born:%Y%m%d}{child // 2000 % 999 + 1:03d}"
                child += 1
                ins.writerow([body + check_digit(body), _name(rng), ADULT_ONLY, township, "正常参保", ""])
                expect["age_impossible"] += 1
            else:
                status = "终止参保" if roll > 0.97 else "正常参保"
                ins.writerow([ids.new(township[:6]), _name(rng), INSURANCE[rng.randrange(4)], township, status, ""])
            insured_rows += 1
    seconds = time.monotonic() - started
    return {
        "rows": rows,
        "insured_rows": insured_rows,
        "focus": focus,
        "expect": expect,
        "registered_wanted": round(rows * shares["registered"]),
        "ids_skipped_as_submissions": ids.skipped,
        "seconds": round(seconds, 1),
        "rows_per_second": round(2 * rows / seconds) if seconds else None,
        "bytes": {"population": (out / "population.csv").stat().st_size,
                  "insured": (out / "insured.csv").stat().st_size},
    }
