"""Grid reads for the map and for point in grid (a selectors room of its own beside
grids/selectors.py: tests/test_project.py counts `*_selectors` modules as selectors).

The two `unscoped_*` reads feed the in-process point-in-grid index (grids/geometry.py), which
covers every grid and scopes its answers; `grid_map_rows` is the scoped read of the map page.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max

from grids.models import Grid

BoundaryRow = tuple[int, str, str, Any, Any, Any, int, Any]


def unscoped_boundary_version() -> tuple[int, Any]:
    """(active grids with a boundary, their latest updated_at): cheap, and it changes whenever
    a boundary is drawn, changed or dropped, or a grid is added or deactivated. Unscoped: the
    index covers every grid; lookups scope their answer.

    # Uses index: none needed at county scale (an aggregate over the grid table)."""
    row = Grid.objects.filter(is_active=True, boundary__isnull=False).aggregate(n=Count("id"), latest=Max("updated_at"))
    return row["n"], row["latest"]


def unscoped_boundary_rows() -> Iterator[BoundaryRow]:
    """(id, code, name, city_id, county_id, township_id, village_id, boundary) of every active
    grid with a boundary, by code, streamed in chunks."""
    rows = Grid.objects.filter(is_active=True, boundary__isnull=False).order_by("code").values_list(
        "pk", "code", "name", "city_id", "county_id", "township_id", "region_id", "boundary")
    return rows.iterator(chunk_size=2000)
