"""Grid reads: one grid, lists, the worker's grids, and the grid counts for assessment."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from governance.errors import NotFound
from governance.models import RegionLevel
from governance.periods import Period
from governance.scoping import Scope
from grids.models import Grid, GridWorkerAssignment

# The phone screen shows the most recent cases only; older ones are in the case list.
GRID_CASES_LIMIT = 50


def grid_list_current(*, scope: Scope, worker_id: int) -> QuerySet[Grid]:
    """Grids `worker_id` currently works (tenure not ended), inside the scope."""
    grids = Grid.objects.filter(
        worker_assignments__worker_id=worker_id,
        worker_assignments__ended_on__isnull=True,
        is_active=True,
    )
    return scope.filter(grids).select_related("region").distinct().order_by("code")


def grid_get(*, scope: Scope, grid_id: int) -> Grid:
    """One grid inside the scope; outside looks exactly like missing (NotFound)."""
    grid = scope.filter(Grid.objects.select_related("region")).filter(pk=grid_id).first()
    if grid is None:
        raise NotFound(_("未找到该网格"))
    return grid


def grid_list(*, scope: Scope, active: bool | None = True, village_id: int | None = None,
              kind: str = "", query: str = "") -> QuerySet[Grid]:
    """Grids inside the scope (active ones by default; None: all, retired included), with their
    village, filtered by village, kind and a code/name search. A village outside the scope is
    NotFound."""
    grids = scope.filter(Grid.objects.all()).select_related("region")
    if active is not None:
        grids = grids.filter(is_active=active)
    if village_id:
        grids = grids.filter(region=scope.region_in_scope(village_id))
    if kind:
        grids = grids.filter(kind=kind)
    if query:
        grids = grids.filter(Q(code__startswith=query) | Q(name__contains=query))
    return grids.order_by("code")


def grid_code_taken(code: str) -> bool:
    """Whether any grid (in any jurisdiction, retired ones included) uses `code`: codes are
    unique nationally, so a clash elsewhere must be refused too, without showing that grid."""
    # Uses index: grids_grid_code_key (unique)
    return Grid.objects.filter(code=code).exists()


def grid_by_code(*, scope: Scope, code: str) -> Grid | None:
    """The grid with `code` inside the scope (retired ones included), else None."""
    return scope.filter(Grid.objects.select_related("region")).filter(code=code).first()


def grid_queryset(scope: Scope, village_id: int | None) -> QuerySet[Grid]:
    """Active grids inside the scope, limited to one village when it is known (a case's grid
    select)."""
    grids = scope.filter(Grid.objects.filter(is_active=True))
    if village_id:
        grids = grids.filter(region_id=village_id)
    return grids.order_by("code")


def grid_active_in_village(*, grid_id: Any, village_id: int) -> int | None:
    """The id of the active grid `grid_id` when it lies in `village_id` (which the caller has
    already found inside its scope), else None. Any input that is not an id is None."""
    try:
        pk = int(grid_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Grid.objects.filter(pk=pk, region_id=village_id, is_active=True).values_list("pk", flat=True).first()


@dataclass(frozen=True)
class GridCounts:
    grids: int
    grids_with_worker: int
    households: int
    population: int


def unscoped_grid_counts_by_region(*, level: str, region_ids: Sequence[int],
                                   period: Period) -> dict[int, GridCounts]:
    """Per region of `level` in `region_ids`: active grids, those with a worker in post at the
    period's end, households and population. Unscoped: assessment counts for the regions it
    ranks (it asks only for regions inside the ranking leader's jurisdiction)."""
    column = f"{RegionLevel(level).value}_id"
    ids = list(region_ids)
    grids = Grid.objects.filter(is_active=True, **{f"{column}__in": ids})
    staffed = GridWorkerAssignment.objects.filter(
        grid_id=OuterRef("pk"), started_on__lte=period.end,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.end))  # ended_on: the last day in post
    rows = grids.values(column).annotate(
        grids=Count("id"),
        staffed=Count("id", filter=Exists(staffed)),
        households=Sum("households"),
        population=Sum("population"),
    ).order_by()
    counts = {region_id: GridCounts(0, 0, 0, 0) for region_id in ids}
    for row in rows:
        counts[row[column]] = GridCounts(row["grids"], row["staffed"], row["households"] or 0, row["population"] or 0)
    return counts


def unscoped_active_grid_ids_by_village(*, city_code: str) -> dict[int, list[int]]:
    """Active grid ids of a city per village, in code order. Unscoped: demo data and operator
    tooling lay cases out across a whole city."""
    grids: dict[int, list[int]] = {}
    for grid_id, village_id in Grid.objects.filter(city__code=city_code, is_active=True).order_by("code").values_list(
            "pk", "region_id"):
        grids.setdefault(village_id, []).append(grid_id)
    return grids
