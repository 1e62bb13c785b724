"""Demo grids (`manage.py seed_demo`): three or four grids in every village of the demo city,
and in 王益区's 20 communities (社区) the 261 grids the source material names; every grid a
simple rectangular boundary and its centre (laid out without overlap near 铜川, 109.0E 35.1N).
In those communities a grid worker per grid, with some turnover, and a season of field work:
patrols, monthly dispute screening (zero reports, a few late or missing) and hazards.

Idempotent: grids are matched by code (a grid seeded before boundaries existed gets its
boundary), users by username, tenures by (grid, worker); the field work is seeded once (a
second run finds it and skips). Rows are bulk-created: they are valid by construction (codes
from the plan, tenures without overlap), and one service call per patrol would take minutes."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction

from governance import clock
from governance.accounts import staff_phone_set
from governance.demo import DEMO_CITY_CODE, DEMO_PASSWORD, person_name, stable_rng
from governance.models import Region, RegionLevel, Role, User
from grids.models import Employment, Grid, GridKind, GridWorkerAssignment, HazardInspection, Patrol, Screening

# Demo grid workers and the village whose first grid each one works.
GRID_WORKERS = {"hongqi_grid": "610202002010", "yunmengdi_grid": "610202001001"}
TENURE_START = dt.date(2024, 3, 1)
# The grids exist from this moment (statistics count a grid from its creation).
GRIDS_SINCE = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
# 王益区's 20 communities have 261 grids (the source material); other villages 3 or 4 each.
DENSE_COUNTY, DENSE_TOTAL = "610202", 261
# The layout: cells of 0.004° × 0.003° (≈ 360 m × 330 m), 60 to a row, from the south-west corner.
ORIGIN = (Decimal("108.880"), Decimal("34.980"))
CELL = (Decimal("0.004"), Decimal("0.003"))
COLUMNS = 60
SEASON_DAYS = 91


def _dense(village: Region) -> bool:
    return village.code.startswith(DENSE_COUNTY) and village.name.endswith("社区")


def grid_counts(villages: list[Region]) -> dict[str, int]:
    """Grids per village code: 3 or 4 (by the code), and 王益区's communities sharing exactly
    DENSE_TOTAL in proportion to a stable weight (largest remainders)."""
    counts = {v.code: stable_rng("grids", v.code).choice((3, 4)) for v in villages if not _dense(v)}
    dense = [v.code for v in villages if _dense(v)]
    if dense:
        weights = {code: stable_rng("dense", code).uniform(0.7, 1.3) for code in dense}
        total = sum(weights.values())
        shares = {code: DENSE_TOTAL * w / total for code, w in weights.items()}
        floors = {code: int(share) for code, share in shares.items()}
        left = DENSE_TOTAL - sum(floors.values())
        for code in sorted(dense, key=lambda c: shares[c] - floors[c], reverse=True)[:left]:
            floors[code] += 1
        counts.update(floors)
    return counts


def _cell(index: int) -> tuple[dict, Decimal, Decimal]:
    """The rectangle of layout cell `index` (GeoJSON, lng/lat) and its centre."""
    x0 = ORIGIN[0] + CELL[0] * (index % COLUMNS)
    y0 = ORIGIN[1] + CELL[1] * (index // COLUMNS)
    x1, y1 = x0 + CELL[0], y0 + CELL[1]
    ring = [[float(x0), float(y0)], [float(x1), float(y0)], [float(x1), float(y1)], [float(x0), float(y1)],
            [float(x0), float(y0)]]
    return {"type": "Polygon", "coordinates": [ring]}, (x0 + x1) / 2, (y0 + y1) / 2


def grids_planned(villages: list[Region]) -> list[Grid]:
    """Every demo grid, in code order; sizes and cells depend only on the codes, so re-runs
    agree. Urban communities (社区): ~300–500 households a grid; rural villages (村) ~80–200;
    2.4–3.2 residents per household."""
    counts = grid_counts(villages)
    grids = []
    for village in villages:
        rng = stable_rng("grids", village.code)
        rng.choice((3, 4))  # the draw that sized the village before 王益区 had its 261
        urban = village.name.endswith("社区")
        for n in range(1, counts[village.code] + 1):
            households = rng.randint(300, 500) if urban else rng.randint(80, 200)
            boundary, lng, lat = _cell(len(grids))
            grid = Grid(code=f"{village.code}{n:03d}", name=f"{village.name}第{n}网格", region=village,
                        kind=GridKind.URBAN if urban else GridKind.RURAL, households=households,
                        population=round(households * rng.uniform(2.4, 3.2)), boundary=boundary,
                        centre_lng=lng, centre_lat=lat)
            grid.set_region(village)  # bulk_create skips Grid.save(), which fills the path
            grids.append(grid)
    return grids


def _grids_ensure(villages: list[Region]) -> tuple[int, int]:
    planned = grids_planned(villages)
    existing = {g.code: g for g in Grid.objects.filter(city__code=DEMO_CITY_CODE)}
    new = [g for g in planned if g.code not in existing]
    with clock.frozen_at(GRIDS_SINCE):
        Grid.objects.bulk_create(new, batch_size=500)
    drawn = []
    for grid in planned:
        old = existing.get(grid.code)
        if old is not None and old.boundary is None:
            old.boundary, old.centre_lng, old.centre_lat = grid.boundary, grid.centre_lng, grid.centre_lat
            drawn.append(old)
    Grid.objects.bulk_update(drawn, ["boundary", "centre_lng", "centre_lat"], batch_size=500)
    return len(new), len(drawn)


def _worker(username: str, village: Region, password: str, *, active: bool = True) -> User:
    worker = User(username=username, password=password, role=Role.GRID_WORKER, region=village, is_active=active,
                  display_name=person_name(stable_rng("user", username)))
    staff_phone_set(worker, f"138{stable_rng('phone', username).randint(0, 99_999_999):08d}")
    return worker


def _workers_ensure(grids: list[Grid], today: dt.date) -> int:
    """A worker per dense grid (the named demo workers on theirs); about one grid in six had a
    worker who left (tenure ended, account closed) before the current one started."""
    named = {f"{code}001": username for username, code in GRID_WORKERS.items()}
    password = make_password(DEMO_PASSWORD)
    wanted: dict[str, User] = {}
    tenures: list[tuple[str, str, dt.date, dt.date | None, str]] = []
    for grid in grids:
        rng = stable_rng("tenure", grid.code)
        current = named.get(grid.code, f"grid_{grid.code}")
        start = TENURE_START
        if rng.random() < 0.17:
            left = today - dt.timedelta(days=rng.randint(20, 400))
            former = f"grid_{grid.code}_former"
            wanted[former] = _worker(former, grid.region, password, active=False)
            tenures.append((grid.code, former, TENURE_START, left, "辞职" if rng.random() < 0.6 else "调动"))
            start = left + dt.timedelta(days=rng.randint(1, 30))
        if current not in named.values():
            wanted[current] = _worker(current, grid.region, password)
        employment = Employment.PART_TIME if rng.random() < 0.25 else Employment.FULL_TIME
        tenures.append((grid.code, current, start, None, employment))
    User.objects.bulk_create([u for name, u in wanted.items() if name not in set(
        User.objects.filter(username__in=list(wanted)).values_list("username", flat=True))], batch_size=500)
    users = User.objects.in_bulk([t[1] for t in tenures], field_name="username")
    by_code = {g.code: g for g in grids}
    held = set(GridWorkerAssignment.objects.filter(grid__in=grids).values_list("grid_id", "worker_id"))
    rows = []
    for code, username, start, end, extra in tenures:
        grid, worker = by_code[code], users[username]
        if (grid.pk, worker.pk) in held or (start > today):
            continue
        ended = end is not None
        rows.append(GridWorkerAssignment(grid=grid, worker=worker, started_on=start, ended_on=end,
                                         end_reason=extra if ended else "",
                                         employment=Employment.FULL_TIME if ended else extra))
    GridWorkerAssignment.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _month_starts(today: dt.date, n: int) -> list[dt.date]:
    first, months = today.replace(day=1), []
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _field_work(grids: list[Grid], today: dt.date) -> tuple[int, int, int]:
    """A season (the last three months) of patrols every 8–12 days, the three ended months'
    screening (most on time and zero reports, some late, a few missing) and some hazards."""
    workers = dict(GridWorkerAssignment.objects.filter(grid__in=grids, ended_on__isnull=True).values_list(
        "grid_id", "worker_id"))
    patrols, screenings, hazards = [], [], []
    for grid in grids:
        worker_id = workers.get(grid.pk)
        if worker_id is None:
            continue
        rng = stable_rng("fieldwork", grid.code)
        day = today - dt.timedelta(days=SEASON_DAYS - rng.randint(0, 6))
        while day <= today:
            finding = rng.random() < 0.12
            patrols.append(Patrol(grid=grid, recorded_by_id=worker_id, patrolled_on=day,
                                  route=f"{grid.name}主要道路、小区院落、沿街商铺",
                                  findings=rng.choice(("楼道堆放杂物", "路灯损坏", "邻里噪音纠纷", "占道经营"))
                                  if finding else ""))
            day += dt.timedelta(days=rng.randint(8, 12))
        for month in _month_starts(today, 3):
            roll = rng.random()
            if roll < 0.05:
                continue  # missing: listed as overdue for the township
            month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            filed = min(today, month_end + dt.timedelta(days=rng.randint(1, 6)) if roll < 0.12
                        else month_end - dt.timedelta(days=rng.randint(0, 5)))
            found = rng.choice((1, 1, 2)) if rng.random() < 0.2 else 0
            screenings.append(Screening(grid=grid, recorded_by_id=worker_id, period_start=month, filed_on=filed,
                                        disputes_found=found, zero_report=found == 0,
                                        notes="已登记并移交调解" if found else ""))
        if rng.random() < 0.1:
            inspected = today - dt.timedelta(days=rng.randint(5, 60))
            done = rng.random() < 0.5
            hazards.append(HazardInspection(
                grid=grid, recorded_by_id=worker_id, inspected_on=inspected, location=f"{grid.name}老旧楼院",
                description=rng.choice(("消防通道堵塞", "电动车楼道充电", "外墙瓷砖松动")),
                rectify_by=inspected + dt.timedelta(days=15), follow_up="已督促物业整改" if done else "",
                followed_up_on=inspected + dt.timedelta(days=7) if done else None,
                rectified_on=inspected + dt.timedelta(days=10) if done else None))
    for rows in (patrols, screenings, hazards):
        for row in rows:
            row.set_region(row.grid.region)
    Patrol.objects.bulk_create(patrols, batch_size=500)
    Screening.objects.bulk_create(screenings, batch_size=500)
    HazardInspection.objects.bulk_create(hazards, batch_size=500)
    return len(patrols), len(screenings), len(hazards)


@transaction.atomic
def seed(*, stdout: TextIO, rng: random.Random) -> None:
    villages = list(Region.objects.filter(city__code=DEMO_CITY_CODE, level=RegionLevel.VILLAGE).order_by("code"))
    new, drawn = _grids_ensure(villages)
    today = clock.localdate()
    dense = list(Grid.objects.filter(region__in=[v for v in villages if _dense(v)], is_active=True).select_related(
        "region").order_by("code"))
    tenures = _workers_ensure(dense, today)
    total = Grid.objects.filter(city__code=DEMO_CITY_CODE).count()
    stdout.write(f"网格: 新增 {new} / 补绘边界 {drawn} / 共 {total}(王益区社区 {len(dense)} 个);"
                 f"网格员任职: 新增 {tenures}\n")
    if Patrol.objects.filter(grid__in=dense).exists():
        stdout.write("巡查与排查记录已存在,跳过\n")
        return
    patrols, screenings, hazards = _field_work(dense, today)
    stdout.write(f"巡查 {patrols} 条,排查 {screenings} 条,隐患 {hazards} 条\n")
