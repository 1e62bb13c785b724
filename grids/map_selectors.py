"""Grid reads for the map and for point in grid (a selectors room of its own beside
grids/selectors.py: tests/test_project.py counts `*_selectors` modules as selectors).

The two `unscoped_*` reads feed the in-process point-in-grid index (grids/geometry.py), which
covers every grid and scopes its answers; `grid_map_rows` is the scoped read of the map page.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from governance.errors import NotFound
from governance.models import Region, RegionLevel
from governance.scoping import Scope
from grids.models import Grid

BoundaryRow = tuple[int, str, str, Any, Any, Any, int, Any]


def _with_boundary():
    """Active grids whose boundary is a GeoJSON object (not SQL NULL, not a JSON null)."""
    return Grid.objects.filter(is_active=True, boundary__has_key="type")


def unscoped_boundary_version() -> tuple[int, Any]:
    """(active grids, their latest updated_at): it changes whenever a boundary is drawn,
    changed or dropped (save stamps updated_at), or a grid is added or deactivated. Unscoped:
    the index covers every grid; lookups scope their answer. No JSON is read (a has-key test
    on every row costs more than the count).

    # Uses index: none (one pass over the grid table; grids/geometry.py reads it every few seconds)."""
    row = Grid.objects.filter(is_active=True).aggregate(n=Count("id"), latest=Max("updated_at"))
    return row["n"], row["latest"]


def unscoped_boundary_rows() -> Iterator[BoundaryRow]:
    """(id, code, name, city_id, county_id, township_id, village_id, boundary) of every active
    grid with a boundary, by code, streamed in chunks."""
    rows = _with_boundary().order_by("code").values_list(
        "pk", "code", "name", "city_id", "county_id", "township_id", "region_id", "boundary")
    return rows.iterator(chunk_size=2000)


@dataclass(frozen=True)
class MapGrid:
    """One grid on the map: plain values; its boundary as the stored GeoJSON text (passed
    through to the response unparsed) or None."""

    id: int
    code: str
    name: str
    village_name: str
    kind: str
    boundary_json: str | None
    centre: tuple[float, float] | None


def grid_map_region(*, scope: Scope, region_id: int | None) -> Region | None:
    """The region the map is limited to: one inside the scope, or None for the whole scope.
    A region outside the scope looks exactly like a missing one (NotFound)."""
    if region_id is None:
        return None
    region = scope.regions().filter(pk=region_id).first() if 0 < region_id < 2**63 else None
    if region is None:
        raise NotFound(_("未找到该区域"))
    return region


def grid_map_rows(*, scope: Scope, region: Region | None = None) -> list[MapGrid]:
    """Active grids inside the scope (and inside `region` when given), by code, one query.

    # Uses index: grids_grid_<level>_id (the scope column), then the region's column."""
    grids = scope.filter(Grid.objects.filter(is_active=True))
    if region is not None:
        grids = grids.filter(**{f"{region.level}_id": region.pk})
    # The boundary as text: the map passes it through, parsing and re-encoding 3,000
    # polygons would cost more than the query.
    rows = grids.annotate(boundary_text=Cast("boundary", TextField())).order_by("code").values_list(
        "pk", "code", "name", "region__name", "kind", "boundary_text", "centre_lng", "centre_lat")
    return [MapGrid(id=pk, code=code, name=name, village_name=village, kind=kind,
                    boundary_json=boundary if boundary and boundary != "null" else None,
                    centre=(float(lng), float(lat)) if lng is not None and lat is not None else None)
            for pk, code, name, village, kind, boundary, lng, lat in rows]


def grid_map_regions(*, scope: Scope) -> list[tuple[int, str]]:
    """The townships and villages inside the scope (the map's region filter), by code."""
    return list(scope.regions().filter(level__in=(RegionLevel.TOWNSHIP, RegionLevel.VILLAGE))
                .order_by("code").values_list("pk", "name"))
