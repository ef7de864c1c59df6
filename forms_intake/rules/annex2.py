"""Annex 2 (湖南省未参加社会保险人员登记表), declared once: its fields, its steps, its paper layout.

Every screen, export and rule that lists Annex 2 fields derives from this module, the way Wagtail
derives a page's admin form and API fields from declarations on the model:

* the wizard's steps, their conditions, what each step receives from earlier answers, the review
  page's sections and rows (``wizard/view.py``, ``pages.STEP_CHOICES``, staff entry);
* the step forms' fields (``steps/forms.py`` builds a form field from each entry of its step, unless
  the form declares one itself for a special widget);
* storing answers (``services/submissions.py``), the staff detail page, the correction form, the
  export columns, retention's purge list, the timeline's masking and the printable form.

**Adding a field** (a new box on the paper form):

1. add one ``Field(...)`` to ``FIELDS`` below, where it belongs (the order is the order on every
   screen): its model field name, the form's verbatim Chinese wording as ``label`` (it is the msgid;
   add the English to ``locale/en``), the ``section`` and the wizard ``step`` that asks it, its
   ``kind`` (and ``choices``), and the flags (``personal``, ``exported``, ``staff_correctable``...),
   and its place on the paper form (``print_row``, ``print_as``);
2. add the model field to ``Submission`` (``verbose_name`` = the same label) and make the migration.

Nothing else: ``tests/forms_intake/test_annex2_schema.py`` checks that the model and this schema
agree and that a new entry reaches the wizard, the review, the detail page, the export and the
printable form. A cross-field rule (like "required when employed") still goes into the step form's
``clean()``.

This module is pure (no models): the rules layer of ``pyproject.toml``'s import contracts.
Consumers read it through ``schema()``, computed once and kept, so that nothing is derived per request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from forms_intake.rules.choices import EmploymentStatus, NotInsuredReason, ProxyRelationship, ServiceBank
from forms_intake.rules.eligibility import birth_date_of, is_employed
from forms_intake.rules.personal_data import mask_id_number, mask_phone


class FilingFor(models.TextChoices):
    """Who fills in the form: the registrant, or a proxy (代理人) for them (not stored: it sets is_proxy_filing)."""

    SELF = "self", _("For myself")
    OTHER = "other", _("For another person, as their proxy (代理人)")


class UnitType(models.TextChoices):
    """登记单位: the employer or the village/community (the model's ``Submission.UnitType`` is this list)."""

    EMPLOYER = "employer", _("工作单位")
    COMMUNITY = "community", _("村（社区）")


class Gender(models.TextChoices):
    """性别, from the ID number's 17th digit."""

    MALE = "M", _("男")
    FEMALE = "F", _("女")


#: Kinds of field: how a value is asked, stored and shown.
KINDS = frozenset({"text", "name", "id_number", "phone", "choice", "division", "bool", "date"})


@dataclass(frozen=True)
class Field:
    """One box of Annex 2.

    ``name`` is the model field (and answer key); ``label`` the form's verbatim Chinese wording (the
    model's ``verbose_name``); ``short_label`` the wording inside its section where the paper form
    shortens it (工作单位所在地 → 村（社区）). ``step`` is the wizard step asking it (None: derived from
    other answers, e.g. the birth date from the ID number). ``stored=False``: a wizard answer that is
    not a column of its own.

    Flags: ``personal`` (emptied by retention; masked in the timeline if ``mask``), ``encrypted`` (an
    encrypted column: never read for lists), ``mask`` (the masking function; the masked copy is the
    ``masked_column``, the keyed hash ``hash_column``), ``exported`` (a column of the spreadsheet
    export; ``export_label`` exports the choice's label), ``staff_correctable`` (the back office's
    correction form), ``resident_correctable`` (declared for the resident's own corrections, a later
    issue), ``show_blank`` (False: the review and detail pages leave the row out when unanswered).

    Print: ``print_row`` (a key of ``PRINT_ROWS``), ``print_as``: "cell" (its own heading and box),
    "boxes" (its own heading, every choice with ☑/☐),
    "line" (a new line "label：value" in the box before it), "line_after" (a new line "value label"),
    "after" (on the same line, "value label"), "in_group" (printed on a line of ``print_groups``), with
    ``print_label`` where the paper's wording differs. ``print_groups``: the paper's numbered lines of boxes
    for one choice (see ``PrintGroup``).
    """

    name: str
    label: Any
    section: str
    step: str | None = None
    kind: str = "text"
    choices: Any = None
    short_label: Any = None
    help_text: Any = ""
    required: bool = True
    max_length: int | None = None
    depth: str = ""  # divisions: "county" or "town"
    stored: bool = True
    personal: bool = False
    encrypted: bool = False
    mask: Callable | None = None
    masked_column: str = ""
    hash_column: str = ""
    exported: bool = True
    export_label: bool = False
    staff_correctable: bool = False
    resident_correctable: bool = False
    show_blank: bool = True
    print_row: str = ""
    print_as: str = "cell"
    print_label: Any = None
    print_groups: tuple = ()

    @property
    def form_label(self):
        """The label on the step form, the review page and the paper form's box."""
        return self.short_label or self.label

    @property
    def export_column(self):
        """The export's column key (what the export reads from the submission)."""
        if self.masked_column:
            return self.masked_column
        return f"{self.name}_label" if self.export_label else self.name

    def option_label(self, value):
        """The wording of one choice as printed beside its box (省内, 学龄前); the value itself if unknown."""
        return dict(self.choices.choices).get(value, value) if self.choices else value

    def choice_label(self, value):
        """A choice as read on its own (review, detail, exports, filters): its option wording, after the
        heading of the form's numbered line it sits on, if any ("1、已就业 省内", "2、无单位 学龄前")."""
        for group in self.print_groups:
            if value in group.choices:
                return format_lazy(_("{heading} {option}"), heading=group.heading, option=self.option_label(value))
        return self.option_label(value)

    @property
    def labelled_choices(self):
        """(value, ``choice_label``) of every choice, for filters and tables of counts."""
        return [(value, self.choice_label(value)) for value in self.choices.values] if self.choices else []


@dataclass(frozen=True)
class PrintGroup:
    """One numbered line of boxes of a choice on the paper form ("1、已就业 省内□ 省外□ 工作单位名称：…").

    ``choices``: the values on the line, each printed with its choice's label (``Field.option_label``);
    ``box_after``: the box follows the wording (省内□) instead of preceding it (□学龄前); ``fields``: fields
    printed at the end of the line.
    """

    heading: Any
    choices: tuple
    box_after: bool = False
    fields: tuple = ()


@dataclass(frozen=True)
class Need:
    """What a step receives from an earlier answer: ``context[key] = derive(<step>.<field>)``.

    ``raw``: read the stored (unvalidated) answer, for a need that must not validate the earlier
    step. Omitted from the context when the earlier step is unanswered, skipped or invalid.
    """

    key: str
    step: str
    field: str
    derive: Callable | None = None
    raw: bool = False


@dataclass(frozen=True)
class Condition:
    """A step applies only when ``test(<step>.<field>)`` holds (on the stored answer)."""

    step: str
    field: str
    test: Callable


@dataclass(frozen=True)
class Step:
    """One wizard step: its URL name, its heading, its form class (in ``forms_intake.steps.forms``),
    the heading of its review section, when it applies and what it needs from earlier answers."""

    name: str
    title: Any
    form: str
    review_title: Any = None
    condition: Condition | None = None
    needs: tuple = ()
    reviewed: bool = True  # has a section on the review page


def _is_other(value):
    return value == FilingFor.OTHER


SECTIONS = (
    ("person", _("Registered person")),
    ("employment", _("就业状态")),
    ("hukou", _("户口所在地")),
    ("residence", _("常住所在地")),
    ("reason", _("未参保原因")),
    ("proxy", _("代理人")),
    ("unit", _("登记单位")),
)

STEPS = (
    Step("filer", _("Who is registering"), "FilerForm"),
    Step("identity", _("The person to be registered"), "IdentityForm",
         needs=(Need("is_proxy", "filer", "filing_for", derive=_is_other, raw=True),)),
    Step("proxy", _("About you, the proxy (代理人)"), "ProxyForm", review_title=_("代理人"),
         condition=Condition("filer", "filing_for", _is_other),
         needs=(Need("id_number", "identity", "id_number"),)),
    Step("employment", _("就业状态"), "EmploymentForm",
         needs=(Need("birth_date", "identity", "id_number", derive=birth_date_of),)),
    Step("address", _("Addresses"), "AddressForm"),
    Step("workplace", _("工作单位所在地"), "WorkplaceForm",
         condition=Condition("employment", "employment_status", is_employed)),
    Step("reason", _("Reason and bank"), "ReasonForm"),
    Step("unit", _("登记单位"), "UnitForm",
         needs=(Need("employed", "employment", "employment_status", derive=is_employed),
                Need("employer_name", "employment", "employer_name"),
                Need("village", "address", "residence_village"))),
    Step("review", _("Check your answers"), "ReviewForm", reviewed=False),
)

#: Rows of the printed form in order; each: (key, signature boxes that open the row).
#: A row holds at most two boxes (the paper's four columns).
PRINT_ROWS = (
    ("person", ()),
    ("employment", ()),
    ("hukou", ()),
    ("residence", ()),
    ("workplace", ()),
    ("reason", ()),
    ("bank", ()),
    ("signature", ("self",)),
    ("proxy_signature", ("proxy",)),
    ("proxy", ()),
    ("proxy_relationship", ()),
    ("unit", ()),
    ("staff", ("handler", "reviewer")),
)
#: 就业状态 as the paper prints it: two numbered lines, the employer's name on the first.
EMPLOYMENT_PRINT_GROUPS = (
    PrintGroup(_("1、已就业"), (EmploymentStatus.EMPLOYED_IN_PROVINCE, EmploymentStatus.EMPLOYED_OUT_OF_PROVINCE),
               box_after=True, fields=("employer_name",)),
    PrintGroup(_("2、无单位"), (EmploymentStatus.PRESCHOOL, EmploymentStatus.STUDENT, EmploymentStatus.UNEMPLOYED,
                              EmploymentStatus.FREELANCER)),
)
#: The signature boxes (the electronic declaration or the staff member's name stands in for them).
SIGNATURES = {
    "self": _("本人签名"),
    "proxy": _("代理人签名"),
    "handler": _("经办人签名"),
    "reviewer": _("校核人签名"),
}

_ID = {"kind": "id_number", "personal": True, "encrypted": True, "mask": mask_id_number}
_PHONE = {"kind": "phone", "personal": True, "encrypted": True, "mask": mask_phone}

FIELDS = (
    # 姓名 / 身份证号码 / 联系电话
    Field("filing_for", _("Who are you registering?"), "person", step="filer", kind="choice", choices=FilingFor,
          stored=False, exported=False),
    Field("name", _("姓名"), "person", step="identity", kind="name", personal=True, staff_correctable=True,
          resident_correctable=True, print_row="person", print_label=_("姓　名")),
    Field("id_number", _("身份证号码"), "person", step="identity", **_ID, masked_column="id_number_masked",
          hash_column="id_number_hash", staff_correctable=True, print_row="person"),
    Field("gender", _("gender"), "person", kind="choice", choices=Gender),
    Field("birth_date", _("birth date"), "person", kind="date"),
    Field("phone", _("联系电话"), "person", step="identity", **_PHONE, masked_column="phone_masked",
          hash_column="phone_hash", staff_correctable=True, resident_correctable=True, print_row="signature"),
    # 就业状态 and 工作单位所在地
    Field("employment_status", _("就业状态"), "employment", step="employment", kind="choice",
          choices=EmploymentStatus, export_label=True, staff_correctable=True, resident_correctable=True,
          print_row="employment", print_as="boxes", print_groups=EMPLOYMENT_PRINT_GROUPS),
    Field("employer_name", _("工作单位名称"), "employment", step="employment", required=False, max_length=100,
          help_text=_("Only if employed: the full name of the employer."), show_blank=False,
          staff_correctable=True, resident_correctable=True, print_row="employment", print_as="in_group"),
    Field("employer_division", _("工作单位所在地"), "employment", step="workplace", kind="division", depth="town",
          exported=False, print_row="workplace"),
    Field("employer_village", _("工作单位所在村（社区）"), "employment", step="workplace", short_label=_("村（社区）"),
          required=False, max_length=60, help_text=_("If the workplace is in a village or community."),
          personal=True, exported=False, print_row="workplace", print_as="line_after"),
    # 户口所在地 / 常住所在地
    Field("hukou_division", _("户口所在地"), "hukou", step="address", kind="division", depth="county",
          print_row="hukou"),
    Field("residence_division", _("常住所在地"), "residence", step="address", kind="division", depth="town",
          print_row="residence"),
    Field("residence_village", _("村（社区）"), "residence", step="address", max_length=60,
          help_text=_("The village or residents' community."), personal=True, staff_correctable=True,
          resident_correctable=True, print_row="residence", print_as="line_after"),
    Field("residence_street", _("街、路、巷门牌号"), "residence", step="address", required=False, max_length=100,
          help_text=_("Street and house number, if any."), personal=True, staff_correctable=True,
          resident_correctable=True, print_row="residence", print_as="after", print_label=_("（街、路、巷门牌号）")),
    # 未参保原因 / 社保卡服务银行
    Field("not_insured_reason", _("未参保原因"), "reason", step="reason", kind="choice", choices=NotInsuredReason,
          export_label=True, staff_correctable=True, resident_correctable=True,
          print_row="reason", print_as="boxes"),
    Field("not_insured_reason_other", _("其他原因说明"), "reason", step="reason", required=False, max_length=200,
          help_text=_("Only if you chose 其他: describe the reason."), personal=True, exported=False,
          show_blank=False, staff_correctable=True, resident_correctable=True, print_row="reason", print_as="line"),
    Field("service_bank", _("社保卡服务银行"), "reason", step="reason", kind="choice", choices=ServiceBank,
          help_text=_("The bank that will issue the social security card."), export_label=True,
          staff_correctable=True, resident_correctable=True, print_row="bank", print_as="boxes",
          print_label=_("社保卡服务银行选择")),
    # 代理人
    Field("is_proxy_filing", _("filed by a proxy"), "proxy", kind="bool", exported=False),
    Field("proxy_name", _("代理人姓名"), "proxy", step="proxy", kind="name", personal=True, exported=False,
          print_row="proxy"),
    Field("proxy_phone", _("代理人联系电话"), "proxy", step="proxy", **_PHONE,
          masked_column="proxy_phone_masked", exported=False, print_row="proxy_signature"),
    Field("proxy_id_number", _("代理人身份证号码"), "proxy", step="proxy", **_ID,
          masked_column="proxy_id_number_masked", hash_column="proxy_id_number_hash", exported=False,
          print_row="proxy"),
    Field("proxy_relationship", _("与被代理人关系"), "proxy", step="proxy", kind="choice", choices=ProxyRelationship,
          personal=True, exported=False, print_row="proxy_relationship"),
    # 登记单位
    Field("unit_type", _("登记单位"), "unit", step="unit", kind="choice", choices=UnitType, print_row="unit",
          print_as="boxes"),
    Field("unit_name", _("登记单位名称"), "unit", step="unit", required=False, max_length=100,
          help_text=_("The employer's name, or the name of the village or community."), staff_correctable=True,
          print_row="unit", print_as="line"),
    Field("unit_code", _("组织机构代码"), "unit", step="unit", required=False, max_length=18, show_blank=False,
          staff_correctable=True, print_row="unit", print_as="line"),
    Field("unit_division", _("登记单位所在地"), "unit", kind="division", depth="town", exported=False,
          print_row="unit", print_as="line"),
    Field("unit_village", _("登记单位村（社区）"), "unit", exported=False, print_row="unit", print_as="after",
          print_label=_("村（社区）")),
)


@dataclass(eq=False)
class Schema:
    """What consumers read, worked out once from FIELDS, STEPS, SECTIONS and PRINT_ROWS (see ``schema()``)."""

    fields: tuple
    steps: tuple
    sections: tuple
    print_rows: tuple
    by_name: dict = field(default_factory=dict)
    by_step: dict = field(default_factory=dict)
    by_section: dict = field(default_factory=dict)
    by_print_row: dict = field(default_factory=dict)

    def __post_init__(self):
        self.by_name = {f.name: f for f in self.fields}
        for f in self.fields:
            if f.step:
                self.by_step.setdefault(f.step, []).append(f)
            if f.stored:
                self.by_section.setdefault(f.section, []).append(f)
            if f.print_row:
                self.by_print_row.setdefault(f.print_row, []).append(f)
        self.step_by_name = {s.name: s for s in self.steps}
        self.stored = tuple(f for f in self.fields if f.stored)
        self.asked = tuple(f for f in self.stored if f.step)
        self.personal = tuple(f for f in self.stored if f.personal)
        self.masked = {f.name: f.mask for f in self.stored if f.mask}
        self.encrypted = tuple(f.name for f in self.stored if f.encrypted)
        self.exported = tuple(f for f in self.stored if f.exported)
        self.staff_correctable = tuple(f for f in self.stored if f.staff_correctable)
        self.resident_correctable = tuple(f for f in self.stored if f.resident_correctable)
        self.divisions = tuple(f for f in self.stored if f.kind == "division")

    def step_fields(self, step):
        """The fields asked on ``step``, in order (empty for a step without Annex 2 fields)."""
        return self.by_step.get(step, ())

    def division_groups(self, step):
        """{group prefix: depth} of the division fields of ``step`` (``DivisionFieldsMixin.division_groups``)."""
        return {f.name.removesuffix("_division"): f.depth for f in self.step_fields(step) if f.kind == "division"}


@lru_cache(maxsize=1)
def schema() -> Schema:
    """The schema with its derived indexes, built once (tests that change FIELDS call ``schema.cache_clear()``)."""
    return Schema(FIELDS, STEPS, SECTIONS, PRINT_ROWS)
