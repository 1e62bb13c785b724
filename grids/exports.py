"""Export rows of grids and tenures inside a scope, in the layout of grids.transfer (what an
import reads back unchanged)."""
from __future__ import annotations

import json
from collections.abc import Iterator

from governance.scoping import Scope
from grids import selectors


def grid_rows(scope: Scope) -> Iterator[list]:
    for grid in selectors.grid_list(scope=scope).iterator(chunk_size=1000):
        yield [grid.code, grid.name, grid.region.code, str(grid.get_kind_display()), grid.households, grid.population,
               "" if grid.centre_lng is None else str(grid.centre_lng),
               "" if grid.centre_lat is None else str(grid.centre_lat),
               json.dumps(grid.boundary, ensure_ascii=False) if grid.boundary else ""]


def worker_rows(scope: Scope) -> Iterator[list]:
    tenures = selectors.tenure_list(scope=scope).order_by("grid__code", "started_on", "id")
    for tenure in tenures.iterator(chunk_size=1000):
        yield [tenure.grid.code, tenure.worker.username, str(tenure.worker), str(tenure.get_employment_display()),
               tenure.started_on.isoformat(), tenure.ended_on.isoformat() if tenure.ended_on else "",
               tenure.end_reason]


ROWS = {"grids": grid_rows, "workers": worker_rows}
