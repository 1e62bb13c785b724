"""GET detail, events, party reveal and intake hints; cross-jurisdiction for every case endpoint."""
import pytest
from rest_framework.test import APIClient

from governance.accounts import token_issue
from governance.models import AuditLog, Role
from tests.disputes.api.conftest import CASES_URL, ID_NUMBER, PHONE, act, assert_error, client_for, register
from tests.factories import UserFactory

HINTS_URL = "/api/v1/case-hints/"


@pytest.fixture
def case(people, category) -> dict:
    return register(people.clerk, people.tree.village_a1x, category)


def reveal_url(case_id: int, party_id: int) -> str:
    return f"{CASES_URL}{case_id}/parties/{party_id}/reveal/"


def test_detail_has_parties_masked_assignment_actions_version_and_deadline(people, case):
    body = client_for(people.clerk).get(f"{CASES_URL}{case['id']}/").json()
    assert body["id"] == case["id"]
    assert body["version"] == 1
    assert {"due_at", "due_provisional", "warning_level", "narrative", "registered_by"} <= set(body)
    assert [p["name"] for p in body["parties"]] == ["张三", "李四"]
    assert body["parties"][0]["id_number_masked"].count("*") == 10
    assert "id_number" not in body["parties"][0] and "phone" not in body["parties"][0]
    assert body["current_assignment"] is None
    assert {"accept", "reject"} <= set(body["available_actions"])


def test_actions_depend_on_who_asks(people, case):
    # the county dispatcher sees the case but does not act for the township
    body = client_for(people.dispatcher).get(f"{CASES_URL}{case['id']}/").json()
    assert "accept" not in body["available_actions"]
    assert "supervise" in body["available_actions"]


def test_detail_with_token_auth(people, case):
    token = token_issue(user=people.clerk)
    response = APIClient().get(f"{CASES_URL}{case['id']}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["id"] == case["id"]


def test_missing_case_is_404(people):
    assert_error(client_for(people.clerk).get(f"{CASES_URL}999999/"), 404, "not_found")
    assert_error(client_for(people.clerk).get(f"{CASES_URL}999999/events/"), 404, "not_found")


def test_other_township_gets_404_everywhere_as_if_the_case_did_not_exist(people, case):
    # given a window clerk of township B1 (another county)
    client = client_for(people.outsider)
    party_id = case["parties"][0]["id"]
    missing = client.get(f"{CASES_URL}999999/").json()
    # then detail, events, actions and party reveal all answer exactly like a missing case
    for response in (
        client.get(f"{CASES_URL}{case['id']}/"),
        client.get(f"{CASES_URL}{case['id']}/events/"),
        act(people.outsider, case["id"], "accept", {}),
        act(people.outsider, case["id"], "reject", {"reason": "x", "referral": "y"}),
        client.get(reveal_url(case["id"], party_id), {"field": "id_number"}),
    ):
        body = assert_error(response, 404, "not_found")
        assert body == missing
    # and nothing changed, nothing was revealed
    assert client_for(people.clerk).get(f"{CASES_URL}{case['id']}/").json()["state"] == "registered"
    assert not AuditLog.objects.filter(action="party.reveal").exists()
    # and the list neither shows the case nor counts it
    listed = client.get(CASES_URL).json()
    assert listed["count"] == 0 and listed["results"] == []


@pytest.mark.parametrize("extra_steps", [0, 8])
def test_events_query_count_is_constant(people, case, extra_steps, django_assert_num_queries):
    for i in range(extra_steps):
        assert act(people.dispatcher, case["id"], "urge", {"note": f"第{i}次催办"}).status_code == 201
    client = client_for(people.clerk)
    # session, user with their region (scope), case (scope check), count, page with actors
    with django_assert_num_queries(5):
        body = client.get(f"{CASES_URL}{case['id']}/events/").json()
    assert body["count"] == 1 + extra_steps


def test_owning_center_reveals_the_full_id_number_and_it_is_audited(people, case):
    party_id = case["parties"][0]["id"]
    response = client_for(people.clerk).get(reveal_url(case["id"], party_id), {"field": "id_number"})
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "id_number", "value": ID_NUMBER}
    assert response["Cache-Control"] == "no-store"
    audit = AuditLog.objects.get(action="party.reveal")
    assert audit.actor_id == people.clerk.pk
    assert audit.detail["field"] == "id_number"
    phone = client_for(people.clerk).get(reveal_url(case["id"], party_id), {"field": "phone"}).json()
    assert phone["value"] == PHONE


def test_reveal_refuses_roles_without_need(people, case):
    party_id = case["parties"][0]["id"]
    assert_error(client_for(people.leader).get(reveal_url(case["id"], party_id), {"field": "id_number"}),
                 403, "forbidden")
    assert not AuditLog.objects.filter(action="party.reveal").exists()


def test_reveal_validates_the_field_and_the_party_of_the_case(people, category, case):
    party_id = case["parties"][0]["id"]
    client = client_for(people.clerk)
    assert_error(client.get(reveal_url(case["id"], party_id), {"field": "address"}), 400, "invalid")
    assert_error(client.get(reveal_url(case["id"], party_id)), 400, "invalid")
    # a party of another case (even one in scope) is not found under this case
    other = register(people.clerk, people.tree.village_a1x, category)
    assert_error(client.get(reveal_url(other["id"], party_id), {"field": "id_number"}), 404, "not_found")
    # a party without a phone has nothing to reveal
    respondent = case["parties"][1]["id"]
    assert_error(client.get(reveal_url(case["id"], respondent), {"field": "phone"}), 404, "not_found")


def test_hints_find_cases_of_the_same_party_inside_the_jurisdiction_only(people, category, case):
    # when the A1 clerk types the same ID number on a new intake
    body = client_for(people.clerk).post(HINTS_URL, {"id_number": ID_NUMBER}, format="json").json()
    # then the earlier case is suggested
    assert [row["id"] for row in body] == [case["id"]]
    assert body[0]["number"] == case["number"]
    # the same phone matches too; village + category match recent cases
    assert [r["id"] for r in client_for(people.clerk).post(HINTS_URL, {"phone": PHONE}, format="json").json()] == [case["id"]]
    by_place = client_for(people.clerk).post(
        HINTS_URL, {"village": people.tree.village_a1x.pk, "category": category.pk}).json()
    assert [r["id"] for r in by_place] == [case["id"]]
    assert client_for(people.clerk).post(HINTS_URL, {"id_number": ID_NUMBER, "exclude": case["id"]}, format="json").json() == []
    # and a clerk of another township typing the same number learns nothing
    assert client_for(people.outsider).post(HINTS_URL, {"id_number": ID_NUMBER}, format="json").json() == []


def test_hints_with_nothing_typed_are_empty(people, case):
    assert client_for(people.clerk).post(HINTS_URL).json() == []


def test_hints_are_for_roles_that_register_cases(people, case):
    handler = UserFactory(role=Role.HANDLER, region=people.tree.town_a1, department=people.department)
    assert_error(client_for(handler).post(HINTS_URL, {"id_number": ID_NUMBER}, format="json"), 403, "forbidden")
    assert_error(client_for(people.clerk).post(HINTS_URL, {"village": "abc"}, format="json"), 400, "invalid")
