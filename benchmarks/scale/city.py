"""The synthetic city: counties → townships → villages → grids, member departments, users for
every role and grid tenures under a synthetic division-code prefix, read back as the ids the
case generator needs; and the reference data (categories, risk grades, default policies)."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from benchmarks.scale.people import person_name
from benchmarks.scale.spec import BENCH_PASSWORD, USERNAME_PREFIX, ScaleSpec
from benchmarks.scale.writer import IdRange, TableWriter, all_columns, full_row, sequences_reset
from disputes.models import Category, EscalationPolicy, RiskGrade, TimeLimitPolicy
from governance.models import Department, DepartmentKind, Region, RegionLevel, Role, User
from grids.models import Grid, GridWorkerAssignment

DEFAULT_CATEGORIES = {
    "婚姻家庭邻里等民间纠纷": ["婚姻家庭", "邻里纠纷", "房屋和宅基地", "损害赔偿"],
    "经济活动": ["合同履行", "消费", "交通事故"],
    "劳资": ["劳动报酬"],
    "土地矿产山林水利界线权属": ["山林土地"],
    "建筑工程质量、物业管理": ["物业服务"],
    "医患": ["医疗纠纷"],
    "环境污染、生态破坏": ["环境噪声"],
    "其他": ["其他纠纷"],
}
DEFAULT_RISK_GRADES = [("red", "红色", "red", 4), ("orange", "橙色", "orange", 3), ("yellow", "黄色", "yellow", 2),
                       ("blue", "蓝色", "blue", 1)]
TOWNSHIP_DEPARTMENTS = [("司法所", DepartmentKind.JUSTICE), ("派出所", DepartmentKind.POLICE),
                        ("综治中心", DepartmentKind.CENTER)]
COUNTY_DEPARTMENTS = [("司法局", DepartmentKind.JUSTICE), ("公安局", DepartmentKind.POLICE),
                      ("信访局", DepartmentKind.PETITION), ("人社局", DepartmentKind.LABOUR),
                      ("住建局", DepartmentKind.HOUSING), ("自然资源局", DepartmentKind.LAND)]


@dataclass
class Township:
    region: Region
    county: Region
    clerk_id: int
    departments: list[int]  # township department ids cases are dispatched to
    handler_of: dict[int, int]  # department id → handler user id
    grids: list[tuple[int, int]] = field(default_factory=list)  # (grid id, village id)
    grid_worker_of: dict[int, int] = field(default_factory=dict)  # village id → grid worker id


@dataclass
class County:
    region: Region
    dispatcher_id: int
    clerk_id: int
    leader_id: int
    departments: list[int]
    handler_of: dict[int, int]


@dataclass
class City:
    region: Region
    townships: list[Township]
    counties: dict[int, County]
    dispatcher_id: int
    leader_id: int


def _username(city_code: str, role: str, code: str, n: int = 0) -> str:
    return f"{USERNAME_PREFIX}{city_code}_{role}_{code}" + (f"_{n}" if n else "")


def city_build(spec: ScaleSpec, rng: random.Random, now: dt.datetime, progress: Callable[[str], None]) -> None:
    """Create regions, grids, departments, users and grid tenures under spec.city_code."""
    regions = TableWriter(Region, all_columns(Region))
    grids = TableWriter(Grid, all_columns(Grid))
    departments = TableWriter(Department, all_columns(Department))
    users = TableWriter(User, all_columns(User))
    tenures = TableWriter(GridWorkerAssignment, all_columns(GridWorkerAssignment))
    region_ids, grid_ids, dept_ids = IdRange(Region), IdRange(Grid), IdRange(Department)
    first_grid = grid_ids.next
    user_ids, tenure_ids = IdRange(User), IdRange(GridWorkerAssignment)
    password = make_password(BENCH_PASSWORD)
    stamp = {"created_at": now, "updated_at": now}

    def region_add(code: str, name: str, level: str, parent: dict | None) -> dict:
        rid = region_ids.take()
        path = {lvl: (parent or {}).get(lvl) for lvl in ("city", "county", "township", "village")}
        path[level] = rid
        regions.add(full_row(Region, {"id": rid, "code": code, "name": name, "level": level,
                                      "parent_id": parent["id"] if parent else None,
                                      **{f"{k}_id": v for k, v in path.items()}, **stamp}))
        return {"id": rid, **path}

    def department_add(region: dict, name: str, kind: str) -> int:
        did = dept_ids.take()
        departments.add(full_row(Department, {"id": did, "name": name, "kind": kind, "is_active": True,
                                              "region_id": region["id"], **{f"{k}_id": region[k] for k in (
                                                  "city", "county", "township", "village")}, **stamp}))
        return did

    def user_add(role: str, region: dict, code: str, department_id: int | None = None, n: int = 0) -> int:
        uid = user_ids.take()
        username = _username(spec.city_code, role, code, n)
        users.add(full_row(User, {"id": uid, "password": password, "is_superuser": False, "username": username,
                                  "is_staff": False, "is_active": True, "date_joined": now, "role": role,
                                  "display_name": person_name(rng), "region_id": region["id"],
                                  "department_id": department_id}))
        return uid

    city = region_add(spec.city_code, f"样例市{spec.city_code}", RegionLevel.CITY, None)
    user_add(Role.DISPATCHER, city, spec.city_code)
    user_add(Role.LEADER, city, spec.city_code)
    user_add(Role.ADMINISTRATOR, city, spec.city_code)
    user_add(Role.SECURITY_ADMIN, city, spec.city_code)
    user_add(Role.AUDIT_ADMIN, city, spec.city_code)
    n_counties = max(1, min(spec.counties, spec.townships))
    per_county = [spec.townships // n_counties + (1 if i < spec.townships % n_counties else 0) for i in range(n_counties)]
    for ci in range(n_counties):
        ccode = f"{spec.city_code}{ci + 1:02d}"
        county = region_add(ccode, f"样例{ci + 1}区", RegionLevel.COUNTY, city)
        for role in (Role.DISPATCHER, Role.WINDOW_STAFF, Role.LEADER):
            user_add(role, county, ccode)
        for name, kind in COUNTY_DEPARTMENTS:
            did = department_add(county, f"样例{ci + 1}区{name}", kind)
            user_add(Role.HANDLER, county, f"{ccode}_{kind}", did)
        for ti in range(per_county[ci]):
            tcode = f"{ccode}{ti + 1:03d}"
            kind_name = "街道" if ti % 3 == 0 else "镇"
            township = region_add(tcode, f"样例{ci + 1}区第{ti + 1}{kind_name}", RegionLevel.TOWNSHIP, county)
            user_add(Role.WINDOW_STAFF, township, tcode)
            user_add(Role.WINDOW_STAFF, township, tcode, n=2)
            user_add(Role.DISPATCHER, township, tcode)
            user_add(Role.LEADER, township, tcode)
            for name, kind in TOWNSHIP_DEPARTMENTS:
                did = department_add(township, name, kind)
                if kind != DepartmentKind.CENTER:
                    user_add(Role.HANDLER, township, f"{tcode}_{kind}", did)
            for vi in range(spec.villages_per_township):
                vcode = f"{tcode}{vi + 1:03d}"
                village = region_add(vcode, f"第{vi + 1}{'社区' if ti % 3 == 0 else '村'}", RegionLevel.VILLAGE, township)
                worker = user_add(Role.GRID_WORKER, village, vcode)
                for gi in range(spec.grids_per_village):
                    gid = grid_ids.take()
                    households = rng.randint(150, 450)
                    boundary, lng, lat = grid_cell(gid - first_grid)
                    grids.add(full_row(Grid, {"id": gid, "code": f"{vcode}{gi + 1:03d}", "name": f"第{gi + 1}网格",
                                              "region_id": village["id"], "households": households,
                                              "population": households * rng.randint(2, 4), "is_active": True,
                                              "boundary": boundary, "centre_lng": lng, "centre_lat": lat,
                                              **{f"{k}_id": village[k] for k in ("city", "county", "township", "village")},
                                              **stamp}))
                    tenures.add(full_row(GridWorkerAssignment, {"id": tenure_ids.take(), "grid_id": gid,
                                                                "worker_id": worker, "started_on": now.date(),
                                                                "ended_on": None, **stamp}))
        progress(f"county {ci + 1}/{n_counties}")
    for writer in (regions, departments, users, grids, tenures):
        writer.flush()
    sequences_reset([Region, Department, User, Grid, GridWorkerAssignment])


# Grid boundaries: rectangles of 0.002° × 0.0015° (≈ 180 m × 170 m), 150 to a row, from a
# corner south-west of 铜川: 15,000 grids fill about 0.3° × 0.15°, none overlapping.
GRID_ORIGIN, GRID_CELL, GRID_COLUMNS = (Decimal("108.85"), Decimal("35.00")), (Decimal("0.002"), Decimal("0.0015")), 150


def grid_cell(index: int) -> tuple[dict, Decimal, Decimal]:
    """The rectangle (GeoJSON Polygon, lng/lat) of layout cell `index` and its centre."""
    x0 = GRID_ORIGIN[0] + GRID_CELL[0] * (index % GRID_COLUMNS)
    y0 = GRID_ORIGIN[1] + GRID_CELL[1] * (index // GRID_COLUMNS)
    x1, y1 = x0 + GRID_CELL[0], y0 + GRID_CELL[1]
    ring = [[float(x), float(y)] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    return {"type": "Polygon", "coordinates": [ring]}, ((x0 + x1) / 2).quantize(Decimal("0.000001")), (
        (y0 + y1) / 2).quantize(Decimal("0.000001"))


def city_load(city_code: str) -> City:
    """Read back the synthetic city's structure (the ids the case generator needs)."""
    city_region = Region.objects.get(code=city_code)
    regions = {r.pk: r for r in Region.objects.filter(city_id=city_region.pk, level__in=["county", "township"])}
    users = list(User.objects.filter(username__startswith=f"{USERNAME_PREFIX}{city_code}_")
                 .values_list("pk", "username", "role", "region_id", "department_id"))
    by_name = {u[1]: u for u in users}
    departments = list(Department.objects.filter(city_id=city_region.pk).values_list("pk", "region_id", "kind"))
    handler_of = {u[4]: u[0] for u in users if u[2] == Role.HANDLER and u[4]}
    grid_worker_of = {u[3]: u[0] for u in users if u[2] == Role.GRID_WORKER}
    counties: dict[int, County] = {}
    for region in sorted((r for r in regions.values() if r.level == RegionLevel.COUNTY), key=lambda r: r.code):
        depts = [d[0] for d in departments if d[1] == region.pk and d[0] in handler_of]
        counties[region.pk] = County(
            region=region,
            dispatcher_id=by_name[_username(city_code, Role.DISPATCHER, region.code)][0],
            clerk_id=by_name[_username(city_code, Role.WINDOW_STAFF, region.code)][0],
            leader_id=by_name[_username(city_code, Role.LEADER, region.code)][0],
            departments=depts, handler_of={d: handler_of[d] for d in depts},
        )
    townships: dict[int, Township] = {}
    for region in sorted((r for r in regions.values() if r.level == RegionLevel.TOWNSHIP), key=lambda r: r.code):
        depts = [d[0] for d in departments if d[1] == region.pk and d[0] in handler_of]
        townships[region.pk] = Township(
            region=region, county=regions[region.county_id],
            clerk_id=by_name[_username(city_code, Role.WINDOW_STAFF, region.code)][0],
            departments=depts, handler_of={d: handler_of[d] for d in depts},
        )
    for gid, vid, tid in Grid.objects.filter(city_id=city_region.pk).order_by("code").values_list(
            "pk", "village_id", "township_id"):
        town = townships[tid]
        town.grids.append((gid, vid))
        if vid in grid_worker_of:
            town.grid_worker_of[vid] = grid_worker_of[vid]
    return City(
        region=city_region, townships=list(townships.values()), counties=counties,
        dispatcher_id=by_name[_username(city_code, Role.DISPATCHER, city_code)][0],
        leader_id=by_name[_username(city_code, Role.LEADER, city_code)][0],
    )


def reference_data_ensure() -> None:
    """Categories, risk grades and default policies, when the data migration has not made them."""
    if not Category.objects.filter(parent__isnull=False).exists():
        for i, (top, leaves) in enumerate(DEFAULT_CATEGORIES.items()):
            parent, _ = Category.objects.get_or_create(code=f"S{i + 1:02d}", defaults={"name": top, "sort": i})
            for j, leaf in enumerate(leaves):
                Category.objects.get_or_create(code=f"S{i + 1:02d}{j + 1:02d}",
                                               defaults={"name": leaf, "parent": parent, "sort": j})
    if not RiskGrade.objects.exists():
        for code, name, color, rank in DEFAULT_RISK_GRADES:
            RiskGrade.objects.create(code=code, name=name, color=color, rank=rank)
    if not TimeLimitPolicy.objects.exists():
        for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
            for step, days in (("accept", 2), ("sign", 2), ("handle", 15), ("callback", 5)):
                TimeLimitPolicy.objects.create(level=level, step=step, days=days, source="seed_scale 默认")
    if not EscalationPolicy.objects.exists():
        for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
            EscalationPolicy.objects.create(level=level, yellow_ratio=Decimal("0.80"), escalate_after_hours=24)
