"""Point in grid (issue 11 item 6): which grid's boundary holds a coordinate.

Grid boundaries are GeoJSON in `Grid.boundary` (lng/lat, WGS-84). They are loaded once into
shapely geometries and an STRtree (a packed R-tree), so a lookup is one tree query plus an
exact test on the few candidates — well under a millisecond at 15,000 grids. Why shapely and
not PostGIS: docs/dependencies.md.

The index lives in process memory, and every web and worker process has its own. It is keyed
by a version read from the database — the number of active grids and their latest
`updated_at` — and rebuilt when that changes, so a boundary drawn, a grid deactivated or a
grid added in one process is used by every other process within VERSION_RECHECK_SECONDS (the
version is re-read at most that often), and by the writing process at once (its own saves
reset the wait through a signal). Nothing assumes one process. (A raw `QuerySet.update()`
that leaves `updated_at` alone would go unseen: grid writes go through `save()`, which stamps
it.)

Outside the county: a point outside the convex hull of a county's grids is outside that
county (the hull of its grids is the only outline of a county we hold: no package ships
铜川's administrative boundaries offline).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from governance.errors import InvalidInput
from governance.models import RegionLevel
from governance.scoping import Scope
from grids.map_selectors import unscoped_boundary_rows, unscoped_boundary_version


@dataclass(frozen=True)
class GridHit:
    """The grid found at a point, with its region path (for scope checks)."""

    grid_id: int
    code: str
    name: str
    city_id: int | None
    county_id: int | None
    township_id: int | None
    village_id: int


@dataclass
class GridIndex:
    """The loaded boundaries: `geometries[i]` is the grid `hits[i]`; `tree` indexes them."""

    version: tuple[int, Any]
    tree: shapely.STRtree | None
    hits: list[GridHit]
    geometries: list[Any]
    county_hulls: dict[int, Any]


# How stale another process's boundary change may be here, at most (seconds).
VERSION_RECHECK_SECONDS = 2.0
_lock = threading.Lock()
_index: GridIndex | None = None
_checked_at = float("-inf")


def geometry_of(boundary: Any):
    """A valid shapely geometry for a GeoJSON Polygon/MultiPolygon, or None for anything else."""
    if not isinstance(boundary, dict) or boundary.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    try:
        geometry = shape(boundary)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.GEOSException):
        return None
    if geometry.is_empty:
        return None
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def unscoped_index_build(version: tuple[int, Any]) -> GridIndex:
    """Load every active grid's boundary (unscoped: the index answers for every scope and
    grid_locate scopes the answer)."""
    hits: list[GridHit] = []
    geometries: list[Any] = []
    by_county: dict[int, list[Any]] = {}
    for pk, code, name, city_id, county_id, township_id, village_id, boundary in unscoped_boundary_rows():
        geometry = geometry_of(boundary)
        if geometry is None:
            continue
        hits.append(GridHit(pk, code, name, city_id, county_id, township_id, village_id))
        geometries.append(geometry)
        if county_id is not None:
            by_county.setdefault(county_id, []).append(geometry)
    hulls = {county: shapely.GeometryCollection(parts).convex_hull for county, parts in by_county.items()}
    tree = shapely.STRtree(geometries) if geometries else None
    return GridIndex(version=version, tree=tree, hits=hits, geometries=geometries, county_hulls=hulls)


def index_current() -> GridIndex:
    """The index for the database as it is now. The version is re-read at most every
    VERSION_RECHECK_SECONDS (a count and a max over the grid table is ~10 ms at 15,000 grids,
    too dear for every lookup); this process's own grid writes reset the wait at once
    (`index_invalidate`, connected to Grid's save and delete signals in GridsConfig.ready)."""
    global _index, _checked_at
    now = time.monotonic()
    index = _index
    if index is not None and now - _checked_at < VERSION_RECHECK_SECONDS:
        return index
    version = unscoped_boundary_version()
    with _lock:
        _checked_at = now
        if _index is None or _index.version != version:
            _index = unscoped_index_build(version)
        return _index


def index_invalidate(**_kwargs: Any) -> None:
    """Rebuild on the next lookup (a signal receiver: a grid saved or deleted). The index is
    dropped, not only re-versioned: two states of the table can share a version (same count,
    same latest stamp, e.g. under a frozen clock or after a rollback), and this process's own
    writes must always be seen."""
    global _checked_at, _index
    with _lock:
        _checked_at = float("-inf")
        _index = None


def coordinate(value: Any, limit: int) -> float | None:
    """A longitude (limit 180) or latitude (limit 90) as a float; None when blank or invalid."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return float(number)


def unscoped_grid_at_point(*, lng: float, lat: float) -> GridHit | None:
    """The grid whose boundary covers the point (the lowest code when boundaries touch), in
    any jurisdiction: callers scope the answer (grid_locate)."""
    index = index_current()
    if index.tree is None:
        return None
    point = Point(lng, lat)
    candidates = sorted(int(i) for i in index.tree.query(point, predicate="intersects"))
    return index.hits[candidates[0]] if candidates else None


def _scope_county_ids(scope: Scope) -> set[int]:
    """The counties the scope lies in or covers."""
    if scope.level == RegionLevel.COUNTY:
        return {scope.region_id}
    if scope.level == RegionLevel.CITY:
        return set(scope.regions().filter(level=RegionLevel.COUNTY).values_list("pk", flat=True))
    return set(scope.regions().filter(pk=scope.region_id).values_list("county_id", flat=True)) - {None}


def grid_locate(*, scope: Scope, lng: Any, lat: Any, field: str = "location") -> GridHit | None:
    """The grid at (lng, lat) inside the scope, or None when the point lies in the scope's
    county but in no grid the scope covers (the clerk picks one).

    Raises InvalidInput (on `field`) for a malformed coordinate, and for a point outside the
    county: outside the hull of the county's grids. With no boundaries drawn in the county
    there is nothing to judge by, and the answer is None."""
    x, y = coordinate(lng, 180), coordinate(lat, 90)
    if x is None or y is None:
        raise InvalidInput(_("坐标无效"), extra={"fields": {field: _("坐标无效")}})
    hit = unscoped_grid_at_point(lng=x, lat=y)
    if hit is not None and getattr(hit, scope.column) == scope.region_id:
        return hit
    hulls = [index_current().county_hulls.get(county) for county in _scope_county_ids(scope)]
    hulls = [hull for hull in hulls if hull is not None]
    if hulls and not any(hull.covers(Point(x, y)) for hull in hulls):
        message = _("该位置不在本县(区)范围内，请核对定位或手动选择网格")
        raise InvalidInput(message, code="outside_county", extra={"fields": {field: message}})
    return None

