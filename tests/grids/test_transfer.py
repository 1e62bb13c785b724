"""Import/export of grids and grid workers: round trip, row errors in Chinese, all or nothing,
file checks, and the export holds only the jurisdiction's rows."""
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from governance.clock import frozen_at
from governance.models import Role
from grids.models import Grid, GridWorkerAssignment
from grids.transfer import GRID_LAYOUT, WORKER_LAYOUT, write_rows
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)
SQUARE = {"type": "Polygon", "coordinates": [[[109.0, 35.0], [109.01, 35.0], [109.01, 35.01], [109.0, 35.01],
                                               [109.0, 35.0]]]}


@pytest.fixture(autouse=True)
def _clock():
    with frozen_at(NOW):
        yield


@pytest.fixture
def clerk_client(client, tree):
    client.force_login(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))
    return client


def upload(client, kind, name, body):
    return client.post(reverse("grids:transfer"), {"kind": kind, "file": SimpleUploadedFile(name, body)})


def grid_file(rows, fmt="csv"):
    return write_rows(layout=GRID_LAYOUT, rows=rows, fmt=fmt)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_round_trips(tree, clerk_client, fmt):
    # given grids with a boundary, a tricky name, and a worker's tenure history
    a = GridFactory(region=tree.village_a1x, code="610202001001001", name="=一网格", households=120,
                    population=300, boundary=SQUARE, centre_lng="109.005", centre_lat="35.005")
    GridFactory(region=tree.village_a1y, code="610202001002001", name="青年路一网格", kind="rural")
    GridFactory(region=tree.village_a2x, name="邻街网格")
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x, username="wang")
    GridWorkerAssignment.objects.create(grid=a, worker=worker, started_on=dt.date(2025, 1, 1),
                                        ended_on=dt.date(2025, 12, 31), end_reason="调动")
    GridWorkerAssignment.objects.create(grid=a, worker=worker, started_on=dt.date(2026, 2, 1), employment="part_time")
    exported = {kind: clerk_client.get(reverse("grids:transfer_export", args=[kind, fmt])).content
                for kind in ("grids", "workers")}
    before = list(Grid.objects.order_by("code").values())
    tenures = list(GridWorkerAssignment.objects.order_by("id").values("grid_id", "worker_id", "employment",
                                                                      "started_on", "ended_on", "end_reason"))
    # when everything is deleted and the files imported back
    GridWorkerAssignment.objects.all().delete()
    Grid.objects.filter(township=tree.town_a1).delete()
    for kind in ("grids", "workers"):
        preview = upload(clerk_client, kind, f"x.{fmt}", exported[kind]).content.decode()
        assert 'data-testid="import-apply"' in preview, preview
        assert clerk_client.post(reverse("grids:transfer_apply")).status_code == 302
    # then the same grids and tenures exist again (ids aside)
    after = list(Grid.objects.order_by("code").values())
    keep = ("code", "name", "kind", "households", "population", "boundary", "centre_lng", "centre_lat", "region_id")
    assert [{k: g[k] for k in keep} for g in after] == [{k: g[k] for k in keep} for g in before]
    code_of = dict(Grid.objects.values_list("pk", "code"))
    assert [(code_of[t["grid_id"]], t["started_on"], t["ended_on"], t["employment"], t["end_reason"])
            for t in GridWorkerAssignment.objects.order_by("started_on").values()] == [
        ("610202001001001", t["started_on"], t["ended_on"], t["employment"], t["end_reason"]) for t in tenures]
    # and importing the export again changes nothing
    upload(clerk_client, "grids", f"x.{fmt}", exported["grids"])
    body = upload(clerk_client, "grids", f"x.{fmt}", exported["grids"]).content.decode()
    assert "新增 0,更新 0,未变 2" in body


def test_export_holds_only_the_jurisdiction_s_grids(tree, clerk_client):
    GridFactory(region=tree.village_a1x, name="本街网格")
    GridFactory(region=tree.village_a2x, name="邻街网格")
    book = load_workbook(io.BytesIO(clerk_client.get(reverse("grids:transfer_export", args=["grids", "xlsx"])).content))
    names = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == ["本街网格"]


def test_row_errors_are_listed_in_chinese_and_nothing_is_saved(tree, clerk_client):
    GridFactory(region=tree.village_a2x, code="610202002010001")
    rows = [
        ["610202001001001", "好网格", "610202001001", "城镇网格", 1, 2, "", "", ""],
        ["610202001002009", "错编码", "610202001001", "城镇网格", 1, 2, "", "", ""],
        ["610202001001002", "无此村", "610202001099", "城镇网格", 1, 2, "", "", ""],
        ["610202001001001", "重复", "610202001001", "城镇网格", 1, 2, "", "", ""],
        ["610202002010002", "辖区外", "610202002010", "城镇网格", 1, 2, "", "", ""],
        ["610202002010001", "别人的编码", "610202001001", "城镇网格", 1, 2, "", "", ""],
        ["610202001001003", "坏类型", "610202001001", "商场", "x", 2, "", "", ""],
        ["610202001001004", "坏边界", "610202001001", "城镇网格", 1, 2, "", "", "{"],
    ]
    body = upload(clerk_client, "grids", "g.csv", grid_file(rows)).content.decode()
    errors = body.split('data-testid="import-errors"')[1]
    for line, text in [(3, "网格编码应为所属村(社区)编码"), (4, "村(社区)编码「610202001099」不存在或不在您的管辖范围内"),
                       (5, "网格编码 610202001001001 与第 2 行重复"),
                       (6, "村(社区)编码「610202002010」不存在或不在您的管辖范围内"),
                       (7, "网格编码 610202002010001 已被管辖范围外的网格使用"), (8, "网格类型「商场」无效"),
                       (9, "边界不是有效的 GeoJSON 文本")]:
        assert f"<td>{line}</td><td>{text}" in errors, (line, re.findall(r"<td>\d+</td><td>[^<]*", errors))
    assert "<td>2</td>" not in errors
    assert 'data-testid="import-apply"' not in body
    assert not Grid.objects.filter(township=tree.town_a1).exists()


def test_a_code_used_outside_the_jurisdiction_is_refused(tree, clerk_client):
    GridFactory(region=tree.village_a1x, code="610202001001001")
    Grid.objects.filter(code="610202001001001").update(township=tree.town_a2)  # now outside A1's scope
    body = upload(clerk_client, "grids", "g.csv", grid_file(
        [["610202001001001", "x", "610202001001", "城镇网格", 1, 2, "", "", ""]])).content.decode()
    assert "网格编码 610202001001001 已被管辖范围外的网格使用" in body


def test_overlapping_tenure_and_unknown_worker_rows(tree, clerk_client):
    grid = GridFactory(region=tree.village_a1x, code="610202001001001")
    UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x, username="wang")
    UserFactory(role=Role.WINDOW_STAFF, region=tree.village_a1x, username="clerk2")
    rows = [["610202001001001", "wang", "", "专职", "2026-01-01", "", ""],
            ["610202001001001", "wang", "", "专职", "2026-03-01", "", ""],
            ["610202001001001", "clerk2", "", "专职", "2026-03-01", "", ""],
            ["610202001001001", "wang", "", "专职", "2026/03/01", "", ""]]
    body = upload(clerk_client, "workers", "w.csv", write_rows(layout=WORKER_LAYOUT, rows=rows, fmt="csv"))
    errors = body.content.decode().split('data-testid="import-errors"')[1]
    assert re.search(r"<td>3</td><td>[^<]*与本次任职时间重叠", errors)
    assert "<td>4</td><td>网格员账号「clerk2」不存在、不是网格员或不在您的管辖范围内" in errors
    assert "<td>5</td><td>任职日期「2026/03/01」应为 YYYY-MM-DD 格式的日期" in errors
    assert not GridWorkerAssignment.objects.filter(grid=grid).exists()


@pytest.mark.parametrize(("name", "body", "message"), [
    ("g.txt", b"abc", "只支持 .xlsx 或 .csv 文件"),
    ("g.xlsx", b"not a zip", "内容不是 Excel 文件"),
    ("g.xlsx", b"PK\x03\x04broken", "无法读取该 Excel 文件"),
    ("g.csv", "网格编码,名称\n1,2\n".encode(), "表头不正确,应为:网格编码、网格名称"),
    ("g.csv", "\ufeff网格编码,网格名称,所属村(社区)编码,网格类型,户数,人口,中心点经度,中心点纬度,边界(GeoJSON)\n".encode(),
     "文件中没有数据行"),
    ("g.csv", b"", "提交的是空文件"),  # Django's own FileField message
    ("g.csv", b"\xff\xfe\x00\x00\x81", "编码"),
])
def test_bad_files_get_a_clear_message(clerk_client, name, body, message):
    response = upload(clerk_client, "grids", name, body)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_too_large_file_is_refused(clerk_client, monkeypatch):
    monkeypatch.setattr("grids.transfer_views.MAX_BYTES", 10)
    body = upload(clerk_client, "grids", "g.csv", b"x" * 11).content.decode()
    assert "文件过大" in body


def test_gb18030_csv_from_chinese_excel_is_read(tree, clerk_client):
    text = ",".join(GRID_LAYOUT.headers) + "\n610202001001001,一网格,610202001001,城镇网格,1,2,,,\n"
    body = upload(clerk_client, "grids", "g.csv", text.encode("gb18030")).content.decode()
    assert "新增 1,更新 0,未变 0" in body


def test_leaders_export_but_cannot_import(tree, client):
    client.force_login(UserFactory(role=Role.LEADER, region=tree.town_a1))
    assert client.get(reverse("grids:transfer_export", args=["grids", "csv"])).status_code == 200
    assert client.post(reverse("grids:transfer_apply")).status_code == 403
    assert client.get(reverse("grids:transfer_export", args=["people", "csv"])).status_code == 404
