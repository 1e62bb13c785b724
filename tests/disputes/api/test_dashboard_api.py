"""GET /api/v1/dashboard/ and /api/v1/statistics/<name>/: the caller's jurisdiction, ?period=
and ?region= inside it (outside → 404), each count with the filters of GET /api/v1/cases/
that count it, in the OpenAPI schema, constant queries."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from disputes.models import CaseState, WarningLevel
from disputes.selectors.statistics import STATISTICS
from governance.models import Role
from tests.factories import CaseFactory, UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def users(tree):
    return {
        "county": UserFactory(role=Role.DISPATCHER, region=tree.county_a),
        "township": UserFactory(role=Role.DISPATCHER, region=tree.town_b1),
        "clerk": UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1),
    }


def seed(tree, user):
    CaseFactory(village=tree.village_a1x, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED,
                registered_by=user)
    CaseFactory(village=tree.village_a2x, state=CaseState.ACCEPTED, registered_by=user)
    CaseFactory(village=tree.village_b1x, state=CaseState.ACCEPTED, warning_level=WarningLevel.RED,
                registered_by=user)


def test_dashboard_figures_match_the_case_list_api(tree, users):
    seed(tree, users["county"])
    client = client_for(users["county"])
    body = client.get("/api/v1/dashboard/", {"period": "week"}).json()
    assert body["region_id"] == tree.county_a.pk and body["period"]["name"] == "week"
    figures = {f["key"]: f for f in body["figures"]}
    assert figures["red"]["value"] == 1 and figures["registered_today"]["value"] == 2
    for figure in body["figures"]:
        listed = client.get("/api/v1/cases/", figure["filters"]).json()["count"]
        assert listed == figure["value"], figure["key"]
    assert {q["name"]: q["count"] for q in body["queues"]}["overdue"] == 1


def test_township_sees_only_its_township(tree, users):
    seed(tree, users["county"])
    body = client_for(users["township"]).get("/api/v1/dashboard/").json()
    assert {f["key"]: f["value"] for f in body["figures"]}["red"] == 1
    assert "escalated" not in {q["name"] for q in body["queues"]}
    stat = client_for(users["township"]).get("/api/v1/statistics/region/").json()
    assert [row["region"]["value"] for row in stat["rows"]] == [tree.village_b1x.name]


def test_region_outside_is_404_and_bad_input_400(tree, users):
    client = client_for(users["county"])
    assert client.get("/api/v1/dashboard/", {"region": tree.town_b1.pk}).status_code == 404
    assert client.get("/api/v1/statistics/region/", {"region": tree.town_b1.pk}).status_code == 404
    assert client.get("/api/v1/dashboard/", {"region": tree.town_a1.pk}).status_code == 200
    assert client.get("/api/v1/dashboard/", {"period": "decade"}).status_code == 400
    bad = client.get("/api/v1/dashboard/", {"period": "custom", "start": "2026-02-01", "end": "2026-01-01"})
    assert bad.status_code == 400 and bad.json()["message"]
    assert client.get("/api/v1/statistics/nope/").status_code == 404
    assert client_for(users["clerk"]).get("/api/v1/dashboard/").status_code == 403
    assert APIClient().get("/api/v1/dashboard/").status_code in (401, 403)


@pytest.mark.parametrize("name", list(STATISTICS))
def test_each_statistic_cell_matches_the_case_list_api(tree, users, name):
    seed(tree, users["county"])
    client = client_for(users["county"])
    body = client.get(f"/api/v1/statistics/{name}/", {"period": "month"}).json()
    for row in body["rows"]:
        for cell in row.values():
            if cell["filters"]:
                assert client.get("/api/v1/cases/", cell["filters"]).json()["count"] == cell["value"]


def test_constant_query_count(tree, users):
    client = client_for(users["county"])
    seed(tree, users["county"])
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as dash, CaptureQueriesContext(connection):
            client.get("/api/v1/dashboard/")
        with CaptureQueriesContext(connection) as stat:
            client.get("/api/v1/statistics/villages/")
        counts.append((len(dash), len(stat)))
        for _ in range(4):
            seed(tree, users["county"])
    assert counts[0] == counts[1]


def test_in_the_openapi_schema(db):
    spec = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)
    assert "/api/v1/dashboard/" in spec["paths"] and "/api/v1/statistics/{name}/" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/dashboard/"]["get"]["parameters"]}
    assert {"period", "start", "end", "region"} <= params
    stat_params = {p["name"]: p for p in spec["paths"]["/api/v1/statistics/{name}/"]["get"]["parameters"]}
    assert sorted(stat_params["name"]["schema"]["enum"]) == sorted(STATISTICS)
