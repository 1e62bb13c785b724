"""Parties' personal data: validation, encryption at rest, keyed hashes, masks, audited reveal."""
import datetime as dt

import pytest
from cryptography.exceptions import InvalidTag
from django.db import connection
from django.utils import timezone

from disputes import parties, services
from disputes.models import CaseEvent, CaseParty, CaseState
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.models import AuditLog
from tests.disputes.services import conftest as shared
from tests.disputes.services.conftest import ID_A, ID_B, PHONE_A, PHONE_B, valid_id

# The shared fixtures of the disputes domain tests (defined once in services/conftest.py).
world = shared.world


# --- ID numbers -----------------------------------------------------------------------------------

def test_good_checksum_is_accepted_and_normalised():
    assert parties.id_number_validate(ID_A) == ID_A
    x_number = valid_id("11010519491231002")  # the X check character, entered in lower case
    assert x_number.endswith("X")
    assert parties.id_number_validate(" " + x_number.lower()) == x_number


def test_bad_checksum_is_refused():
    wrong = ID_A[:-1] + ("1" if ID_A[-1] != "1" else "2")
    with pytest.raises(InvalidInput, match="校验位"):
        parties.id_number_validate(wrong)


def test_unknown_county_code_falls_back_to_checksum_and_birth_date():
    # 619999 is no county stdnum knows (its own validation raises); the checksum is right
    number = valid_id("61999919900101123")
    assert parties.id_number_validate(number) == number
    with pytest.raises(InvalidInput, match="校验位"):
        parties.id_number_validate(number[:-1] + ("0" if number[-1] != "0" else "1"))
    with pytest.raises(InvalidInput, match="地区代码"):
        parties.id_number_validate(valid_id("99999919900101123"))


def test_future_impossible_and_ancient_birth_dates_are_refused():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="出生日期"):
        parties.id_number_validate(valid_id(f"610202{tomorrow:%Y%m%d}123"))
    with pytest.raises(InvalidInput, match="出生日期"):
        parties.id_number_validate(valid_id("61020218991231123"))
    with pytest.raises(InvalidInput, match="出生日期"):
        parties.id_number_validate(valid_id("61020219900230123"))


def test_fifteen_digit_numbers_ask_for_eighteen_and_garbage_is_refused():
    with pytest.raises(InvalidInput, match="18位"):
        parties.id_number_validate("610202900101123")
    for bad in ("", "abc", "6102021990010112345", "61020219900101123Y"):
        with pytest.raises(InvalidInput):
            parties.id_number_validate(bad)


# --- Phones ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "digits"), [
    ("13812345678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("029-87654321", "02987654321"),
])
def test_mobile_and_fixed_line_numbers_are_accepted(raw, digits):
    assert parties.phone_validate(raw) == digits


@pytest.mark.parametrize("raw", ["12345", "1381234567", "abc", "+1 212 555 0100", "10086"])
def test_malformed_or_foreign_phones_are_refused(raw):
    with pytest.raises(InvalidInput):
        parties.phone_validate(raw)


# --- Encryption, hashes, masks ------------------------------------------------------------------------

def test_encryption_round_trip_random_nonce_and_tamper_detection():
    first, second = parties.encrypt(ID_A), parties.encrypt(ID_A)
    assert first != second and ID_A.encode() not in first
    assert parties.decrypt(first) == ID_A
    tampered = bytearray(first)
    tampered[-20] ^= 1
    with pytest.raises(InvalidTag):
        parties.decrypt(bytes(tampered))


def test_keyed_hash_depends_on_the_key_and_normalisation(settings):
    assert parties.id_number_hash(ID_A.lower()) == parties.id_number_hash(ID_A)
    assert parties.phone_hash("+86 138 1234 5678") == parties.phone_hash(PHONE_A)
    before = parties.id_number_hash(ID_A)
    settings.PARTY_HASH_KEY = "another-key"
    assert parties.id_number_hash(ID_A) != before


def test_masks():
    assert parties.mask_id_number("610202199001011234") == "6102**********1234"
    assert parties.mask_phone("13812345678") == "138****5678"


# --- In the database ----------------------------------------------------------------------------------

def _register_two_parties(world):
    return world.register(parties=[
        services.PartyInput(role="applicant", kind="person", name="张三", id_number=ID_A, phone=PHONE_A),
        services.PartyInput(role="respondent", kind="person", name="李四", id_number=ID_B, phone=PHONE_B),
    ])


def _all_stored_text(table: str, where: str = "") -> list[str]:
    """Every text and binary column value of `table`, raw from the database."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} {where}")
        rows = cursor.fetchall()
    values = []
    for row in rows:
        for value in row:
            if isinstance(value, bytes | memoryview):
                values.append(bytes(value).decode("latin-1"))
            elif value is not None:
                values.append(str(value))
    return values


@pytest.mark.django_db
def test_no_plaintext_id_number_or_phone_anywhere_in_the_database(world):
    case = _register_two_parties(world)
    services.case_accept(actor=world.town_staff, case_id=case.pk)
    stored = _all_stored_text(CaseParty._meta.db_table) + _all_stored_text(CaseEvent._meta.db_table)
    blob = "\n".join(stored)
    assert stored
    for secret in (ID_A, ID_B, PHONE_A, PHONE_B):
        assert secret not in blob
    party = case.parties.get(name="张三")
    assert (party.id_number_masked, party.phone_masked) == ("6102**********" + ID_A[-4:], "138****5678")
    assert party.id_number_hash == parties.id_number_hash(ID_A)


@pytest.mark.django_db
def test_reveal_is_allowed_to_center_and_assigned_handler_and_audited(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    party = case.parties.get()
    assert services.party_reveal(actor=world.town_staff, party_id=party.pk, field="id_number",
                                 ip_address="10.0.0.8") == ID_A
    assert services.party_reveal(actor=world.handler, party_id=party.pk, field="phone") == PHONE_A
    assert services.party_reveal(actor=world.county_dispatcher, party_id=party.pk, field="phone") == PHONE_A
    logs = AuditLog.objects.filter(action="party.reveal", target_id=str(party.pk)).order_by("id")
    assert [(log.actor, log.detail["field"]) for log in logs] == [
        (world.town_staff, "id_number"), (world.handler, "phone"), (world.county_dispatcher, "phone")]
    assert logs[0].ip_address == "10.0.0.8" and logs[0].detail["case_id"] == case.pk
    # others may not, and a refusal reveals nothing and logs no reveal
    for actor in (world.other_handler, world.county_leader, world.grid_worker, world.administrator):
        with pytest.raises(Forbidden):
            services.party_reveal(actor=actor, party_id=party.pk, field="id_number")
    assert logs.count() == 3
    with pytest.raises(InvalidInput):
        services.party_reveal(actor=world.town_staff, party_id=party.pk, field="name")
    with pytest.raises(NotFound):
        services.party_reveal(actor=world.town_staff, party_id=999999, field="phone")


@pytest.mark.django_db
def test_handler_loses_reveal_once_the_assignment_is_closed(world):
    case = world.case_in(CaseState.RESOLVED)
    with pytest.raises(Forbidden):
        services.party_reveal(actor=world.handler, party_id=case.parties.get().pk, field="phone")


@pytest.mark.django_db
def test_organisation_parties_carry_a_credit_code(world):
    case = world.register(parties=[services.PartyInput(role="respondent", kind="organisation", name="某物业公司",
                                                       id_number="91110000600037341L")])
    assert case.parties.get().id_number_masked == "9111**********341L"
    with pytest.raises(InvalidInput) as exc:
        world.register(parties=[services.PartyInput(role="respondent", kind="organisation", name="某公司",
                                                    id_number="91110000600037341X")])
    assert "parties[0].id_number" in exc.value.extra["fields"]
