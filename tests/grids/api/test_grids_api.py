"""The grids API and the reference data: scoped, paginated, constant queries, in the schema."""
import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from disputes.models import RiskGrade
from governance.clock import frozen_at
from governance.models import Role
from grids.models import GridWorkerAssignment, Patrol
from tests.factories import CategoryFactory, DepartmentFactory, GridFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with frozen_at(NOW):
        yield


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(tree):
    return UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)


def ids(body):
    return [row["id"] for row in body["results"]]


def test_grid_list_shows_only_the_jurisdiction_s_grids(tree, clerk):
    mine = GridFactory(region=tree.village_a1x)
    GridFactory(region=tree.village_a2x)
    body = client_for(clerk).get("/api/v1/grids/").json()
    assert (body["count"], ids(body)) == (1, [mine.pk])
    assert body["results"][0]["village"]["code"] == tree.village_a1x.code
    assert client_for(clerk).get("/api/v1/grids/", {"village": tree.village_a2x.pk}).status_code == 404
    response = client_for(clerk).get("/api/v1/grids/", {"kind": "mall"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


@pytest.mark.parametrize("count", [2, 10])
def test_grid_list_query_count_is_constant(tree, clerk, count, django_assert_num_queries):
    for n in range(count):
        GridFactory(region=tree.village_a1x if n % 2 else tree.village_a1y)
    client = client_for(clerk)
    # session, user with region (scope), count, page
    with django_assert_num_queries(4):
        assert client.get("/api/v1/grids/").json()["count"] == count


@pytest.mark.parametrize("count", [2, 10])
def test_grid_worker_list_query_count_is_constant(tree, clerk, count, django_assert_num_queries):
    for _ in range(count):
        GridWorkerAssignment.objects.create(grid=GridFactory(region=tree.village_a1x), started_on=dt.date(2026, 1, 1),
                                            worker=UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x))
    GridWorkerAssignment.objects.create(grid=GridFactory(region=tree.village_b1x), started_on=dt.date(2026, 1, 1),
                                        worker=UserFactory(role=Role.GRID_WORKER, region=tree.village_b1x))
    client = client_for(clerk)
    with django_assert_num_queries(4):
        body = client.get("/api/v1/grid-workers/", {"current": "true"}).json()
    assert body["count"] == count
    assert body["results"][0]["employment_label"] == "专职"


@pytest.mark.parametrize("count", [2, 10])
def test_patrol_list_query_count_is_constant(tree, clerk, count, django_assert_num_queries):
    grid = GridFactory(region=tree.village_a1x)
    for _ in range(count):
        Patrol(grid=grid, recorded_by=clerk, patrolled_on=dt.date(2026, 6, 1), route="幸福路").save()
    Patrol(grid=GridFactory(region=tree.village_a2x), recorded_by=clerk, patrolled_on=dt.date(2026, 6, 1),
           route="邻街").save()
    client = client_for(clerk)
    with django_assert_num_queries(4):
        assert client.get("/api/v1/patrols/").json()["count"] == count


def test_a_worker_posts_a_patrol_on_their_grid_only(tree):
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    mine = GridFactory(region=tree.village_a1x)
    other = GridFactory(region=tree.village_a1x)
    elsewhere = GridFactory(region=tree.village_a2x)
    GridWorkerAssignment.objects.create(grid=mine, worker=worker, started_on=dt.date(2026, 1, 1))
    client = client_for(worker)
    ok = client.post("/api/v1/patrols/", {"grid_id": mine.pk, "patrolled_on": "2026-06-15", "route": "幸福路",
                                          "findings": "路灯坏了"}, format="json")
    assert ok.status_code == 201 and ok.json()["grid"]["id"] == mine.pk
    assert client.post("/api/v1/patrols/", {"grid_id": other.pk, "patrolled_on": "2026-06-15", "route": "x"},
                       format="json").json()["code"] == "not_your_grid"
    assert client.post("/api/v1/patrols/", {"grid_id": elsewhere.pk, "patrolled_on": "2026-06-15", "route": "x"},
                       format="json").status_code == 404
    bad = client.post("/api/v1/patrols/", {"grid_id": mine.pk, "patrolled_on": "2026-07-01", "route": "x"},
                      format="json")
    assert bad.status_code == 400 and bad.json()["message"] == "日期不能晚于今天"
    assert Patrol.objects.count() == 1
    # the worker lists their own patrols
    assert client.get("/api/v1/patrols/").json()["count"] == 1


def test_handlers_get_403_from_the_grid_lists(tree):
    handler = UserFactory(role=Role.HANDLER, region=tree.town_a1)
    assert client_for(handler).get("/api/v1/grids/").status_code == 403


def test_regions_are_the_jurisdiction_and_below(tree, clerk):
    body = client_for(clerk).get("/api/v1/regions/", {"page_size": 100}).json()
    assert sorted(r["code"] for r in body["results"]) == ["610202001", "610202001001", "610202001002"]
    villages = client_for(clerk).get("/api/v1/regions/", {"level": "village"}).json()
    assert villages["count"] == 2
    assert client_for(clerk).get("/api/v1/regions/", {"parent": tree.county_b.pk}).status_code == 404
    assert client_for(clerk).get("/api/v1/regions/", {"level": "planet"}).status_code == 400


def test_departments_inside_the_jurisdiction(tree, clerk):
    mine = DepartmentFactory(region=tree.town_a1)
    DepartmentFactory(region=tree.town_a2)
    body = client_for(clerk).get("/api/v1/departments/").json()
    assert ids(body) == [mine.pk] and body["results"][0]["kind_label"] == "司法"


def test_categories_and_risk_grades_are_reference_data(tree, clerk):
    CategoryFactory(code="ZZ1", name="测试类别")
    body = client_for(clerk).get("/api/v1/categories/", {"page_size": 100}).json()
    assert "测试类别" in [c["name"] for c in body["results"]]
    grades = client_for(clerk).get("/api/v1/risk-grades/").json()
    assert grades["count"] == RiskGrade.objects.count()
    assert APIClient().get("/api/v1/categories/").status_code in (401, 403)


def test_schema_lists_the_new_paths():
    from django.test import Client
    spec = json.loads(Client().get("/api/schema/", {"format": "json"}).content)
    assert {"/api/v1/grids/", "/api/v1/grid-workers/", "/api/v1/patrols/", "/api/v1/regions/",
            "/api/v1/departments/", "/api/v1/categories/", "/api/v1/risk-grades/"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/v1/grids/"]["get"]["parameters"]}
    assert {"village", "kind", "active", "q", "page", "page_size"} <= params
