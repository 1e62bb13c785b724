"""GET/POST /api/v1/field-reports/: a phone app reports like the phone page, scoped, retry-safe."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from disputes.models import Case, CategoryKind, Channel
from governance.models import Role
from grids.models import GridWorkerAssignment
from tests.factories import CaseFactory, CategoryFactory, GridFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/field-reports/"


@pytest.fixture
def field(tree):
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    grid = GridFactory(region=tree.village_a1x, name="云梦堤第一网格")
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2025, 1, 1))
    client = APIClient()
    client.force_authenticate(worker)
    return worker, grid, client, CategoryFactory(kind=CategoryKind.INCIDENT)


def test_a_worker_reports_an_incident_without_a_party_and_sees_it_listed(field):
    worker, grid, client, category = field

    response = client.post(URL, {"category": category.pk, "description": "幸福路12号路灯不亮"}, format="json")

    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.channel, case.grid_id, case.registered_by_id) == (Channel.GRID, grid.pk, worker.pk)
    assert response.json()["handler"].endswith("综治中心")
    listed = client.get(URL).json()
    assert [row["number"] for row in listed["results"]] == [case.number]


def test_a_retried_upload_with_the_same_key_registers_one_case(field):
    _, _, client, category = field
    body = {"category": category.pk, "description": "井盖缺失"}

    first = client.post(URL, body, format="multipart", HTTP_IDEMPOTENCY_KEY="phone-1")
    again = client.post(URL, body, format="multipart", HTTP_IDEMPOTENCY_KEY="phone-1")

    assert (first.status_code, again.status_code) == (201, 200), first.json()
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.filter(channel=Channel.GRID).count() == 1


@pytest.mark.parametrize("body, field_name", [
    ({"description": "无类别"}, "category"),
    ({"category": 1, "description": ""}, "description"),
    ({"category": 1, "description": "坐标", "latitude": 1e308}, "latitude"),
    ({"category": 2**40, "description": "很大的编号"}, "category"),
])
def test_bad_input_is_a_400_with_the_field_and_nothing_saved(field, body, field_name):
    _, _, client, _ = field

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field_name in str(response.json()["extra"])
    assert not Case.objects.exists()


def test_a_grid_the_worker_does_not_hold_is_refused(field, tree):
    _, _, client, category = field
    other = GridFactory(region=tree.village_a1y)

    response = client.post(URL, {"category": category.pk, "description": "别处", "grid": other.pk}, format="json")

    assert response.status_code == 400
    assert "该网格不由您负责" in str(response.json())
    assert not Case.objects.exists()


def test_lists_are_scoped_a_worker_sees_own_and_a_township_only_its_own(field, tree):
    worker, grid, client, category = field
    client.post(URL, {"category": category.pk, "description": "本人上报"}, format="json")
    other_worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    CaseFactory(village=tree.village_a1x, grid=grid, channel=Channel.GRID, registered_by=other_worker, title="同事上报")
    CaseFactory(village=tree.village_b1x, channel=Channel.GRID, title="外区上报")
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    outsider = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_b1)

    mine = [row["title"] for row in client.get(URL).json()["results"]]
    staff = APIClient()
    staff.force_authenticate(clerk)
    township = [row["title"] for row in staff.get(URL).json()["results"]]
    staff.force_authenticate(outsider)
    foreign = [row["title"] for row in staff.get(URL).json()["results"]]

    assert mine == ["本人上报"]
    assert sorted(township) == ["同事上报", "本人上报"]
    assert foreign == ["外区上报"]


def test_the_list_costs_the_same_queries_for_one_report_or_ten(field, tree):
    worker, grid, client, category = field
    CaseFactory(village=tree.village_a1x, grid=grid, channel=Channel.GRID, registered_by=worker)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for _ in range(9):
        CaseFactory(village=tree.village_a1x, grid=grid, channel=Channel.GRID, registered_by=worker)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(URL).json()["results"]) == 10
    assert len(ten) == len(one)
