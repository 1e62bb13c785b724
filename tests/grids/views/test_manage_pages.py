"""Grid management pages: scoped lists and pages, create/edit/split/merge, tenures, workers,
screening overview and statistics; another township's grid is 404 everywhere."""
import datetime as dt

import pytest
from django.urls import reverse

from governance.clock import frozen_at
from governance.models import Role
from grids.models import Grid, GridWorkerAssignment, Screening, Training
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with frozen_at(NOW):
        yield


@pytest.fixture
def clerk(tree):
    return UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)


@pytest.fixture
def signed_in(client, clerk):
    client.force_login(clerk)
    return client


def test_list_shows_only_grids_inside_the_jurisdiction_with_constant_queries(
        tree, signed_in, django_assert_max_num_queries):
    for n in range(1, 6):
        grid = GridFactory(region=tree.village_a1x, code=f"610202001001{n:03d}", name=f"本街网格{n}")
        GridWorkerAssignment.objects.create(grid=grid, worker=UserFactory(role=Role.GRID_WORKER,
                                            region=tree.village_a1x), started_on=dt.date(2026, 1, 1))
    GridFactory(region=tree.village_a2x, name="邻街网格")
    with django_assert_max_num_queries(8):
        body = signed_in.get(reverse("grids:manage_list")).content.decode()
    assert body.count("本街网格") == 5 and "邻街网格" not in body
    assert "共 5 条" in body


def test_list_filters_by_village_and_a_village_elsewhere_is_404(tree, signed_in):
    GridFactory(region=tree.village_a1x, name="云梦堤网格")
    GridFactory(region=tree.village_a1y, name="青年路网格")
    body = signed_in.get(reverse("grids:manage_list"), {"village": tree.village_a1y.pk}).content.decode()
    assert "青年路网格" in body and "云梦堤网格" not in body
    assert signed_in.get(reverse("grids:manage_list"), {"village": tree.village_a2x.pk}).status_code == 404


@pytest.mark.parametrize("name", ["grids:manage_detail", "grids:manage_edit", "grids:manage_split",
                                  "grids:manage_merge", "grids:tenure_new"])
def test_a_grid_of_another_township_is_404(tree, signed_in, name):
    other = GridFactory(region=tree.village_a2x)
    assert signed_in.get(reverse(name, args=[other.pk])).status_code == 404


def test_grid_worker_and_handler_cannot_open_management(tree, client):
    client.force_login(UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x))
    assert client.get(reverse("grids:manage_list")).status_code == 403


def test_leader_reads_but_cannot_create(tree, client):
    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_a))
    assert client.get(reverse("grids:manage_list")).status_code == 200
    assert client.get(reverse("grids:manage_new")).status_code == 403


def test_create_shows_the_service_error_next_to_the_field(tree, signed_in):
    response = signed_in.post(reverse("grids:manage_new"), {
        "code": "610202001002001", "name": "新网格", "village": tree.village_a1x.pk, "kind": "urban",
        "households": 10, "population": 30})
    assert response.status_code == 200
    assert "网格编码应为所属村(社区)编码 610202001001 加 3 位数字" in response.content.decode()
    assert not Grid.objects.exists()
    response = signed_in.post(reverse("grids:manage_new"), {
        "code": "610202001001001", "name": "新网格", "village": tree.village_a1x.pk, "kind": "urban",
        "households": 10, "population": 30, "boundary": "{not json"})
    assert "边界不是有效的 GeoJSON 文本" in response.content.decode()
    response = signed_in.post(reverse("grids:manage_new"), {
        "code": "610202001001001", "name": "新网格", "village": tree.village_a1x.pk, "kind": "urban",
        "households": 10, "population": 30})
    grid = Grid.objects.get()
    assert response.status_code == 302 and response.url == reverse("grids:manage_detail", args=[grid.pk])


def test_edit_split_and_merge_through_the_pages(tree, signed_in):
    grid = GridFactory(region=tree.village_a1x, code="610202001001001", name="老网格")
    signed_in.post(reverse("grids:manage_edit", args=[grid.pk]), {
        "code": grid.code, "name": "老网格(改)", "village": tree.village_a1x.pk, "kind": "rural",
        "households": 5, "population": 9})
    grid.refresh_from_db()
    assert (grid.name, grid.kind) == ("老网格(改)", "rural")
    parts = {}
    for n, code in enumerate(["002", "003"]):
        parts.update({f"p{n}-code": f"610202001001{code}", f"p{n}-name": f"新{code}", f"p{n}-kind": "urban",
                      f"p{n}-households": 1, f"p{n}-population": 2})
    response = signed_in.post(reverse("grids:manage_split", args=[grid.pk]) + "?parts=2", parts)
    assert response.status_code == 302
    a, b = Grid.objects.filter(is_active=True).order_by("code")
    page = signed_in.get(reverse("grids:manage_detail", args=[a.pk])).content.decode()
    assert "由以下网格调整而来" in page and "老网格(改)" in page
    response = signed_in.post(reverse("grids:manage_merge", args=[a.pk]), {
        "others": [b.pk], "into-code": "610202001001009", "into-name": "合并后", "into-kind": "urban",
        "into-households": 3, "into-population": 4})
    assert response.status_code == 302
    assert list(Grid.objects.filter(is_active=True).values_list("name", flat=True)) == ["合并后"]


def test_tenure_pages_assign_refuse_overlap_and_end(tree, signed_in):
    grid = GridFactory(region=tree.village_a1x)
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x, display_name="张网格")
    url = reverse("grids:tenure_new", args=[grid.pk])
    assert "张网格" in signed_in.get(url).content.decode()
    signed_in.post(url, {"worker": worker.pk, "employment": "full_time", "started_on": "2026-01-01"})
    response = signed_in.post(url, {"worker": worker.pk, "employment": "full_time", "started_on": "2026-03-01"})
    assert "与本次任职时间重叠" in response.content.decode()
    tenure = GridWorkerAssignment.objects.get()
    signed_in.post(reverse("grids:tenure_end", args=[tenure.pk]), {"ended_on": "2026-06-01", "reason": "调动"})
    tenure.refresh_from_db()
    assert tenure.ended_on == dt.date(2026, 6, 1)
    body = signed_in.get(reverse("grids:workers")).content.decode()
    assert 'data-testid="leavers">1<' in body and 'data-testid="vacancies">1<' in body


def test_worker_page_records_training_and_another_township_worker_is_404(tree, signed_in):
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    signed_in.post(reverse("grids:worker_detail", args=[worker.pk]),
                   {"held_on": "2026-06-01", "topic": "人民调解实务", "hours": "3"})
    assert Training.objects.get().topic == "人民调解实务"
    assert "人民调解实务" in signed_in.get(reverse("grids:worker_detail", args=[worker.pk])).content.decode()
    other = UserFactory(role=Role.GRID_WORKER, region=tree.village_a2x)
    assert signed_in.get(reverse("grids:worker_detail", args=[other.pk])).status_code == 404


def test_screening_overview_lists_overdue_grids_of_the_township_only(tree, signed_in, clerk):
    filed = GridFactory(region=tree.village_a1x, name="已报网格")
    GridFactory(region=tree.village_a1x, name="未报网格")
    GridFactory(region=tree.village_a2x, name="邻街未报")
    Screening(grid=filed, recorded_by=clerk, period_start=dt.date(2026, 5, 1), filed_on=dt.date(2026, 5, 30),
              zero_report=True).save()
    body = signed_in.get(reverse("grids:screening_overview"), {"month": "2026-05"}).content.decode()
    missing = body.split('data-testid="screening-missing"')[1].split('data-testid="screening-filed"')[0]
    assert "逾期未排查的网格" in missing and "未报网格" in missing and "已报网格" not in missing
    assert "邻街未报" not in body
    assert signed_in.get(reverse("grids:screening_overview"), {"month": "0001-01"}).status_code == 200


def test_stats_page_rows_are_the_villages_of_the_township(tree, signed_in):
    GridFactory(region=tree.village_a1x)
    body = signed_in.get(reverse("grids:stats"), {"year": "2026"}).content.decode()
    assert "云梦堤社区" in body and "青年路社区" in body and "红旗社区" not in body
