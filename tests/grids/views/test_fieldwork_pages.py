"""The grid worker's field work pages (phone): patrol, screening (zero report), hazard and
follow-up; only their own grids; the finding links to the field report page once it exists."""
import datetime as dt

import pytest
from django.urls import reverse

from governance.clock import frozen_at
from governance.models import Role
from grids.fieldwork_views import field_report_url
from grids.models import GridWorkerAssignment, HazardInspection, Patrol, Screening
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with frozen_at(NOW):
        yield


@pytest.fixture
def worker_client(client, tree):
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    mine = GridFactory(region=tree.village_a1x, name="我的网格")
    GridWorkerAssignment.objects.create(grid=mine, worker=worker, started_on=dt.date(2026, 1, 1))
    client.force_login(worker)
    return client, mine


def test_home_shows_big_buttons_and_the_month_s_screening(worker_client):
    client, mine = worker_client
    body = client.get(reverse("grids:fieldwork")).content.decode()
    assert 'data-testid="patrol-new"' in body and "我的网格" in body
    assert f"?grid={mine.pk}" in body  # not filed yet: a 填报 link for the grid


def test_patrol_with_findings_is_recorded_and_listed(worker_client):
    client, mine = worker_client
    response = client.post(reverse("grids:patrol_new"), {"grid": mine.pk, "patrolled_on": "2026-06-15",
                                                          "route": "幸福路—菜市场", "findings": "井盖缺失"})
    assert response.status_code == 302
    patrol = Patrol.objects.get()
    body = client.get(reverse("grids:fieldwork")).content.decode()
    assert "井盖缺失" in body
    url = field_report_url(mine.pk, patrol.pk)
    assert url is None or f"grid={mine.pk}&amp;patrol={patrol.pk}" in body


def test_a_zero_report_in_one_form_and_a_second_one_is_refused(worker_client):
    client, mine = worker_client
    data = {"grid": mine.pk, "period_start": "2026-06", "disputes_found": 0, "notes": ""}
    assert client.post(reverse("grids:screening_new"), data).status_code == 302
    assert Screening.objects.get().zero_report
    assert "2026-06 的排查已填报" in client.post(reverse("grids:screening_new"), data).content.decode()


def test_a_grid_not_held_is_not_offered_and_refused(tree, worker_client):
    client, _ = worker_client
    other = GridFactory(region=tree.village_a1x, name="别人的网格")
    assert "别人的网格" not in client.get(reverse("grids:patrol_new")).content.decode()
    response = client.post(reverse("grids:patrol_new"), {"grid": other.pk, "patrolled_on": "2026-06-15",
                                                          "route": "x"})
    assert response.status_code == 200 and not Patrol.objects.exists()


def test_hazard_and_follow_up(worker_client):
    client, mine = worker_client
    client.post(reverse("grids:hazard_new"), {"grid": mine.pk, "inspected_on": "2026-06-15", "location": "老楼",
                                              "description": "外墙脱落", "rectify_by": "2026-06-10"})
    assert not HazardInspection.objects.exists()
    client.post(reverse("grids:hazard_new"), {"grid": mine.pk, "inspected_on": "2026-06-15", "location": "老楼",
                                              "description": "外墙脱落", "rectify_by": "2026-06-30"})
    hazard = HazardInspection.objects.get()
    client.post(reverse("grids:hazard_follow_up", args=[hazard.pk]), {"note": "已拉警戒线", "rectified": "on"})
    hazard.refresh_from_db()
    assert hazard.rectified_on == dt.date(2026, 6, 15)


def test_a_hazard_of_another_township_is_404(tree, worker_client, client):
    client, _ = worker_client
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a2)
    grid = GridFactory(region=tree.village_a2x)
    hazard = HazardInspection(grid=grid, recorded_by=clerk, inspected_on=dt.date(2026, 6, 1), location="x",
                              description="y", rectify_by=dt.date(2026, 6, 2))
    hazard.save()
    assert client.get(reverse("grids:hazard_follow_up", args=[hazard.pk])).status_code == 404


def test_leaders_do_not_record_field_work(tree, client):
    client.force_login(UserFactory(role=Role.LEADER, region=tree.town_a1))
    assert client.get(reverse("grids:patrol_new")).status_code == 403
