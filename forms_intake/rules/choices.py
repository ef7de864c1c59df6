"""Choice lists printed on Annex 2 (湖南省未参加社会保险人员登记表).

The site's default language is zh-hans and the form's wording must appear
verbatim, so each label's msgid is the form's Chinese text; the English
wording comes from the translation catalogue. Values are stable ASCII slugs
because they are stored in the database and used in exports.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentStatus(models.TextChoices):
    """就业状态 (employment status).

    Each label is the wording beside its box on the form; the form's numbered line it sits on
    (1、已就业 / 2、无单位) is in ``annex2.EMPLOYMENT_PRINT_GROUPS``, and every screen reads an answer
    through ``annex2.Field.choice_label`` ("1、已就业 省内"), never this label alone.
    """

    EMPLOYED_IN_PROVINCE = "employed_in_province", _("省内")
    EMPLOYED_OUT_OF_PROVINCE = "employed_out_of_province", _("省外")
    PRESCHOOL = "preschool", _("学龄前")
    STUDENT = "student", _("在校学生")
    UNEMPLOYED = "unemployed", _("未就业")
    FREELANCER = "freelancer", _("自由职业者")


class NotInsuredReason(models.TextChoices):
    """未参保原因 (why the person is not insured)."""

    PERSONAL = "personal", _("个人未参保")
    EMPLOYER_DID_NOT_ENROL = "employer_did_not_enrol", _("单位未予参保")
    MILITARY = "military", _("参军")
    ABROAD = "abroad", _("出国")
    IMPRISONED = "imprisoned", _("判刑")
    OTHER = "other", _("其他")


class ServiceBank(models.TextChoices):
    """社保卡服务银行 (the bank that issues the social security card)."""

    ICBC = "icbc", _("工行")
    ABC = "abc", _("农行")
    BOC = "boc", _("中行")
    CCB = "ccb", _("建行")
    CITIC = "citic", _("中信银行")
    BOCOM = "bocom", _("交通银行")
    HRXJ = "hrxj", _("华融湘江银行")
    PSBC = "psbc", _("邮政银行")
    RCC = "rcc", _("农信社")
    BOCS = "bocs", _("长沙银行")


class ProxyRelationship(models.TextChoices):
    """与被代理人关系 (the proxy's relationship to the registered person)."""

    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    SPOUSE = "spouse", _("配偶")
    SIBLING = "sibling", _("兄弟姐妹")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    """登记渠道 (how the registration reached us)."""

    ONLINE = "online", _("网上自助")
    COUNTER = "counter", _("窗口")
    DOOR_TO_DOOR = "door_to_door", _("入户")
