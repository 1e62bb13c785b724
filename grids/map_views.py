"""The grid map (网格地图): the page, and its data as GeoJSON.

Every grid inside the user's jurisdiction (optionally one township or village of it), coloured
by its open and overdue cases, which the cases app counts through the grids port
(`grid_case_counter`, registered by disputes: grids may not import it). A region outside the
jurisdiction is 404, like a missing one. No tile layer unless `MAP_TILE_URL` names an intranet
map server: the page draws the boundaries alone and makes no request to another host.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from governance.forms import int_or_none
from governance.pages import page_errors
from governance.scoping import request_scope
from grids.contract import grid_case_counter
from grids.map_selectors import MapGrid, grid_map_region, grid_map_regions, grid_map_rows


def _status(open_count: int, overdue: int) -> str:
    return "overdue" if overdue else "open" if open_count else "clear"


def _feature(grid: MapGrid, counts: tuple[int, int], url: str) -> str | None:
    """One GeoJSON Feature as text: the stored boundary goes through unparsed."""
    if grid.boundary_json:
        geometry = grid.boundary_json
    elif grid.centre is not None:
        geometry = json.dumps({"type": "Point", "coordinates": list(grid.centre)})
    else:
        return None
    open_count, overdue = counts
    properties = json.dumps({
        "code": grid.code, "name": grid.name, "village": grid.village_name, "kind": grid.kind,
        "open": open_count, "overdue": overdue, "status": _status(open_count, overdue), "url": url,
    }, ensure_ascii=False)
    return f'{{"type":"Feature","id":{grid.id},"geometry":{geometry},"properties":{properties}}}'


@require_GET
@page_errors
def grid_map_data(request: HttpRequest) -> HttpResponse:
    """GeoJSON FeatureCollection of the grids in scope (`?region=<id>` narrows it); grids with
    neither boundary nor centre are only counted (`unmapped`)."""
    scope = request_scope(request)
    region = grid_map_region(scope=scope, region_id=int_or_none(request.GET.get("region")))
    grids = grid_map_rows(scope=scope, region=region)
    # The whole scope's counts in one grouped query; a region's grids by id.
    counts = grid_case_counter()(scope=scope, grid_ids=None if region is None else [g.id for g in grids])
    detail = reverse("grids:detail", args=[0]).removesuffix("0/")
    features = [f for g in grids if (f := _feature(g, counts.get(g.id, (0, 0)), f"{detail}{g.id}/")) is not None]
    shown = [counts.get(g.id, (0, 0)) for g in grids]
    summary = json.dumps({"grids": len(grids), "unmapped": len(grids) - len(features),
                          "open": sum(o for o, _ in shown), "overdue": sum(d for _, d in shown)})
    body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]," + summary[1:]
    return HttpResponse(body, content_type="application/json")


@require_GET
@page_errors
def grid_map(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    region = grid_map_region(scope=scope, region_id=int_or_none(request.GET.get("region")))
    data_url = reverse("grids:map_data") + (f"?region={region.pk}" if region is not None else "")
    return render(request, "grids/map.html", {
        "region": region, "regions": grid_map_regions(scope=scope), "data_url": data_url,
        "tile_url": settings.MAP_TILE_URL,
    })
