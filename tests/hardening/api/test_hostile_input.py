"""Input that cannot hurt (issue 15, item 1): each 500 found on main, reproduced through the
page and the API, now a clear Chinese 400 (or a form error) — and nothing stored."""
from __future__ import annotations

import json

import pytest

from disputes.models import Case
from tests.disputes.api.conftest import CASES_URL, assert_error, case_payload, client_for, register


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- the API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("occurred_at", [
    "0001-01-01T00:00:00", "0001-01-01T00:00:00+08:00", "1949-09-30T23:59:00+08:00", "9999-12-31T23:59:59",
    "2999-01-01T00:00:00+08:00",
])
def test_api_refuses_an_occurrence_outside_1949_to_now(people, category, occurred_at):
    client = client_for(people.clerk)
    response = client.post(CASES_URL, case_payload(people.tree.village_a1x, category, occurred_at=occurred_at),
                           format="json")
    body = assert_error(response, 400, "invalid")
    assert "occurred_at" in body["extra"]["fields"]
    assert not Case.objects.exists()
    # and the list still answers
    assert client.get(CASES_URL).status_code == 200


def test_api_accepts_the_founding_day(people, category):
    register(people.clerk, people.tree.village_a1x, category, occurred_at="1949-10-01T00:00:00+08:00")


@pytest.mark.parametrize("people_involved", [2**31, 2**63, 10**30])
def test_api_refuses_a_huge_number_of_people(people, category, people_involved):
    response = client_for(people.clerk).post(
        CASES_URL, case_payload(people.tree.village_a1x, category, people_involved=people_involved), format="json")
    body = assert_error(response, 400, "invalid")
    assert "people_involved" in body["extra"]["fields"]


def test_api_refuses_more_parties_than_the_cap(people, category):
    parties = [{"role": "applicant", "kind": "person", "name": f"甲{i}"} for i in range(51)]
    response = client_for(people.clerk).post(
        CASES_URL, case_payload(people.tree.village_a1x, category, parties=parties), format="json")
    assert_error(response, 400, "invalid")


def test_api_mediation_held_at_in_year_one_is_refused(people, category, case):
    client = client_for(people.clerk)
    assert client.post(f"{CASES_URL}{case['id']}/accept/", {}, format="json").status_code == 200
    assert client.post(f"{CASES_URL}{case['id']}/handle/", {}, format="json").status_code == 200
    response = client.post(f"{CASES_URL}{case['id']}/mediation/", {
        "mediators": "王调解员", "held_at": "0001-01-01T00:00:00", "place": "调解室", "record": "记录",
        "outcome": "agreed", "agreement_content": "协议"}, format="json")
    body = assert_error(response, 400, "invalid")
    assert "held_at" in body["extra"]["fields"]
    assert client.get(f"{CASES_URL}{case['id']}/").status_code == 200


def test_nested_json_5000_levels_deep_is_a_400_not_a_500(people):
    body = "[" * 5000 + "]" * 5000
    response = client_for(people.clerk).post(CASES_URL, body, content_type="application/json")
    assert_error(response, 400)


def test_json_deeper_than_the_limit_is_refused(people):
    deep: object = 1
    for _level in range(40):
        deep = [deep]
    body = json.dumps({"title": "x", "parties": [{"name": deep}]})
    response = client_for(people.clerk).post(CASES_URL, body, content_type="application/json")
    body = assert_error(response, 400)
    assert "层" in body["message"]


def test_json_larger_than_the_limit_is_refused(people, settings):
    settings.API_JSON_MAX_BYTES = 1000
    body = json.dumps({"title": "x" * 2000})
    response = client_for(people.clerk).post(CASES_URL, body, content_type="application/json")
    assert response.status_code == 413
    assert _has_chinese(response.json()["message"])


@pytest.mark.parametrize("param", ["created_to", "created_from"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_api_list_filters_outside_100_years_are_a_400(people, param, value):
    response = client_for(people.clerk).get(CASES_URL, {param: value})
    body = assert_error(response, 400, "invalid")
    assert param in body["extra"]["fields"]




def test_names_lose_zero_width_and_bidi_control_characters(people, category):
    from disputes.models import CaseParty

    hostile = "\u202e张\u200b三\u2066\ufeff"
    body = register(people.clerk, people.tree.village_a1x, category, title="\u200b排水纠纷\u202c",
                    parties=[{"role": "applicant", "kind": "person", "name": hostile}])
    assert body["title"] == "排水纠纷"
    assert CaseParty.objects.get(case_id=body["id"]).name == "张三"


def test_a_name_of_only_invisible_characters_is_refused(people, category):
    response = client_for(people.clerk).post(CASES_URL, case_payload(
        people.tree.village_a1x, category, parties=[{"role": "applicant", "kind": "person", "name": "\u200b\u202e"}]),
        format="json")
    assert_error(response, 400, "invalid")
