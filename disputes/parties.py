"""Parties' personal data (当事人): validation, encryption at rest, keyed lookup hashes, masks.

- ID numbers (居民身份证号码) are checked with python-stdnum (`stdnum.cn.ric`); when its
  place table does not know a county code (new codes appear every year) the number is
  still accepted on checksum (ISO 7064 MOD 11-2) and birth date. Birth dates before 1900
  or in the future are refused; 15-digit numbers are refused with a request for the
  18-digit one. Organisations carry a unified social credit code (`stdnum.cn.uscc`).
- Other identity documents (`IdType`): 护照, 港澳居民来往内地通行证, 台湾居民来往大陆通行证 and
  外国人永久居留身份证 are checked for their format (`document_number_validate`); the 2023
  permanent residence card (18 digits from 9) carries the same MOD 11-2 check character as
  the resident ID. Gender and birth date are read from a mainland ID number
  (`id_number_facts`); for the other documents the clerk enters them.
- Phones, encryption at rest (SM4-GCM), keyed lookup hashes (HMAC-SHA256) and the phone
  mask are the kernel's `governance/personal_data.py` (partybuilding's members use them too).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from governance import clock
from governance.errors import InvalidInput

# Phones, encryption, hashes and the phone mask are the kernel's (governance/personal_data.py),
# shared with partybuilding's members; re-exported here for the parties' callers.
from governance.personal_data import decrypt, encrypt, keyed_hash, mask_phone, phone_validate  # noqa: F401

_RIC_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
# Two-digit province codes of GB/T 2260 (mainland, Taiwan, Hong Kong, Macao).
# 83 is the prefix of the residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民
# 居住证, 830000), which carry an 18-digit number of the same form.
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
     "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"}
)
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
# 港澳居民来往内地通行证 (回乡证): H (Hong Kong) or M (Macao) and 8 digits; older cards add 2.
_HK_MACAO = re.compile(r"^[HM]\d{8}(\d{2})?$")
# 台湾居民来往大陆通行证 (台胞证): 8 digits on the card issued since 2015, 10 on older ones.
_TAIWAN = re.compile(r"^(\d{8}|\d{10})$")
# 外国人永久居留身份证: 3 letters (nationality) + 12 digits (2017 card), or 18 digits from 9 (2023).
_FOREIGN_2017 = re.compile(r"^[A-Z]{3}\d{12}$")
_FOREIGN_2023 = re.compile(r"^9\d{16}[\dX]$")


# --- Validation -------------------------------------------------------------------------------

def ric_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _RIC_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _birth_date(number: str) -> dt.date:
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput(_("身份证号码中的出生日期无效")) from None
    today = clock.localdate()
    if born.year < 1900 or born > today:
        raise InvalidInput(_("身份证号码中的出生日期不合理"))
    return born


def id_number_normalise(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def id_number_validate(value: str) -> str:
    """The normalised 18-digit ID number, or InvalidInput with a Chinese message."""
    number = id_number_normalise(value)
    if not number:
        raise InvalidInput(_("请填写身份证号码"))
    if len(number) == 15 and number.isdigit():
        raise InvalidInput(_("不再受理15位旧身份证号码，请填写18位身份证号码"))
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidInput(_("身份证号码应为18位，最后一位可以是数字或X"))
    try:
        ric.validate(number)
    except Exception:
        # Fall back to our own checks: the package's place table lags new county codes.
        if ric_check_digit(number[:17]) != number[17]:
            raise InvalidInput(_("身份证号码校验位不正确，请核对")) from None
        if number[:2] not in _PROVINCES:
            raise InvalidInput(_("身份证号码的地区代码无效")) from None
    _birth_date(number)
    return number


@dataclass(frozen=True)
class IdFacts:
    """What a mainland ID number says about its holder."""

    gender: str  # "male" / "female" (disputes.models.Gender values)
    birth_date: dt.date


def id_number_facts(number: str) -> IdFacts:
    """Gender (the 17th digit: odd male, even female) and birth date of a valid, normalised
    18-digit ID number."""
    return IdFacts(gender="male" if int(number[16]) % 2 else "female", birth_date=_birth_date(number))


def document_number_validate(id_type: str, value: str) -> str:
    """The normalised number of an identity document of `id_type` (disputes.models.IdType
    values), or InvalidInput with a Chinese message naming the document's format."""
    if id_type == "resident":
        return id_number_validate(value)
    if id_type == "uscc":
        return organisation_code_validate(value)
    number = id_number_normalise(value)
    if id_type == "passport":
        if not _PASSPORT.match(number):
            raise InvalidInput(_("护照号码应为5至20位字母或数字"))
    elif id_type == "hk_macao":
        if not _HK_MACAO.match(number):
            raise InvalidInput(_("港澳居民来往内地通行证号码应为H或M开头加8位数字（旧证10位）"))
    elif id_type == "taiwan":
        if not _TAIWAN.match(number):
            raise InvalidInput(_("台湾居民来往大陆通行证号码应为8位数字（旧证10位）"))
    elif id_type == "foreign_permanent":
        if _FOREIGN_2023.match(number):
            if ric_check_digit(number[:17]) != number[17]:
                raise InvalidInput(_("外国人永久居留身份证号码校验位不正确，请核对"))
        elif not _FOREIGN_2017.match(number):
            raise InvalidInput(_("外国人永久居留身份证号码应为以9开头的18位，或3位国籍字母加12位数字"))
    else:
        raise InvalidInput(_("证件类型无效"))
    return number


def organisation_code_validate(value: str) -> str:
    """Unified social credit code (统一社会信用代码) of an organisation."""
    code = id_number_normalise(value)
    try:
        return uscc.validate(code)
    except Exception:
        raise InvalidInput(_("统一社会信用代码无效，请核对")) from None


def id_number_hash(value: str) -> str:
    return keyed_hash(id_number_normalise(value))


def phone_hash(value: str) -> str:
    """Hash of a phone as entered; unparseable input hashes its digits (never matches a party)."""
    try:
        digits = phone_validate(value)
    except InvalidInput:
        digits = "".join(ch for ch in str(value) if ch.isdigit())
    return keyed_hash(digits)


# --- Masks ------------------------------------------------------------------------------------------

def mask_id_number(number: str) -> str:
    """6102**********1234: region prefix and last four only. Shorter document numbers (a
    passport's 9 characters) keep their first character and last two: E******78."""
    if len(number) >= 15:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return number[:1] + "*" * (len(number) - 3) + number[-2:]


def protected_fields(*, id_number: str = "", phone: str = "") -> dict[str, object]:
    """Model field values for already validated, normalised ID number and phone."""
    fields: dict[str, object] = {
        "id_number_enc": None, "id_number_hash": "", "id_number_masked": "",
        "phone_enc": None, "phone_hash": "", "phone_masked": "",
    }
    if id_number:
        fields.update(
            id_number_enc=encrypt(id_number), id_number_hash=keyed_hash(id_number),
            id_number_masked=mask_id_number(id_number),
        )
    if phone:
        fields.update(phone_enc=encrypt(phone), phone_hash=keyed_hash(phone), phone_masked=mask_phone(phone))
    return fields
