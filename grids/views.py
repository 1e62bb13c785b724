"""The grid worker's phone screen: their grids and the cases reported in them."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from governance.errors import NotFound
from governance.scoping import NoJurisdiction, Scope, request_scope
from grids.selectors import GRID_CASES_LIMIT, grid_cases, grid_get, grid_list_current

# disputes.models.Channel.GRID, spelled out: grids may not import disputes.
GRID_CHANNEL = "grid"


def _intake_url(grid_id: int | None) -> str | None:
    """Link to the intake page preset for grid reporting (and for one grid when given);
    None until the intake page is wired."""
    try:
        base = reverse("disputes:intake")
    except NoReverseMatch:
        return None
    query = f"?channel={GRID_CHANNEL}"
    return f"{base}{query}&grid={grid_id}" if grid_id is not None else base + query


def _case_detail_urls(cases) -> dict[int, str]:
    try:
        return {case.pk: reverse("disputes:detail", args=[case.pk]) for case in cases}
    except NoReverseMatch:
        return {}


def _scope(request: HttpRequest) -> Scope:
    try:
        return request_scope(request)
    except NoJurisdiction as exc:
        raise PermissionDenied(exc.message) from None


def _render_grids(request: HttpRequest, scope: Scope, grids, selected=None) -> HttpResponse:
    shown = [selected] if selected is not None else grids
    cases = list(grid_cases(scope=scope, grid_ids=[g.pk for g in shown])[:GRID_CASES_LIMIT])
    detail_urls = _case_detail_urls(cases)
    for case in cases:
        case.detail_url = detail_urls.get(case.pk)
    return render(
        request,
        "grids/mine.html",
        {
            "grids": [(g, _intake_url(g.pk)) for g in grids],
            "selected": selected,
            "cases": cases,
            "cases_limit": GRID_CASES_LIMIT,
            # The big button presets the grid when there is only one to choose from.
            "intake_url": _intake_url(selected.pk if selected is not None else (
                grids[0].pk if len(grids) == 1 else None)),
        },
    )


@login_required
def grid_mine(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    grids = list(grid_list_current(scope=scope, worker_id=request.user.pk))
    return _render_grids(request, scope, grids)


@login_required
def grid_detail(request: HttpRequest, grid_id: int) -> HttpResponse:
    """One grid's cases. Any grid inside the user's jurisdiction; outside → 404."""
    scope = _scope(request)
    try:
        selected = grid_get(scope=scope, grid_id=grid_id)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    grids = list(grid_list_current(scope=scope, worker_id=request.user.pk))
    return _render_grids(request, scope, grids, selected=selected)
