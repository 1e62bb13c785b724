"""GET /api/v1/warnings/ and the acknowledge/assign actions: scoped (a township sees only its
own warnings, a warning spanning townships only the county), filtered, paginated, constant
queries, 409 for the loser of two acknowledgements, in the OpenAPI schema."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from disputes.models import EarlyWarning, WarningKind, WarningState
from disputes.services.warnings import warnings_evaluate_all
from governance import clock
from tests.disputes.api.conftest import assert_error, case_payload
from tests.disputes.warnings.conftest import NOW, case_at, party
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/warnings/"
DAY = dt.timedelta(days=1)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def warnings(people, only_rule, category):
    """A group dispute in A1, one in A2, one in county B, and a repeat party across A1 and A2."""
    only_rule(WarningKind.GROUP, min_people=5)
    only_rule(WarningKind.REPEAT_PARTY, min_cases=2, window_days=30)
    tree = people.tree
    case_at(NOW - DAY, tree.village_a1x, category, people_involved=9)
    case_at(NOW - DAY, tree.village_a2x, category, people_involved=9)
    case_at(NOW - DAY, tree.village_b1x, category, people_involved=9)
    party(case_at(NOW - 2 * DAY, tree.village_a1y, category))
    party(case_at(NOW - 2 * DAY, tree.village_a2x, category))
    with clock.frozen_at(NOW):
        assert warnings_evaluate_all().raised == 4


def ids_seen(user, **params) -> set[int]:
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_level_sees_only_its_jurisdiction(people, warnings):
    tree = people.tree
    in_a1 = set(EarlyWarning.objects.filter(township=tree.town_a1).values_list("pk", flat=True))
    spanning = set(EarlyWarning.objects.filter(county=tree.county_a, township__isnull=True).values_list("pk", flat=True))
    in_county_a = set(EarlyWarning.objects.filter(county=tree.county_a).values_list("pk", flat=True))

    assert len(in_a1) == 1 and len(spanning) == 1 and len(in_county_a) == 3
    assert ids_seen(people.town_dispatcher) == in_a1  # not the one spanning A1 and A2
    assert ids_seen(people.town_staff) == in_a1
    assert ids_seen(people.county_dispatcher) == in_county_a
    assert ids_seen(people.far_dispatcher) == set(EarlyWarning.objects.filter(county=tree.county_b)
                                                  .values_list("pk", flat=True))


def test_rows_carry_the_cases_and_a_masked_party(people, warnings):
    rows = client_for(people.county_dispatcher).get(URL, {"kind": "repeat_party"}).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["kind_label"] == "重复当事人" and row["case_count"] == 2 and len(row["cases"]) == 2
    assert row["region"]["id"] == people.tree.county_a.pk
    assert "**" in row["label"] and "6102021990" not in json.dumps(row)


def test_filters_by_state_kind_and_region(people, warnings):
    county = people.county_dispatcher
    one = EarlyWarning.objects.filter(township=people.tree.town_a2, kind="group").get()
    client_for(county).post(f"{URL}{one.pk}/acknowledge/", {"note": "已处置"}, format="json")

    assert one.pk not in ids_seen(county, state="active")
    assert ids_seen(county, state="history") == {one.pk}
    assert ids_seen(county, state="acknowledged") == {one.pk}
    assert len(ids_seen(county, kind="group")) == 2
    assert len(ids_seen(county, region=people.tree.town_a2.pk)) == 1  # the spanning one is not inside A2


def test_bad_filters_are_400_and_a_region_outside_is_404(people, warnings):
    client = client_for(people.town_dispatcher)
    assert_error(client.get(URL, {"kind": "nonsense"}), 400)
    assert_error(client.get(URL, {"state": "nonsense"}), 400)
    assert_error(client.get(URL, {"region": people.tree.town_a2.pk}), 404)
    assert_error(client.get(URL, {"region": "x"}), 400)


@pytest.mark.parametrize("extra", [0, 4])
def test_list_query_count_is_constant(people, only_rule, category, extra, django_assert_num_queries):
    only_rule(WarningKind.GROUP, min_people=5)
    for _i in range(1 + extra):
        case_at(NOW - DAY, people.tree.village_a1x, category, people_involved=9)
    with clock.frozen_at(NOW):
        warnings_evaluate_all()
    client = client_for(people.county_dispatcher)
    # session, user, count, page of warnings, the cases behind them
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.json()["count"] == 1 + extra


def test_acknowledge_then_the_second_gets_409(people, warnings):
    warning = EarlyWarning.objects.filter(township=people.tree.town_a1).get()
    first = client_for(people.town_dispatcher).post(f"{URL}{warning.pk}/acknowledge/", {"note": "已核实"}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["state"] == WarningState.ACKNOWLEDGED

    second = client_for(people.county_dispatcher).post(f"{URL}{warning.pk}/acknowledge/", {}, format="json")
    assert_error(second, 409)


def test_actions_are_scoped_and_role_checked(people, warnings):
    warning = EarlyWarning.objects.filter(township=people.tree.town_a1).get()
    assert_error(client_for(people.other_town_dispatcher).post(f"{URL}{warning.pk}/acknowledge/", {}), 404)
    assert_error(client_for(people.town_staff).post(f"{URL}{warning.pk}/acknowledge/", {}), 403)
    assert_error(client_for(people.town_dispatcher).post(f"{URL}999999/acknowledge/", {}), 404)
    assigned = client_for(people.town_dispatcher).post(
        f"{URL}{warning.pk}/assign/", {"assignee_id": people.town_staff.pk, "note": "入户核实"}, format="json")
    assert assigned.status_code == 200 and assigned.json()["assignee"]["id"] == people.town_staff.pk
    assert_error(client_for(people.town_dispatcher).post(f"{URL}{warning.pk}/assign/", {"note": "x"}), 400)


def test_registration_enqueues_the_evaluation_after_commit(people, only_rule, django_capture_on_commit_callbacks):
    only_rule(WarningKind.GROUP, min_people=5)
    category = CategoryFactory(code="W-REG", name="登记测试")
    clerk = people.town_staff
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clerk).post("/api/v1/cases/", case_payload(
            people.tree.village_a1x, category, people_involved=6), format="json")
    assert response.status_code == 201, response.content
    warning = EarlyWarning.objects.get()
    assert list(warning.cases.values_list("pk", flat=True)) == [response.json()["id"]]


def test_schema_documents_the_warning_endpoints(db):
    spec = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)
    assert {"/api/v1/warnings/", "/api/v1/warnings/{id}/acknowledge/", "/api/v1/warnings/{id}/assign/"} <= set(
        spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/v1/warnings/"]["get"]["parameters"]}
    assert {"state", "kind", "region", "ordering", "page", "page_size"} <= names
    assert "409" in spec["paths"]["/api/v1/warnings/{id}/acknowledge/"]["post"]["responses"]
