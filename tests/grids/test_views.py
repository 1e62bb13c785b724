"""The grid worker's phone screen: own grids, cases scoped by jurisdiction, foreign grid → 404."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from disputes.models import CaseState
from governance.errors import NotFound
from governance.models import Role
from governance.scoping import scope_for
from grids.contract import grid_case_reader
from grids.models import GridWorkerAssignment
from grids.selectors import grid_get, grid_list_current
from tests.factories import CaseFactory, GridFactory, UserFactory

pytestmark = pytest.mark.django_db


def assign(grid, worker, ended_on=None):
    return GridWorkerAssignment.objects.create(
        grid=grid, worker=worker, started_on=dt.date(2025, 1, 1), ended_on=ended_on)


@pytest.fixture
def worker_setup(tree):
    """A grid worker of 云梦堤社区 (七一路街道) with one current and one ended tenure."""
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    registrar = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    mine = GridFactory(region=tree.village_a1x, name="云梦堤一网格")
    old = GridFactory(region=tree.village_a1x, name="云梦堤旧网格")
    assign(mine, worker)
    assign(old, worker, ended_on=dt.date(2025, 6, 1))
    return worker, registrar, mine, old


def test_mine_lists_current_grids_and_their_cases(client, tree, worker_setup):
    # given cases in my grid, in my former grid and in no grid
    worker, registrar, mine, old = worker_setup
    in_mine = CaseFactory(village=tree.village_a1x, grid=mine, registered_by=registrar, title="楼道堆物纠纷")
    CaseFactory(village=tree.village_a1x, grid=old, registered_by=registrar, title="旧网格的事")
    CaseFactory(village=tree.village_a1x, registered_by=registrar, title="无网格的事")
    client.force_login(worker)

    # when the worker opens the phone screen
    response = client.get(reverse("grids:mine"))

    # then only the current grid and its case are shown
    body = response.content.decode()
    assert response.status_code == 200
    assert "云梦堤一网格" in body
    assert "云梦堤旧网格" not in body
    assert in_mine.title in body and in_mine.number in body
    assert "旧网格的事" not in body and "无网格的事" not in body
    assert "已登记" in body


def test_mine_report_button_links_to_the_field_report_for_the_grid(client, tree, worker_setup):
    worker, _, mine, _ = worker_setup
    client.force_login(worker)

    body = client.get(reverse("grids:mine")).content.decode()

    try:
        report = reverse("disputes:field_report")
    except NoReverseMatch:  # field report not wired: the button is hidden, not broken
        assert 'data-testid="report-event"' not in body
    else:
        assert f'href="{report}?grid={mine.pk}"' in body
        assert "上报事件" in body
        assert f'href="{reverse("disputes:field_reports")}"' in body


def test_mine_hides_cases_of_another_township_even_in_an_assigned_grid(client, tree):
    # given a worker of 七一路街道 somehow assigned to a grid of 城关街道 (another county)
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.town_a1)
    foreign = GridFactory(region=tree.village_b1x, name="城关网格")
    assign(foreign, worker)
    registrar = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_b1)
    CaseFactory(village=tree.village_b1x, grid=foreign, registered_by=registrar, title="城关的事")
    client.force_login(worker)

    body = client.get(reverse("grids:mine")).content.decode()

    # then neither the foreign grid nor its case is shown
    assert "城关网格" not in body
    assert "城关的事" not in body
    assert 'data-testid="no-grids"' in body


def test_grid_detail_in_scope_shows_only_that_grid(client, tree, worker_setup):
    worker, registrar, mine, _ = worker_setup
    other = GridFactory(region=tree.village_a1x, name="云梦堤二网格")
    CaseFactory(village=tree.village_a1x, grid=mine, registered_by=registrar, title="甲事")
    CaseFactory(village=tree.village_a1x, grid=other, registered_by=registrar, title="乙事")
    client.force_login(worker)

    body = client.get(reverse("grids:detail", args=[other.pk])).content.decode()

    assert "乙事" in body and "甲事" not in body


def test_grid_detail_outside_jurisdiction_is_404(client, tree, worker_setup):
    worker, *_ = worker_setup
    foreign = GridFactory(region=tree.village_a1y)  # same township, other village
    far = GridFactory(region=tree.village_b1x)
    client.force_login(worker)

    assert client.get(reverse("grids:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("grids:detail", args=[far.pk])).status_code == 404
    assert client.get(reverse("grids:detail", args=[999999])).status_code == 404


def test_township_staff_sees_grid_of_own_township_only(client, tree):
    staff = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    inside = GridFactory(region=tree.village_a1y)
    outside = GridFactory(region=tree.village_a2x)
    client.force_login(staff)

    assert client.get(reverse("grids:detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("grids:detail", args=[outside.pk])).status_code == 404


def test_mine_requires_login(client):
    response = client.get(reverse("grids:mine"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_mine_query_count_is_constant(client, tree, worker_setup):
    # given a worker with two grids
    worker, registrar, mine, _ = worker_setup
    second = GridFactory(region=tree.village_a1x)
    assign(second, worker)
    client.force_login(worker)

    def queries_with(rows: int) -> int:
        for i in range(rows):
            CaseFactory(village=tree.village_a1x, grid=mine if i % 2 else second, registered_by=registrar)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("grids:mine"))
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["cases"])

    # when the screen renders with 2 cases and then with 10
    two, shown_two = queries_with(2)
    ten, shown_ten = queries_with(8)

    # then the number of queries does not grow with the rows
    assert (shown_two, shown_ten) == (2, 10)
    assert two == ten


# --- selectors ---------------------------------------------------------------------------


def test_selectors_scope_grids_and_cases(tree, worker_setup):
    worker, registrar, mine, _ = worker_setup
    far = GridFactory(region=tree.village_b1x)
    far_case = CaseFactory(village=tree.village_b1x, grid=far, registered_by=registrar, state=CaseState.ACCEPTED)
    scope = scope_for(worker)

    assert list(grid_list_current(scope=scope, worker_id=worker.pk)) == [mine]
    assert grid_get(scope=scope, grid_id=mine.pk) == mine
    with pytest.raises(NotFound):
        grid_get(scope=scope, grid_id=far.pk)
    assert far_case.pk not in {c.id for c in grid_case_reader()(scope=scope, grid_ids=[far.pk], limit=50)}


def test_mine_with_two_grids_offers_one_report_button_per_grid(client, tree, worker_setup):
    worker, _, mine, _ = worker_setup
    second = GridFactory(region=tree.village_a1x)
    assign(second, worker)
    client.force_login(worker)

    body = client.get(reverse("grids:mine")).content.decode()

    report = reverse("disputes:field_report")
    assert f'href="{report}" data-testid="report-event"' in body
    assert f'href="{report}?grid={mine.pk}"' in body
    assert f'href="{report}?grid={second.pk}"' in body
