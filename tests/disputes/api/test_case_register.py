"""POST /api/v1/cases/: register with nested parties, Idempotency-Key, error shapes."""
from django.middleware.csrf import _get_new_csrf_string
from rest_framework.test import APIClient

from disputes.models import Case, CaseEvent, CaseParty
from governance.accounts import token_issue
from governance.models import Role
from tests.disputes.api.conftest import (
    CASES_URL,
    ID_NUMBER,
    PHONE,
    assert_error,
    case_payload,
    client_for,
)
from tests.factories import UserFactory


def test_register_creates_the_case_with_parties_and_answers_the_masked_detail(people, category):
    # given the A1 window clerk
    client = client_for(people.clerk)
    # when they register a case with two parties
    response = client.post(CASES_URL, case_payload(people.tree.village_a1x, category), format="json")
    # then the case exists, registered, owned by their township, with one timeline row
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert case.state == "registered"
    assert case.owning_region_id == people.tree.town_a1.pk
    assert case.registered_by_id == people.clerk.pk
    assert CaseParty.objects.filter(case=case).count() == 2
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1
    # and the answer is the detail: masked parties only, version, deadline, actions
    assert body["state"] == "registered"
    assert body["version"] == 1
    assert "due_at" in body and "due_provisional" in body and body["warning_level"] == "none"
    applicant = body["parties"][0]
    assert applicant["name"] == "张三"
    assert applicant["id_number_masked"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert applicant["phone_masked"] == "138****8000"
    assert ID_NUMBER not in response.content.decode()
    assert PHONE not in response.content.decode()
    assert {"accept", "reject"} <= set(body["available_actions"])
    assert body["current_assignment"] is None


def test_same_idempotency_key_returns_the_first_case_with_200(people, category):
    client = client_for(people.clerk)
    payload = case_payload(people.tree.village_a1x, category)
    first = client.post(CASES_URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="intake-7f3a")
    second = client.post(CASES_URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="intake-7f3a")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1
    # a different key is a different submission
    third = client.post(CASES_URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="intake-8b21")
    assert third.status_code == 201
    assert Case.objects.count() == 2


def test_idempotency_keys_are_per_user(people, category):
    # given a clerk in A1 and another clerk in B1 who happen to use the same key
    first = client_for(people.clerk).post(CASES_URL, case_payload(people.tree.village_a1x, category),
                                          format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    second = client_for(people.outsider).post(CASES_URL, case_payload(people.tree.village_b1x, category),
                                              format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    # then each gets their own new case; nobody receives another user's case
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


def test_without_idempotency_key_each_post_is_a_new_case(people, category):
    client = client_for(people.clerk)
    payload = case_payload(people.tree.village_a1x, category)
    assert client.post(CASES_URL, payload, format="json").status_code == 201
    assert client.post(CASES_URL, payload, format="json").status_code == 201
    assert Case.objects.count() == 2


def test_missing_fields_are_400_with_field_errors(people, category):
    payload = case_payload(people.tree.village_a1x, category)
    del payload["title"]
    payload["parties"] = []
    body = assert_error(client_for(people.clerk).post(CASES_URL, payload, format="json"), 400, "invalid")
    assert "title" in body["extra"]["fields"]
    assert Case.objects.count() == 0
    # with a title, a dispute without parties is refused by the service (an incident is not)
    payload["title"] = "无当事人"
    body = assert_error(client_for(people.clerk).post(CASES_URL, payload, format="json"), 400, "invalid")
    assert set(body["extra"]["fields"]) == {"parties"}
    assert Case.objects.count() == 0


def test_invalid_id_number_is_400_from_the_service(people, category):
    payload = case_payload(people.tree.village_a1x, category)
    payload["parties"][0]["id_number"] = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    body = assert_error(client_for(people.clerk).post(CASES_URL, payload, format="json"), 400, "invalid")
    assert "parties[0].id_number" in body["extra"]["fields"]
    assert Case.objects.count() == 0


def test_village_outside_the_jurisdiction_is_404(people, category):
    payload = case_payload(people.tree.village_b1x, category)
    assert_error(client_for(people.clerk).post(CASES_URL, payload, format="json"), 404, "not_found")
    assert Case.objects.count() == 0


def test_role_that_may_not_register_is_403(people, category):
    leader_a1 = UserFactory(role=Role.LEADER, region=people.tree.town_a1)
    payload = case_payload(people.tree.village_a1x, category)
    assert_error(client_for(leader_a1).post(CASES_URL, payload, format="json"), 403, "forbidden")
    assert Case.objects.count() == 0


def test_related_case_ids_link_the_new_case(people, category):
    client = client_for(people.clerk)
    first = client.post(CASES_URL, case_payload(people.tree.village_a1x, category), format="json").json()
    second = client.post(CASES_URL, case_payload(people.tree.village_a1x, category, related_to_ids=[first["id"]]),
                         format="json")
    assert second.status_code == 201
    assert Case.objects.get(pk=second.json()["id"]).links.get().other_id == first["id"]


def test_token_client_registers_without_csrf(people, category):
    token = token_issue(user=people.clerk)
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(CASES_URL, case_payload(people.tree.village_a1x, category), format="json",
                           HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 201, response.content


def test_session_client_registers_with_the_csrf_token_and_is_refused_without(people, category):
    # given a browser session (the pages' htmx calls), with CSRF checks as in production
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.clerk)
    payload = case_payload(people.tree.village_a1x, category)
    # without the CSRF header the write is refused
    response = client.post(CASES_URL, payload, format="json")
    assert response.status_code == 403
    assert set(response.json()) == {"message", "code", "extra"}
    # with the cookie's token in the X-CSRFToken header it goes through
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = client.post(CASES_URL, payload, format="json", HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content


def test_register_takes_document_types_and_legal_details(people, category):
    client = client_for(people.clerk)
    payload = case_payload(people.tree.village_a1x, category)
    payload["parties"][0].update(ethnicity="汉族", occupation="教师")
    payload["parties"][1].update(id_type="passport", id_number="E12345678", gender="female", birth_date="1979-06-01")
    response = client.post(CASES_URL, payload, format="json")
    assert response.status_code == 201, response.content
    applicant, respondent = response.json()["parties"]
    assert (applicant["id_type"], applicant["ethnicity"], applicant["occupation"]) == ("resident", "汉族", "教师")
    assert applicant["gender"] in ("male", "female") and applicant["birth_year"]
    assert (respondent["id_type"], respondent["id_number_masked"], respondent["gender"], respondent["birth_year"]) == (
        "passport", "E******78", "female", 1979)
    assert "1979-06-01" not in response.content.decode()


def test_a_bad_document_number_is_a_400_naming_the_field(people, category):
    client = client_for(people.clerk)
    payload = case_payload(people.tree.village_a1x, category)
    payload["parties"][1].update(id_type="taiwan", id_number="T1234567")
    response = client.post(CASES_URL, payload, format="json")
    assert response.status_code == 400
    assert "台湾居民来往大陆通行证" in response.json()["extra"]["fields"]["parties[1].id_number"]
