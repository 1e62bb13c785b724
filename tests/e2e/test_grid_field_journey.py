"""Journeys of issue 11 on a real browser: a grid worker reports an event from a 390 × 844 phone
with a photo and the phone's location in under two minutes (taps and fields counted); the
township clerk finds it in the inbox as a 网格上报 case in the right grid. The worker's case
list and case page fit the phone's width; the grid map renders with no request to another host.
"""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from disputes import services
from disputes.models import Case, Category, Channel, PartyKind, PartyRole
from governance.models import Role
from grids.models import GridWorkerAssignment
from tests.disputes.views.conftest import ID_ZHANG
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, assert_styles_loaded, login, screenshot
from tests.factories import PASSWORD, GridFactory, RegionTree, UserFactory
from tests.grids.geo import centre, square

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TWO_MINUTES = 120.0
MAX_TAPS = 6
MAX_FIELDS = 3


class Taps:
    """Counts what the worker does on the phone: taps (buttons, selects, the camera) and the
    fields they fill."""

    def __init__(self, page) -> None:
        self.page, self.taps, self.fields = page, 0, 0

    def tap(self, selector: str, *, navigates: bool = False) -> None:
        self.taps += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)

    def choose(self, selector: str, value: str) -> None:
        self.taps += 1
        self.fields += 1
        self.page.select_option(selector, value)

    def type(self, selector: str, text: str) -> None:
        self.fields += 1
        self.page.fill(selector, text)

    def photo(self, selector: str, path) -> None:
        self.taps += 1
        self.fields += 1
        self.page.set_input_files(selector, str(path))


@pytest.fixture
def township(reference_data):
    tree = RegionTree()
    worker = UserFactory(username="e2e_field_worker", display_name="王网格", role=Role.GRID_WORKER,
                         region=tree.village_a1x)
    clerk = UserFactory(username="e2e_field_clerk", role=Role.WINDOW_STAFF, region=tree.town_a1)
    grid = GridFactory(region=tree.village_a1x, name="云梦堤第一网格", boundary=square(0, 0))
    GridFactory(region=tree.village_a1y, name="青年路第一网格", boundary=square(1, 0))
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2025, 1, 1))
    return {"tree": tree, "worker": worker, "clerk": clerk, "grid": grid}


def test_worker_reports_with_photo_and_location_and_the_clerk_finds_it(make_page, township, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "streetlight.jpg"
    Image.new("RGB", (640, 480), "#888").save(photo, "JPEG")
    lamp = Category.objects.get(code="19")  # 其他: an incident, no party needed

    phone = make_page(PHONE)
    phone.context.grant_permissions(["geolocation"])
    lng, lat = centre(0, 0)
    phone.context.set_geolocation({"longitude": lng, "latitude": lat, "accuracy": 15})
    login(phone, township["worker"].username, PASSWORD)
    assert phone.url.endswith(reverse("grids:mine"))

    # when the worker reports from the home screen: taps and fields counted, the clock running
    started = time.monotonic()
    user = Taps(phone)
    user.tap("[data-testid=report-event]", navigates=True)
    assert_styles_loaded(phone)
    assert "云梦堤第一网格" in phone.get_by_test_id("the-grid").inner_text()
    user.choose("[name=category]", str(lamp.pk))
    user.type("[name=description]", "幸福路12号路灯不亮，夜间行人有安全隐患")
    user.photo("[name=photos]", photo)
    user.tap("[data-testid=locate]")
    phone.wait_for_function("() => document.querySelector('[name=latitude]').value !== ''")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "field_report_390")
    user.tap("[data-testid=send]", navigates=True)
    elapsed = time.monotonic() - started

    # then it is sent, and listed among the worker's reports with its state and handler
    assert phone.url.endswith(reverse("disputes:field_reports")), phone.locator(
        ".invalid-feedback, .alert, .is-invalid").all_inner_texts()
    report = phone.get_by_test_id("report").first
    assert "幸福路12号路灯不亮" in report.inner_text()
    assert "七一路街道综治中心" in report.get_by_test_id("report-handler").inner_text()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "field_reports_390")
    metrics = {"seconds": round(elapsed, 2), "taps": user.taps, "fields": user.fields}
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / "field_report_metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    assert elapsed < TWO_MINUTES and user.taps <= MAX_TAPS and user.fields <= MAX_FIELDS, metrics

    case = Case.objects.get()
    assert (case.channel, case.grid_id) == (Channel.GRID, township["grid"].pk)
    assert (round(float(case.longitude), 6), round(float(case.latitude), 6)) == (lng, lat)
    assert case.attachments.get().content_type == "image/jpeg"

    # when the township clerk opens the inbox on a desktop
    desk = make_page(DESKTOP)
    login(desk, township["clerk"].username, PASSWORD)
    desk.goto(reverse("disputes:inbox") + "?box=to_accept")
    row = desk.locator(f"[data-testid=case-row][data-case-id='{case.pk}']")
    assert "幸福路12号路灯不亮" in row.inner_text()
    with desk.expect_navigation():
        row.locator("a").first.click()
    # then it is a 网格上报 case in the worker's grid
    assert desk.get_by_test_id("channel").inner_text().strip() == "网格上报"
    assert "云梦堤第一网格" in desk.content()


def register(actor, tree, grid, title: str) -> Case:
    data = services.CaseInput(
        title=title, narrative="双方因排水沟堵塞发生争执，多次协商未果，请求社区组织调解。" * 3,
        category_id=Category.objects.get(code="1702").pk, channel=Channel.GRID,
        occurred_at=timezone.now() - dt.timedelta(hours=2), village_id=tree.village_a1x.pk, grid_id=grid.pk,
        address="云梦堤小区东区3号楼2单元楼下排水沟")
    parties = [
        services.PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="张三", id_number=ID_ZHANG,
                            phone="13812345678", address="云梦堤小区东区3号楼2单元501室"),
        services.PartyInput(role=PartyRole.RESPONDENT, kind=PartyKind.ORGANISATION, name="铜川市某某物业服务有限公司",
                            legal_representative="李四", address="王益区红旗街道幸福路88号"),
    ]
    return services.case_register(actor=actor, data=data, parties=parties)


def test_worker_case_list_and_detail_fit_the_phone(make_page, township):
    tree, worker, grid = township["tree"], township["worker"], township["grid"]
    cases = [register(worker, tree, grid, f"第{n}件：楼上卫生间漏水导致楼下天花板渗水，双方就维修费用分担产生较大争议")
             for n in range(6)]
    phone = make_page(PHONE)
    login(phone, worker.username, PASSWORD)

    for name, url in (("case_list_390", reverse("disputes:list")),
                      ("case_detail_390", reverse("disputes:detail", args=[cases[0].pk])),
                      ("grid_mine_390", reverse("grids:mine"))):
        phone.goto(url)
        assert_styles_loaded(phone)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        screenshot(phone, name)
        assert width <= PHONE["width"], (name, width)
    # the list is cards: a title cell holds a whole line, not one character per line
    phone.goto(reverse("disputes:list"))
    title = phone.locator(".app-stack-title").first
    assert title.bounding_box()["width"] > 300
    heights = [box["height"] for box in (row.bounding_box() for row in phone.get_by_test_id("case-row").all())]
    assert len(heights) == 6 and max(heights) < 300, heights
    # the case page's heading is not squeezed into a narrow column, and the parties are all there
    phone.goto(reverse("disputes:detail", args=[cases[0].pk]))
    assert phone.locator("h2.page-title").bounding_box()["width"] > 300
    # the number's badge whole, on its own line above the title
    number, title = phone.get_by_test_id("case-number"), phone.get_by_test_id("case-title")
    assert number.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert number.bounding_box()["y"] + number.bounding_box()["height"] <= title.bounding_box()["y"] + 1
    parties = phone.get_by_test_id("parties")
    assert "铜川市某某物业服务有限公司" in parties.inner_text()
    box = parties.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_grid_map_renders_offline_and_clicks_through(make_page, township):
    tree = township["tree"]
    dispatcher = UserFactory(username="e2e_map_dispatcher", role=Role.DISPATCHER, region=tree.county_a)
    register(township["worker"], tree, township["grid"], "路灯不亮")
    GridFactory(region=tree.village_a2x, name="红旗第一网格", boundary=square(2, 0))
    GridFactory(region=tree.village_b1x, name="城关第一网格", boundary=square(3, 0))  # another county

    page = make_page(DESKTOP)
    login(page, dispatcher.username, PASSWORD)
    page.goto(reverse("grids:map"))
    assert_styles_loaded(page)
    page.wait_for_selector("#grid-map[data-ready]")
    assert page.get_attribute("#grid-map", "data-ready") == "3"
    assert page.locator("path.leaflet-interactive").count() == 3
    assert page.locator(".leaflet-tile").count() == 0  # no base map by default
    assert page.locator(f"path[data-grid-id='{township['grid'].pk}']").get_attribute("data-status") == "open"
    assert "共 3 个网格" in page.get_by_test_id("map-summary").inner_text()
    screenshot(page, "grid_map")
    with page.expect_navigation():
        page.locator(f"path[data-grid-id='{township['grid'].pk}']").click()
    assert page.url.endswith(reverse("grids:detail", args=[township["grid"].pk]))

    phone = make_page(PHONE)
    login(phone, dispatcher.username, PASSWORD)
    phone.goto(reverse("grids:map"))
    phone.wait_for_selector("#grid-map[data-ready]")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "grid_map_390")
