"""Journeys (issue 13) on the county center's screen, in a real browser:

- a county dispatcher watches 待分流; a township case accepted and reported up appears there
  by itself (htmx polling), is dispatched from the queue to a county department (the
  deadline shown before confirming) without a page reload, and the figures change;
- a township's overdue bar on 统计分析 opens a case list of the same count, and that list's
  .xlsx (read back with openpyxl) has the same rows;
- the wall screen at 1920×1080 (screenshot saved to var/screenshots/dashboard-wall-1920.png).
"""
from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from django.utils import timezone

from disputes import services
from disputes.models import Case, CaseState, Category, Channel, PartyKind, PartyRole, WarningLevel
from governance.models import DepartmentKind, RegionLevel, Role
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD, CaseFactory, DepartmentFactory, RegionTree, UserFactory

# Runs on SQLite too: its test database is a file there (tests/conftest.py), so the live
# server's threads answering the dashboard's parallel polls each have their own connection.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tile_value(page, key: str) -> int:
    return int(page.locator(f"[data-testid=tile-{key}]").get_attribute("data-value"))


def wait_for_tile(page, key: str, value: int, timeout: float | None = None) -> None:
    page.wait_for_function("([key, value]) => document.querySelector(`[data-testid=tile-${key}]`).dataset.value === value",
                           arg=[key, str(value)], timeout=timeout)


def test_county_dispatcher_dispatches_from_the_queue_without_reload(make_page, reference_data, settings):
    settings.DASHBOARD_REFRESH_SECONDS = 2
    tree = RegionTree()
    bureau = DepartmentFactory(region=tree.county_a, name="王益区司法局", kind=DepartmentKind.JUSTICE)
    clerk = UserFactory(username="e2e_town_clerk", role=Role.WINDOW_STAFF, region=tree.town_a1)
    dispatcher = UserFactory(username="e2e_county_dispatcher", role=Role.DISPATCHER, region=tree.county_a)
    category = Category.objects.get(name="邻里纠纷")

    page = make_page()
    login(page, dispatcher.username, PASSWORD)
    page.goto("/cases/dashboard/")
    page.wait_for_selector("[data-testid=queue-to_dispatch]")
    page.evaluate("window.__stillHere = true")  # gone if the page reloads
    waiting = tile_value(page, "to_dispatch")
    signing = tile_value(page, "to_sign")

    # when a township case is registered, accepted and reported up to the county
    case = services.case_register(actor=clerk, data=services.CaseInput(
        title="宅基地界址纠纷", narrative="两户因宅基地界址发生争执，村委会调解未果。", category_id=category.pk,
        channel=Channel.VISIT, occurred_at=timezone.now() - dt.timedelta(hours=3), village_id=tree.village_a1x.pk,
    ), parties=[services.PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="王某")])
    services.case_accept(actor=clerk, case_id=case.pk, note="")
    services.case_escalate(actor=clerk, case_id=case.pk, note="涉及多户，本镇无法调处")
    case.refresh_from_db()
    assert case.owning_level == RegionLevel.COUNTY and case.state == CaseState.ACCEPTED

    # then it shows up in 待分流 by itself, and the tile counts it
    row = page.locator(f"[data-testid=queue-to_dispatch] [data-case-id='{case.pk}']")
    row.wait_for(timeout=15_000)
    wait_for_tile(page, "to_dispatch", waiting + 1, timeout=15_000)

    # when the dispatcher dispatches it from the queue to the county 司法局
    row.locator("[data-testid=queue-dispatch]").click()
    panel = page.locator("[data-testid=dispatch-panel]")
    panel.wait_for()
    assert re.search(r"办理期限：\d{4}-\d{2}-\d{2}", panel.locator("[data-testid=dispatch-deadline]").inner_text())
    panel.locator("[name=dispatch-department]").select_option(str(bureau.pk))
    panel.locator("[name=dispatch-instructions]").fill("请依法调处并按期反馈")
    panel.locator("[data-testid=dispatch-confirm]").click()
    page.locator("[data-testid=dispatch-done]").wait_for()

    # then, on the same page, the row leaves the queue and the figures change
    page.locator(f"[data-testid=queue-to_dispatch] [data-case-id='{case.pk}']").wait_for(state="detached")
    wait_for_tile(page, "to_sign", signing + 1)
    assert tile_value(page, "to_dispatch") == waiting
    assert page.evaluate("window.__stillHere") is True
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED and case.assignments.get().department_id == bureau.pk
    screenshot(page, "dashboard-after-dispatch")


def test_overdue_bar_opens_a_list_of_the_same_count_and_its_export_has_those_rows(make_page, reference_data,
                                                                                 tmp_path):
    tree = RegionTree()
    dispatcher = UserFactory(username="e2e_stats_dispatcher", role=Role.DISPATCHER, region=tree.county_a)
    category = Category.objects.get(name="邻里纠纷")
    for village, warning, n in ((tree.village_a1x, WarningLevel.RED, 3), (tree.village_a1y, WarningLevel.NONE, 2),
                                (tree.village_a2x, WarningLevel.RED, 1), (tree.village_b1x, WarningLevel.RED, 4)):
        for _ in range(n):
            CaseFactory(village=village, state=CaseState.IN_PROGRESS, warning_level=warning, category=category,
                        registered_by=dispatcher)

    page = make_page()
    login(page, dispatcher.username, PASSWORD)
    page.goto("/cases/statistics/?period=month")
    page.wait_for_function("() => window.echarts && echarts.getInstanceByDom(document.getElementById('chart-region'))")
    # the first township's overdue bar (series 1), clicked in its middle
    page.locator("#chart-region").scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # the bars' entry animation
    point = page.evaluate("""() => {
        const el = document.getElementById('chart-region');
        const chart = echarts.getInstanceByDom(el);
        const series = chart.getOption().series[1].data;
        const value = series[0].value;
        const [x, y] = chart.convertToPixel({seriesIndex: 1}, [0, value / 2]);
        const box = el.getBoundingClientRect();
        return {x: box.left + x, y: box.top + y, value: value};
    }""")
    assert point["value"] == 3
    screenshot(page, "statistics-county")
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    assert "/cases/?" in page.url and "warning_level=red" in page.url
    count_text = page.locator("[data-testid=case-count]").inner_text()
    assert re.search(r"\b3\b", count_text), count_text
    listed = page.locator("[data-testid=case-row]").evaluate_all("rows => rows.map(r => r.dataset.caseId)")
    assert len(listed) == 3

    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    path = tmp_path / "overdue.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = set(Case.objects.filter(pk__in=[int(pk) for pk in listed]).values_list("number", flat=True))
    assert set(numbers) == expected and len(numbers) == 3


def test_wall_mode_renders_dark_at_1920(make_page, reference_data):
    tree = RegionTree()
    dispatcher = UserFactory(username="e2e_wall", role=Role.DISPATCHER, region=tree.county_a)
    category = Category.objects.get(name="邻里纠纷")
    for i, village in enumerate((tree.village_a1x, tree.village_a1y, tree.village_a2x) * 3):
        CaseFactory(village=village, state=CaseState.IN_PROGRESS, category=category, registered_by=dispatcher,
                    warning_level=(WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.NONE)[i % 3],
                    title="某小区全体业主与物业服务企业因公共收益分配、停车位管理和维修基金使用长期纠纷" if i == 0 else "邻里纠纷")
    page = make_page({"width": 1920, "height": 1080})
    login(page, dispatcher.username, PASSWORD)
    page.goto("/cases/dashboard/wall/")
    page.wait_for_selector("#wall[data-loaded='1']")
    page.wait_for_timeout(800)  # the charts' entry animation
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 18, 32)", background
    assert int(page.locator("[data-testid=wall-tile-red] .value").inner_text()) == 3
    # everything fits one 1920×1080 screen, type large enough to read across a room
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.app-wall-tile .value')).fontSize)")
    assert size >= 48
    # the red and yellow cards stay inside their panel: one line each, cut with an ellipsis
    panel = page.locator("[data-testid=wall-warnings]")
    assert panel.evaluate("el => el.scrollWidth <= el.clientWidth"), "the cards run past the panel's edge"
    cells = page.locator("#wall-cards td")
    assert cells.count() >= 4 and cells.first.get_attribute("title")
    assert screenshot(page, "dashboard-wall-1920").exists()
