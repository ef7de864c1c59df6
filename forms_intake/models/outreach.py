"""Reaching everyone (seed items 5, 15–17): imported data, the comparisons' results and door-to-door visits.

Data minimisation (PIPL Art. 6): imported insured persons are kept only as what the comparisons need
(a keyed hash of the ID number, insurance type, place, status, employer code); population rows are a
staging table that the comparison consumes: people found insured or registered become counts per
division (``CoverageCount``), the rest become roster entries (``RosterEntry``). Only roster entries and
suspect records keep personal details, encrypted and hashed like submissions, scoped by ``queue_code``
like submissions, and purged by retention when the campaign ends.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from forms_intake.models.registration import Submission
from forms_intake.rules.crypto import EncryptedTextField


class InsuranceType(models.TextChoices):
    """险种 of the social-insurance business systems."""

    EMPLOYEE_PENSION = "employee_pension", _("企业职工基本养老保险")
    RESIDENT_PENSION = "resident_pension", _("城乡居民基本养老保险")
    PUBLIC_PENSION = "public_pension", _("机关事业单位养老保险")
    EMPLOYEE_MEDICAL = "employee_medical", _("职工基本医疗保险")
    RESIDENT_MEDICAL = "resident_medical", _("城乡居民基本医疗保险")
    UNEMPLOYMENT = "unemployment", _("失业保险")
    WORK_INJURY = "work_injury", _("工伤保险")


class InsuredStatus(models.TextChoices):
    """参保状态."""

    ACTIVE = "active", _("正常参保")
    SUSPENDED = "suspended", _("暂停缴费")
    TERMINATED = "terminated", _("终止参保")


class PopulationSource(models.TextChoices):
    """Where a population file comes from (seed item 17)."""

    POLICE = "police", _("公安户籍")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    HEALTH = "health", _("卫计")


class LifeEvent(models.TextChoices):
    """What civil affairs reports of a person."""

    NONE = "", _("—")
    DECEASED = "deceased", _("死亡")
    MOVED_OUT = "moved_out", _("迁出")


class DataImport(models.Model):
    """One uploaded file: what kind, from whom, how far its import got, and its error report.

    The raw file is deleted once imported; the error report names row numbers, columns and reasons,
    never a value from the file. Re-importing a file with the same content (``sha256``) changes nothing;
    a newer file of the same kind and source replaces the older one's rows when its import succeeds.
    """

    class Kind(models.TextChoices):
        INSURED = "insured", _("参保人员数据")
        POPULATION = "population", _("人口数据")
        EMPLOYER = "employer", _("法人单位数据")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        DUPLICATE = "duplicate", _("重复文件（未改动）")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=32, blank=True, help_text=_("e.g. 公安, 民政, 卫计"))
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    # Row number, column and reason per bad row (JSON list), never a value from the file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    job_id = models.CharField(max_length=64, blank=True, help_text=_("The background job that imports the file."))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")
        ordering = ["-created_at", "-id"]
        permissions = [("import_outreach_data", _("Can upload insured, population and employer files"))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"


class Employer(models.Model):
    """The legal-entity registry (seed item 5): employers by credit code or organisation code."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    organization_code = models.CharField(_("组织机构代码"), max_length=10, blank=True, db_index=True)
    name = models.CharField(_("单位名称"), max_length=200)
    division_code = models.CharField(_("所在地"), max_length=12, blank=True)
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def __str__(self):
        return self.name


class InsuredPerson(models.Model):
    """One insurance record from the business systems, minimised: no name or ID number in clear.

    Suspect-record rules that need the name or the ID number run during the import, on the file's rows;
    what is kept is what matching against submissions and the population needs.
    """

    id_number_hash = models.CharField(max_length=64, db_index=True)
    # Keyed hash of the name: "same ID under different names" across files, without keeping names.
    name_hash = models.CharField(max_length=64, blank=True)
    insurance_type = models.CharField(_("险种"), max_length=24, choices=InsuranceType.choices)
    insured_place = models.CharField(_("参保地"), max_length=12)
    status = models.CharField(_("参保状态"), max_length=16, choices=InsuredStatus.choices)
    employer_code = models.CharField(_("单位代码"), max_length=18, blank=True)
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("insured person")
        verbose_name_plural = _("insured persons")
        indexes = [models.Index(fields=["id_number_hash", "status"], name="insured_hash_status_idx")]

    def __str__(self):
        return f"{self.get_insurance_type_display()} {self.insured_place}"


class PopulationRecord(models.Model):
    """A person of a population file, staged until the next comparison consumes it."""

    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(max_length=64, db_index=True)
    name = models.CharField(_("姓名"), max_length=40)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    hukou_division = models.CharField(_("户籍地区划代码"), max_length=12, blank=True)
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    residence_division = models.CharField(_("居住地区划代码"), max_length=12, blank=True)
    residence_address = models.CharField(_("居住地址"), max_length=200, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    # Masked while the import has the plaintext, so that the comparison copies them to the roster
    # without decrypting anything ('' on rows staged before they existed: the comparison masks those).
    id_number_masked = models.CharField(max_length=18, blank=True, default="")
    phone_masked = models.CharField(max_length=20, blank=True, default="")
    source = models.CharField(_("source"), max_length=16, choices=PopulationSource.choices)
    life_event = models.CharField(_("life event"), max_length=16, choices=LifeEvent.choices, blank=True)
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("population record")
        verbose_name_plural = _("population records")

    def __str__(self):
        return self.get_source_display()


class CoverageCount(models.Model):
    """Counts per village (or township) from the last comparison: the coverage rate's numbers.

    People found insured or registered are kept only here, as numbers (data minimisation).
    """

    division_code = models.CharField(_("division"), max_length=12)
    village_code = models.CharField(_("village"), max_length=12, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    insured = models.PositiveIntegerField(_("insured"), default=0)
    registered = models.PositiveIntegerField(_("registered"), default=0)
    deceased_or_moved = models.PositiveIntegerField(_("deceased or moved out"), default=0)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("coverage count")
        verbose_name_plural = _("coverage counts")
        constraints = [
            models.UniqueConstraint(fields=["division_code", "village_code"], name="coverage_division_village_uniq")
        ]

    def __str__(self):
        return self.village_code or self.division_code


class RosterEntry(models.Model):
    """A person of the roster of unregistered people (未登记人员名册) for door-to-door visits.

    Keyed by the ID number's hash, so that a recomputed roster keeps each person's visit history.
    ``queue_code`` is the township that visits (the residence's, else the hukou's), scoped like submissions.
    """

    class Status(models.TextChoices):
        TO_VISIT = "to_visit", _("待走访")
        REVISIT = "revisit", _("待再访")
        REGISTERED = "registered", _("已登记")
        INSURED_ELSEWHERE = "insured_elsewhere", _("已在外地参保")
        REFUSED = "refused", _("拒绝登记")
        DECEASED = "deceased", _("已死亡")
        MOVED_OUT = "moved_out", _("已迁出")
        NO_SUCH_PERSON = "no_such_person", _("查无此人")
        # Settled by a comparison: the business systems now show the person actively insured.
        INSURED = "insured", _("已参保")

    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(max_length=18)
    name = models.CharField(_("姓名"), max_length=40)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    hukou_division = models.CharField(_("户籍地区划代码"), max_length=12, blank=True)
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    residence_division = models.CharField(_("居住地区划代码"), max_length=12, blank=True)
    residence_address = models.CharField(_("居住地址"), max_length=200, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    queue_code = models.CharField(_("township"), max_length=12, db_index=True)
    village_code = models.CharField(_("village"), max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.TO_VISIT)
    visit_count = models.PositiveIntegerField(_("visits"), default=0)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("registration")
    )
    created_at = models.DateTimeField(_("on the roster since"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster of unregistered people")
        ordering = ["queue_code", "village_code", "id"]
        indexes = [
            # A township's roster page, filtered by village and status.
            models.Index(fields=["queue_code", "village_code", "status", "id"], name="roster_queue_idx"),
        ]
        permissions = [("visit_rosterentry", _("Can record door-to-door visits"))]

    def __str__(self):
        return self.id_number_masked


class Visit(models.Model):
    """One door-to-door visit (入户登记调查) and its outcome; audited like a submission's steps."""

    class Outcome(models.TextChoices):
        REGISTERED = "registered", _("当场登记")
        INSURED_ELSEWHERE = "insured_elsewhere", _("已在外地参保")
        NOT_MET = "not_met", _("未见到本人")
        AWAY = "away", _("外出")
        REFUSED = "refused", _("拒绝登记")
        DECEASED = "deceased", _("已死亡")
        MOVED_OUT = "moved_out", _("已迁出")
        NO_SUCH_PERSON = "no_such_person", _("查无此人")

    entry = models.ForeignKey(RosterEntry, on_delete=models.CASCADE, related_name="visits")
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    insured_place = models.CharField(_("参保地"), max_length=100, blank=True)
    insurance_type = models.CharField(_("险种"), max_length=24, choices=InsuranceType.choices, blank=True)
    revisit_on = models.DateField(_("revisit on"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("visited by")
    )
    visited_at = models.DateTimeField(_("visited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]

    def __str__(self):
        return self.get_outcome_display()


class SuspectRecord(models.Model):
    """A suspect insured record (疑点信息, seed item 15): a verification task for a division's clerk."""

    class Rule(models.TextChoices):
        NAME_MISMATCH = "name_mismatch", _("同一身份证号姓名不一致")
        INVALID_ID = "invalid_id", _("身份证号码校验错误或出生日期不合理")
        DUPLICATE_INSURANCE = "duplicate_insurance", _("同一险种多地参保（重复参保）")
        INSURED_DECEASED = "insured_deceased", _("已死亡人员仍在参保")
        AGE_IMPOSSIBLE = "age_impossible", _("年龄与险种不符")

    class Result(models.TextChoices):
        OPEN = "", _("待核查")
        CORRECTED = "corrected", _("确认错误，已更正")
        DATA_CORRECT = "data_correct", _("数据无误")
        REFERRED = "referred", _("已转办")

    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(max_length=18)
    name = models.CharField(_("姓名"), max_length=100, blank=True)
    # What the rule saw (insurance types, places, the other name's mask), no ID number in clear.
    details = models.JSONField(_("details"), default=dict, blank=True)
    queue_code = models.CharField(_("division"), max_length=12, db_index=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True, default="")
    result_note = models.CharField(_("note"), max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    data_import = models.ForeignKey(DataImport, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suspect record")
        verbose_name_plural = _("suspect records")
        ordering = ["queue_code", "result", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "id_number_hash"], name="suspect_rule_person_uniq")]

    def __str__(self):
        return f"{self.get_rule_display()} {self.id_number_masked}"


class SubmissionInsurance(models.Model):
    """已参保: an active insurance record found for a submission's person (a suspect flag for staff)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="insurance_matches")
    insurance_type = models.CharField(_("险种"), max_length=24, choices=InsuranceType.choices)
    insured_place = models.CharField(_("参保地"), max_length=12)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("insurance found for a registration")
        verbose_name_plural = _("insurance found for registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "insurance_type", "insured_place"], name="submission_insurance_uniq"
            )
        ]

    def __str__(self):
        return f"{self.get_insurance_type_display()} {self.insured_place}"
