"""The grid worker's phone screen: their grids and the cases reported in them.

Errors go through governance.pages.page_errors: a grid outside the jurisdiction is 404, a
user without one 403.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from governance.pages import page_errors
from governance.scoping import Scope, request_scope
from grids.contract import grid_case_reader
from grids.selectors import GRID_CASES_LIMIT, grid_get, grid_list_current


def _url(name: str) -> str | None:
    """A page of the cases app by name (grids may not import it); None until it is wired."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _intake_url(grid_id: int | None) -> str | None:
    """Link to the phone's field report (现场上报), preset for one grid when given; the report
    becomes a case with channel 网格上报 in a grid the worker holds."""
    base = _url("disputes:field_report")
    if base is None:
        return None
    return f"{base}?grid={grid_id}" if grid_id is not None else base


def _render_grids(request: HttpRequest, scope: Scope, grids, selected=None) -> HttpResponse:
    shown = [selected] if selected is not None else grids
    cases = grid_case_reader()(scope=scope, grid_ids=[g.pk for g in shown], limit=GRID_CASES_LIMIT)
    return render(
        request,
        "grids/mine.html",
        {
            "grids": [(g, _intake_url(g.pk)) for g in grids],
            "selected": selected,
            "cases": cases,
            "cases_limit": GRID_CASES_LIMIT,
            "reports_url": _url("disputes:field_reports"),
            # The big button presets the grid when there is only one to choose from.
            "intake_url": _intake_url(selected.pk if selected is not None else (
                grids[0].pk if len(grids) == 1 else None)),
        },
    )


@page_errors
def grid_mine(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    grids = list(grid_list_current(scope=scope, worker_id=request.user.pk))
    return _render_grids(request, scope, grids)


@page_errors
def grid_detail(request: HttpRequest, grid_id: int) -> HttpResponse:
    """One grid's cases. Any grid inside the user's jurisdiction; outside → 404."""
    scope = request_scope(request)
    selected = grid_get(scope=scope, grid_id=grid_id)
    grids = list(grid_list_current(scope=scope, worker_id=request.user.pk))
    return _render_grids(request, scope, grids, selected=selected)
