"""Parties' legal details (人民调解法 art. 29) and identity documents other than the ID card."""
import datetime as dt

import pytest

from disputes import parties, services
from disputes.models import CaseParty, IdType, PartyKind, PartyRole
from governance.errors import InvalidInput
from tests.disputes.services import conftest as shared
from tests.disputes.services.conftest import ID_A, valid_id

world = shared.world

# ID_A = 610202 19900101 123x: born 1990-01-01, 17th digit 3 (odd) → male.
FEMALE_ID = valid_id("61020219851231124")


def person(**fields) -> services.PartyInput:
    return services.PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="张三", **fields)


def organisation(**fields) -> services.PartyInput:
    return services.PartyInput(role=PartyRole.RESPONDENT, kind=PartyKind.ORGANISATION, name="某物业公司", **fields)


def field_errors(excinfo) -> dict:
    return excinfo.value.extra["fields"]


# --- formats of each document type -------------------------------------------------------------

@pytest.mark.parametrize(("id_type", "number"), [
    ("passport", "E12345678"),
    ("passport", "ea1234567"),  # normalised to upper case
    ("hk_macao", "H12345678"),
    ("hk_macao", "M1234567801"),
    ("taiwan", "12345678"),
    ("taiwan", "1234567890"),
    ("foreign_permanent", "USA110070010001"),
    ("foreign_permanent", valid_id("91011019900101123")),
])
def test_each_document_type_accepts_its_format(id_type, number):
    assert parties.document_number_validate(id_type, number) == number.upper()


@pytest.mark.parametrize(("id_type", "number", "message"), [
    ("passport", "E12", "护照号码"),
    ("passport", "E1234567-8", "护照号码"),
    ("hk_macao", "X12345678", "港澳居民来往内地通行证"),
    ("hk_macao", "H1234567", "港澳居民来往内地通行证"),
    ("taiwan", "1234567", "台湾居民来往大陆通行证"),
    ("taiwan", "T1234567", "台湾居民来往大陆通行证"),
    ("foreign_permanent", "US110070010001", "外国人永久居留身份证"),
    ("foreign_permanent", "91011019900101123" + ("0" if valid_id("91011019900101123")[-1] != "0" else "1"), "校验位"),
    ("resident", "61020219900101123Y", "身份证号码"),
    ("uscc", "91610000000000000A", "统一社会信用代码"),
    ("driving_licence", "12345678", "证件类型"),
])
def test_each_document_type_refuses_other_formats_with_a_chinese_message(id_type, number, message):
    with pytest.raises(InvalidInput, match=message):
        parties.document_number_validate(id_type, number)


def test_the_mainland_card_keeps_its_checksum_validation():
    with pytest.raises(InvalidInput, match="校验位"):
        parties.document_number_validate("resident", ID_A[:-1] + ("1" if ID_A[-1] != "1" else "2"))


def test_gender_and_birth_date_are_read_from_a_mainland_number():
    assert parties.id_number_facts(ID_A) == parties.IdFacts(gender="male", birth_date=dt.date(1990, 1, 1))
    assert parties.id_number_facts(FEMALE_ID) == parties.IdFacts(gender="female", birth_date=dt.date(1985, 12, 31))


def test_short_document_numbers_are_masked_too():
    assert parties.mask_id_number("E12345678") == "E******78"
    assert parties.mask_id_number("12345678") == "1*****78"


# --- intake --------------------------------------------------------------------------------------------

def test_a_mainland_card_fills_gender_and_birth_date(world):
    case = world.register(parties=[person(id_number=ID_A, ethnicity="汉族", occupation="教师")])
    party = CaseParty.objects.get(case=case)
    assert (party.id_type, party.gender, party.birth_date) == (IdType.RESIDENT, "male", dt.date(1990, 1, 1))
    assert (party.ethnicity, party.occupation) == ("汉族", "教师")


def test_entered_gender_or_birth_date_must_agree_with_the_mainland_number(world):
    with pytest.raises(InvalidInput) as excinfo:
        world.register(parties=[person(id_number=ID_A, gender="female", birth_date=dt.date(1991, 1, 1))])
    assert field_errors(excinfo) == {"parties[0].gender": "性别与身份证号码不符",
                                     "parties[0].birth_date": "出生日期与身份证号码不符"}


def test_other_documents_take_gender_and_birth_date_as_entered(world):
    case = world.register(parties=[person(id_type="passport", id_number="e12345678", gender="female",
                                          birth_date=dt.date(1979, 6, 1), ethnicity="外国血统中国籍人士")])
    party = CaseParty.objects.get(case=case)
    assert (party.id_type, party.id_number_masked) == ("passport", "E******78")
    assert (party.gender, party.birth_date) == ("female", dt.date(1979, 6, 1))
    assert parties.decrypt(party.id_number_enc) == "E12345678"


def test_a_bad_document_number_is_reported_on_its_row(world):
    with pytest.raises(InvalidInput) as excinfo:
        world.register(parties=[person(id_type="hk_macao", id_number="12345678")])
    assert "港澳居民来往内地通行证" in field_errors(excinfo)["parties[0].id_number"]


def test_document_type_must_fit_the_kind_of_party(world):
    with pytest.raises(InvalidInput) as excinfo:
        world.register(parties=[person(id_type="uscc"), organisation(id_type="passport")])
    assert field_errors(excinfo) == {"parties[0].id_type": "自然人请选择身份证件类型",
                                     "parties[1].id_type": "单位的证件应为统一社会信用代码"}


def test_organisations_keep_their_legal_representative_and_no_personal_fields(world):
    case = world.register(parties=[person(id_number=ID_A, legal_representative="不适用"),
                                   organisation(id_number="91610000MA6TG1YE3G", legal_representative="王五",
                                                gender="male", ethnicity="汉族", occupation="经理")])
    zhang, company = CaseParty.objects.filter(case=case).order_by("id")
    assert zhang.legal_representative == ""
    assert (company.id_type, company.legal_representative) == (IdType.USCC, "王五")
    assert (company.gender, company.ethnicity, company.occupation, company.birth_date) == ("", "", "", None)


@pytest.mark.parametrize(("fields", "key", "message"), [
    ({"ethnicity": "火星族"}, "ethnicity", "请从列表中选择民族"),
    ({"gender": "other"}, "gender", "性别无效"),
    ({"birth_date": dt.date(1899, 12, 31)}, "birth_date", "出生日期不合理"),
    ({"occupation": "长" * 101}, "occupation", "不能超过100个字"),
])
def test_details_are_checked(world, fields, key, message):
    with pytest.raises(InvalidInput) as excinfo:
        world.register(parties=[person(id_type="passport", id_number="E12345678", **fields)])
    assert field_errors(excinfo) == {f"parties[0].{key}": message}
