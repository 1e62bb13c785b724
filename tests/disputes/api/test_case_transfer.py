"""POST /api/v1/cases/ for a 12345 transfer: the hotline's work-order number as an external id
(idempotent on it, unique per channel) and the hotline's own deadline."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from disputes.models import Case, CaseEvent, Channel
from governance.models import Role
from tests.disputes.api.conftest import CASES_URL, assert_error, case_payload, client_for
from tests.factories import CaseFactory, UserFactory

ORDER = "GD20261202000123"


def transfer(village, category, **overrides) -> dict:
    due = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    fields = {"channel": Channel.HOTLINE, "external_id": ORDER, "external_due_at": due.isoformat(), **overrides}
    return case_payload(village, category, **fields)


def test_a_hotline_order_becomes_a_case_with_its_number_and_deadline(people, category):
    # given the county dispatcher's integration posting a 12345 work order
    client = client_for(people.dispatcher)
    payload = transfer(people.tree.village_a1x, category)

    # when it is sent
    response = client.post(CASES_URL, payload, format="json")

    # then one case holds the order number and the hotline's deadline, beside its own step deadline
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.channel, case.external_id) == (Channel.HOTLINE, ORDER)
    assert case.external_due_at == dt.datetime.fromisoformat(payload["external_due_at"])
    assert case.due_at is not None  # the platform's acceptance deadline still applies
    assert body["external_id"] == ORDER and body["external_due_at"]
    assert CaseEvent.objects.get(case=case, action="register").data["external_id"] == ORDER


def test_the_same_order_sent_twice_returns_the_first_case_with_200(people, category):
    client = client_for(people.dispatcher)
    payload = transfer(people.tree.village_a1x, category)

    first = client.post(CASES_URL, payload, format="json")
    second = client.post(CASES_URL, {**payload, "title": "重复推送"}, format="json")

    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="register").count() == 1


def test_the_same_order_from_another_jurisdiction_is_a_conflict_that_reveals_nothing(people, category):
    client_for(people.dispatcher).post(CASES_URL, transfer(people.tree.village_a1x, category), format="json")
    outsider = UserFactory(role=Role.DISPATCHER, region=people.tree.county_b)

    response = client_for(outsider).post(CASES_URL, transfer(people.tree.village_b1x, category), format="json")

    body = assert_error(response, 409, "duplicate_external_id")
    assert "number" not in body["extra"] and Case.objects.count() == 1


def test_an_external_id_belongs_to_transfer_channels_only(people, category):
    response = client_for(people.clerk).post(
        CASES_URL, case_payload(people.tree.village_a1x, category, external_id=ORDER), format="json")

    body = assert_error(response, 400)
    assert "external_id" in body["extra"]["fields"]
    assert Case.objects.count() == 0


def test_a_hotline_deadline_needs_its_order_number(people, category):
    payload = transfer(people.tree.village_a1x, category)
    payload["external_id"] = ""

    body = assert_error(client_for(people.dispatcher).post(CASES_URL, payload, format="json"), 400)

    assert "external_due_at" in body["extra"]["fields"]


def test_an_over_long_order_number_is_refused_by_the_serializer(people, category):
    body = assert_error(client_for(people.dispatcher).post(
        CASES_URL, transfer(people.tree.village_a1x, category, external_id="9" * 65), format="json"), 400)
    assert "external_id" in body["extra"]["fields"]


def test_the_database_keeps_one_case_per_channel_and_order(people, category):
    CaseFactory(village=people.tree.village_a1x, channel=Channel.HOTLINE, external_id=ORDER,
                registered_by=people.clerk)
    # another channel may carry the same number, and empty numbers never collide
    CaseFactory(village=people.tree.village_a1x, channel=Channel.DEPARTMENT, external_id=ORDER,
                registered_by=people.clerk)
    CaseFactory(village=people.tree.village_a1x, registered_by=people.clerk)
    CaseFactory(village=people.tree.village_a1x, registered_by=people.clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(village=people.tree.village_a1x, channel=Channel.HOTLINE, external_id=ORDER,
                    registered_by=people.clerk)


def test_the_schema_documents_the_transfer_fields(db):
    from tests.disputes.api.test_schema import schema

    spec = schema()
    body = spec["paths"]["/api/v1/cases/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    create = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]["properties"]
    detail = spec["components"]["schemas"]["CaseDetailOutput"]["properties"]
    assert {"external_id", "external_due_at"} <= set(create)
    assert {"external_id", "external_due_at"} <= set(detail)
    assert detail["registered_by"].get("nullable") or "oneOf" in detail["registered_by"] or \
        "allOf" in detail["registered_by"]
