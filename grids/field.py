"""What a grid worker's field report reads of grids: the grids they hold now, as plain values
(the cases app builds the report's case from them through grids.contract)."""
from __future__ import annotations

from dataclasses import dataclass

from governance.scoping import Scope
from grids.selectors import grid_list_current


@dataclass(frozen=True)
class WorkerGrid:
    grid_id: int
    code: str
    name: str
    village_id: int
    village_name: str


def worker_grids(*, scope: Scope, worker_id: int) -> list[WorkerGrid]:
    """The active grids `worker_id` holds today (open tenure), inside the scope, by code."""
    return [WorkerGrid(grid_id=g.pk, code=g.code, name=g.name, village_id=g.region_id, village_name=g.region.name)
            for g in grid_list_current(scope=scope, worker_id=worker_id)]
