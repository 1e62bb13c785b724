"""Grid figures: point in grid at 15,000 grids beside the bare STRtree query (its floor), and
the grid map's data for a county (≈ 3,000 grids with boundaries and case counts) beside a raw
SQL read of the same grids' boundaries.

When the database holds fewer grids with boundaries than that, a lattice of square grids is
added for the measurement (villages of the dispatcher's county first) and rolled back after.
"""
from __future__ import annotations

import random

from django.test import Client
from shapely.geometry import Point

from benchmarks.bench.figures import Actors
from benchmarks.bench.harness import Bench, rolled_back, sql, url_or_none
from governance.models import Region, RegionLevel
from grids import geometry
from grids.geometry import index_current, unscoped_grid_at_point
from grids.models import Grid

POINT_GRIDS = 15_000
COUNTY_GRIDS = 3_000
ORIGIN = (108.70, 34.80)  # south-west of 铜川
CELL = 0.004  # degrees, ~400 m
COLUMNS = 150


def _cell(n: int) -> dict:
    x, y = ORIGIN[0] + (n % COLUMNS) * CELL, ORIGIN[1] + (n // COLUMNS) * CELL
    ring = [[x, y], [x + CELL, y], [x + CELL, y + CELL], [x, y + CELL], [x, y]]
    return {"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)] for a, b in ring]]}


def _lattice(missing: int, county: Region, in_county: int) -> None:
    """`missing` square grids, the first `in_county` in the county's villages (1000 per village
    at most: a grid code is the village code + 3 digits)."""
    own = list(Region.objects.filter(level=RegionLevel.VILLAGE, county=county).order_by("code"))
    other = list(Region.objects.filter(level=RegionLevel.VILLAGE).exclude(county=county).order_by("code"))
    taken = set(Grid.objects.values_list("code", flat=True))
    rows, n = [], 0

    def fill(villages: list[Region], limit: int) -> None:
        nonlocal n
        for village in villages:
            for j in range(1000):
                if n >= limit:
                    return
                code = f"{village.code}{j:03d}"
                if code in taken:
                    continue
                rows.append(Grid(code=code, name=f"基准网格{n}", region=village, city_id=village.city_id,
                                 county_id=village.county_id, township_id=village.township_id,
                                 village_id=village.pk, boundary=_cell(n)))
                n += 1

    fill(own, min(in_county, missing))
    fill(other or own, missing)
    Grid.objects.bulk_create(rows, batch_size=2000)


def grids(bench: Bench, actors: Actors) -> None:
    with rolled_back():
        have = len(index_current().hits)
        in_county = sql("SELECT COUNT(*) FROM grids_grid WHERE county_id = %s AND is_active AND boundary IS NOT NULL",
                        [actors.county.pk])[0][0]
        if have < POINT_GRIDS:
            _lattice(POINT_GRIDS - have, actors.county, max(0, COUNTY_GRIDS - in_county))
            geometry.index_invalidate()  # bulk_create sends no signal
        total = len(index_current().hits)
        index = index_current()  # built once, outside the timing (each process pays it once per change)
        rng = random.Random(11)
        extent = (COLUMNS * CELL, (POINT_GRIDS // COLUMNS) * CELL)
        points = [(ORIGIN[0] + rng.random() * extent[0], ORIGIN[1] + rng.random() * extent[1]) for _ in range(500)]

        def lookup(i: int) -> object:
            lng, lat = points[i % len(points)]
            return unscoped_grid_at_point(lng=lng, lat=lat)

        def floor(i: int) -> object:
            lng, lat = points[i % len(points)]
            return index.tree.query(Point(lng, lat), predicate="intersects")

        repeat = max(bench.repeat, 200)
        bench.figure(f"point in grid ({total:,} grids)", lookup, floor, repeat=repeat)
        # The worst case: the version read from the database on this lookup (once every
        # VERSION_RECHECK_SECONDS per process).
        recheck = geometry.VERSION_RECHECK_SECONDS
        geometry.VERSION_RECHECK_SECONDS = 0
        try:
            bench.figure(f"point in grid, version re-read ({total:,} grids)", lookup, floor, repeat=bench.repeat)
        finally:
            geometry.VERSION_RECHECK_SECONDS = recheck
        _map_data(bench, actors)


def _map_data(bench: Bench, actors: Actors) -> None:
    url = url_or_none("grids:map_data")
    grids_in_county = sql("SELECT COUNT(*) FROM grids_grid WHERE county_id = %s AND is_active", [actors.county.pk])[0][0]
    name = f"api grid map data county ({grids_in_county:,} grids)"
    if url is None:
        bench.skip(name)
        return
    client = Client()
    client.force_login(actors.county_dispatcher)
    if not bench.ok(client, url, None, name):
        return
    county = actors.county.pk

    def floor(_i: int) -> object:
        return sql("SELECT g.id, g.code, g.name, g.boundary, (SELECT COUNT(*) FROM disputes_case c WHERE c.grid_id = g.id"
                   " AND c.state NOT IN ('closed', 'rejected')) FROM grids_grid g WHERE g.county_id = %s AND g.is_active",
                   [county])

    bench.figure(name, lambda _i: client.get(url), floor)
    client.logout()
