"""Journey: a grid worker on a 390 px phone files a zero report and logs a patrol; the pages
fit the screen (no horizontal scrolling) and the township clerk sees the grid's records."""
import datetime as dt

import pytest

from governance.models import Role
from grids.models import GridWorkerAssignment, Patrol, Screening
from tests.e2e.conftest import PHONE, login, screenshot
from tests.factories import PASSWORD, GridFactory, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def page_fits(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_grid_worker_files_a_zero_report_and_a_patrol_on_a_phone(reference_data, make_page):
    tree = RegionTree()
    worker = UserFactory(username="e2e_grid", role=Role.GRID_WORKER, region=tree.village_a1x)
    grid = GridFactory(region=tree.village_a1x, name="云梦堤社区第1网格")
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2025, 1, 1))
    phone = make_page(PHONE)
    login(phone, "e2e_grid", PASSWORD)

    phone.goto("/grids/field/")
    page_fits(phone)
    screenshot(phone, "grid_fieldwork_390")
    # a zero report: open the grid's 填报 link, keep 0, submit
    phone.click(f"a[href='/grids/field/screening/?grid={grid.pk}']")
    page_fits(phone)
    phone.click("[data-testid=field-submit]")
    phone.wait_for_load_state("load")
    assert "已填报排查" in phone.content()
    # a patrol with a finding
    phone.click("[data-testid=patrol-new]")
    phone.fill("#id_route", "幸福路—菜市场")
    phone.fill("#id_findings", "路灯损坏")
    page_fits(phone)
    screenshot(phone, "grid_patrol_390")
    phone.click("[data-testid=field-submit]")
    phone.wait_for_load_state("load")
    assert "路灯损坏" in phone.content()
    assert Screening.objects.get(grid=grid).zero_report
    assert Patrol.objects.get(grid=grid).findings == "路灯损坏"
