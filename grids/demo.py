"""Demo grids (`manage.py seed_demo`): three or four grids in every village of the demo city,
and the demo grid workers' tenures. Idempotent: grids are matched by code, tenures by
(grid, worker)."""
from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.db import transaction

from governance.demo import DEMO_CITY_CODE, stable_rng
from governance.models import Region, RegionLevel, User
from grids.models import Grid, GridWorkerAssignment

# Demo grid workers and the village whose first grid each one works.
GRID_WORKERS = {"hongqi_grid": "610202002010", "yunmengdi_grid": "610202001001"}
TENURE_START = dt.date(2024, 3, 1)


def grids_for(village: Region) -> list[Grid]:
    """The village's grids; sizes depend only on the village code, so re-runs agree.

    Urban communities (社区) have denser grids than rural villages (村): ~300–500 households
    against ~80–200, with 2.4–3.2 residents per household.
    """
    rng = stable_rng("grids", village.code)
    urban = village.name.endswith("社区")
    grids = []
    for n in range(1, rng.choice((3, 4)) + 1):
        households = rng.randint(300, 500) if urban else rng.randint(80, 200)
        grid = Grid(code=f"{village.code}{n:03d}", name=f"{village.name}第{n}网格", region=village,
                    households=households, population=round(households * rng.uniform(2.4, 3.2)))
        grid.set_region(village)  # bulk_create skips Grid.save(), which fills the path
        grids.append(grid)
    return grids


@transaction.atomic
def seed(*, stdout: TextIO, rng: random.Random) -> None:
    villages = Region.objects.filter(city__code=DEMO_CITY_CODE, level=RegionLevel.VILLAGE).order_by("code")
    existing = set(Grid.objects.filter(city__code=DEMO_CITY_CODE).values_list("code", flat=True))
    new = [grid for village in villages for grid in grids_for(village) if grid.code not in existing]
    Grid.objects.bulk_create(new, batch_size=500)

    tenures = 0
    workers = User.objects.in_bulk(list(GRID_WORKERS), field_name="username")
    for username, village_code in GRID_WORKERS.items():
        grid = Grid.objects.get(code=f"{village_code}001")
        _, created = GridWorkerAssignment.objects.get_or_create(
            grid=grid, worker=workers[username], ended_on=None, defaults={"started_on": TENURE_START})
        tenures += created
    total = Grid.objects.filter(city__code=DEMO_CITY_CODE).count()
    stdout.write(f"网格: 新增 {len(new)} / 共 {total};网格员任职: 新增 {tenures}\n")
