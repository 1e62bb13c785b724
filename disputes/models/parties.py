"""A case's parties (当事人): who they are, how they are identified, and the row that holds
their encrypted ID number and phone (disputes/parties.py encrypts, hashes and masks).
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case
from governance.models import BaseModel


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD = "third", _("第三人")


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("单位")


class IdType(models.TextChoices):
    """The identity document a party's number belongs to (组织: the unified social credit code)."""

    RESIDENT = "resident", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")
    USCC = "uscc", _("统一社会信用代码")


PERSON_ID_TYPES = frozenset(IdType.values) - {IdType.USCC}


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


# 民族 by GB/T 3304 (codes 01–56, then 97 其他 and 98 外国血统中国籍人士), stored by name: legal
# documents print the name, and these proper names are not translated.
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
    "其他", "外国血统中国籍人士",
)


class CaseParty(BaseModel):
    """A party (当事人). ID number and phone are stored encrypted (SM4), matched by keyed
    hash (HMAC-SHA256) and shown masked unless the role needs the full value (audited).

    The basic details a mediation agreement states (人民调解法 art. 29): a person's gender,
    民族, birth date and occupation or work unit; an organisation's legal representative.
    Gender and birth date come from a mainland ID number when there is one. The new columns
    have database defaults, so bulk writers that name their columns keep working.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("当事人类型"), max_length=20, choices=PartyRole.choices)
    kind = models.CharField(_("主体类型"), max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT,
                               db_default=IdType.RESIDENT)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True, default="", db_default="")
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True, default="", db_default="")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    occupation = models.CharField(_("职业或工作单位"), max_length=100, blank=True, default="", db_default="")
    legal_representative = models.CharField(_("法定代表人(负责人)"), max_length=50, blank=True, default="",
                                            db_default="")
    id_number_enc = models.BinaryField(null=True, blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=32, blank=True)
    phone_enc = models.BinaryField(null=True, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return self.name
