"""Grid management pages for township and county staff (and leaders, read-only): the grid
list, one grid's page (workers, patrols, screening, hazards, cases, history), create, edit,
split, merge, and tenures. Scoped through the selectors; a grid elsewhere is 404."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.clock import localdate
from governance.forms import int_or_none, village_choices
from governance.pages import page_errors, paginate
from governance.permissions import can, require
from governance.scoping import Scope, request_scope
from grids import selectors, services
from grids.contract import grid_case_reader, grid_party_reader
from grids.manage_forms import GridForm, GridPartForm, MergeForm, TenureEndForm, TenureForm, run_service
from grids.models import GridKind

RECENT = 10


def viewer_scope(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    require(scope, "grids.view")
    return scope


def flat_villages(scope: Scope) -> list[tuple[int, str]]:
    """The villages inside the scope as (id, name), township groups flattened."""
    flat: list[tuple[int, str]] = []
    for value, label in village_choices(scope)[1:]:
        flat.extend(label if isinstance(label, list) else [(value, label)])
    return flat


def _query(request: HttpRequest) -> str:
    """The list's query string without its page number (for the pagination links)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@page_errors
def grid_manage_list(request: HttpRequest) -> HttpResponse:
    scope = viewer_scope(request)
    status = request.GET.get("status", "active")
    active = {"active": True, "retired": False}.get(status)
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in GridKind.values else ""
    query = request.GET.get("q", "").strip()[:30]
    grids = selectors.grid_list(scope=scope, active=active, village_id=int_or_none(request.GET.get("village")),
                                kind=kind, query=query)
    page = paginate(request, grids)
    workers = selectors.grid_workers_current(scope=scope, grid_ids=[g.pk for g in page])
    return render(request, "grids/manage/list.html", {
        "page": page, "rows": [(g, workers[g.pk]) for g in page],
        "villages": flat_villages(scope), "query": _query(request), "kinds": GridKind.choices, "status": status,
        "filters": {"village": int_or_none(request.GET.get("village")), "kind": kind, "q": query},
        "can_manage": can(scope, "grids.manage"),
    })


def _cases(scope: Scope, grid_id: int) -> list:
    try:
        reader = grid_case_reader()
    except ImproperlyConfigured:  # no cases app registered (grids alone): the section stays empty
        return []
    return reader(scope=scope, grid_ids=[grid_id], limit=RECENT)


def _party_groups(scope: Scope, grid_id: int) -> list | None:
    """The party groups covering the grid; None (no section) without a party-building app or
    when the viewer's role does not read party building."""
    reader = grid_party_reader()
    return None if reader is None else reader(scope=scope, grid_id=grid_id)


@page_errors
def grid_manage_detail(request: HttpRequest, grid_id: int) -> HttpResponse:
    scope = viewer_scope(request)
    grid = selectors.grid_get(scope=scope, grid_id=grid_id)
    tenures = list(selectors.tenure_list(scope=scope, grid_id=grid.pk))
    return render(request, "grids/manage/detail.html", {
        "grid": grid,
        "current": [t for t in tenures if t.ended_on is None],
        "past": [t for t in tenures if t.ended_on is not None],
        "predecessors": list(grid.predecessors.order_by("code")),
        "successors": list(grid.successors.order_by("code")),
        "patrols": list(selectors.patrol_list(scope=scope, grid_id=grid.pk)[:RECENT]),
        "screenings": list(selectors.screening_list(scope=scope, grid_id=grid.pk)[:12]),
        "hazards": list(selectors.hazard_list(scope=scope, grid_id=grid.pk)[:RECENT]),
        "cases": _cases(scope, grid.pk),
        "party_groups": _party_groups(scope, grid.pk),
        "can_manage": can(scope, "grids.manage") and grid.is_active,
        "today": localdate(),
    })


@page_errors
@require_http_methods(["GET", "POST"])
def grid_manage_new(request: HttpRequest) -> HttpResponse:
    scope = viewer_scope(request)
    require(scope, "grids.manage")
    form = GridForm(request.POST or None, scope=scope, initial={"village": int_or_none(request.GET.get("village"))})
    if request.method == "POST" and form.is_valid():
        grid = run_service(form, lambda: services.grid_create(actor=request.user, data=form.grid_input()))
        if grid is not None:
            messages.success(request, _("已新建网格 %(code)s") % {"code": grid.code})
            return redirect("grids:manage_detail", grid_id=grid.pk)
    return render(request, "grids/manage/form.html", {"form": form, "title": _("新建网格")})


@page_errors
@require_http_methods(["GET", "POST"])
def grid_manage_edit(request: HttpRequest, grid_id: int) -> HttpResponse:
    scope = viewer_scope(request)
    grid = selectors.grid_get(scope=scope, grid_id=grid_id)
    require(scope, "grids.manage")
    form = GridForm(request.POST or None, scope=scope, initial=GridForm.initial_for(grid))
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.grid_update(actor=request.user, grid_id=grid.pk,
                                                             data=form.grid_input()))
        if done is not None:
            messages.success(request, _("已保存"))
            return redirect("grids:manage_detail", grid_id=grid.pk)
    return render(request, "grids/manage/form.html", {"form": form, "grid": grid, "title": _("编辑网格")})


SPLIT_PARTS = range(2, 6)


@page_errors
@require_http_methods(["GET", "POST"])
def grid_manage_split(request: HttpRequest, grid_id: int) -> HttpResponse:
    """拆分 into `?parts=` (2–5) new grids."""
    scope = viewer_scope(request)
    grid = selectors.grid_get(scope=scope, grid_id=grid_id)
    require(scope, "grids.manage")
    count = int_or_none(request.GET.get("parts"))
    count = count if count in SPLIT_PARTS else SPLIT_PARTS[0]
    data = request.POST if request.method == "POST" else None
    parts = [GridPartForm(data, prefix=f"p{n}", initial={"kind": grid.kind}) for n in range(count)]
    if data is not None and all(p.is_valid() for p in parts):
        created = run_service(parts[0], lambda: services.grid_split(
            actor=request.user, grid_id=grid.pk, parts=[p.grid_input(grid.region_id) for p in parts]))
        if created is not None:
            messages.success(request, _("已拆分为 %(n)s 个网格") % {"n": len(created)})
            return redirect("grids:manage_detail", grid_id=created[0].pk)
    return render(request, "grids/manage/split.html", {"grid": grid, "parts": parts, "counts": SPLIT_PARTS})


@page_errors
@require_http_methods(["GET", "POST"])
def grid_manage_merge(request: HttpRequest, grid_id: int) -> HttpResponse:
    """合并 this grid with others of its village into one new grid."""
    scope = viewer_scope(request)
    grid = selectors.grid_get(scope=scope, grid_id=grid_id)
    require(scope, "grids.manage")
    others = [(g.pk, f"{g.code} {g.name}") for g in selectors.grid_list(scope=scope, village_id=grid.region_id)
              if g.pk != grid.pk]
    data = request.POST if request.method == "POST" else None
    choose, into = MergeForm(data, others=others), GridPartForm(data, prefix="into")
    if data is not None and choose.is_valid() and into.is_valid():
        merged = run_service(into, lambda: services.grid_merge(
            actor=request.user, grid_ids=[grid.pk, *choose.cleaned_data["others"]],
            into=into.grid_input(grid.region_id)))
        if merged is not None:
            messages.success(request, _("已合并为网格 %(code)s") % {"code": merged.code})
            return redirect("grids:manage_detail", grid_id=merged.pk)
    return render(request, "grids/manage/merge.html", {"grid": grid, "choose": choose, "into": into})


@page_errors
@require_http_methods(["GET", "POST"])
def tenure_new(request: HttpRequest, grid_id: int) -> HttpResponse:
    scope = viewer_scope(request)
    grid = selectors.grid_get(scope=scope, grid_id=grid_id)
    require(scope, "grids.manage")
    workers = [(w.pk, f"{w} ({w.region.name})") for w in selectors.worker_choices(scope=scope)
               if getattr(grid, f"{w.region.level}_id", None) == w.region_id]
    form = TenureForm(request.POST or None, workers=workers, initial={"started_on": localdate()})
    if request.method == "POST" and form.is_valid():
        tenure = run_service(form, lambda: services.tenure_assign(actor=request.user, grid_id=grid.pk,
                                                                 worker_id=form.cleaned_data["worker"],
                                                                 employment=form.cleaned_data["employment"],
                                                                 started_on=form.cleaned_data["started_on"]))
        if tenure is not None:
            messages.success(request, _("已安排网格员 %(worker)s") % {"worker": tenure.worker})
            return redirect("grids:manage_detail", grid_id=grid.pk)
    return render(request, "grids/manage/form.html", {
        "form": form, "grid": grid, "title": _("安排网格员")})


@page_errors
@require_http_methods(["GET", "POST"])
def tenure_end(request: HttpRequest, tenure_id: int) -> HttpResponse:
    scope = viewer_scope(request)
    tenure = selectors.tenure_get(scope=scope, tenure_id=tenure_id)
    require(scope, "grids.manage")
    form = TenureEndForm(request.POST or None, initial={"ended_on": localdate()})
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.tenure_end(actor=request.user, tenure_id=tenure.pk,
                                                            **form.cleaned_data))
        if done is not None:
            messages.success(request, _("已登记离任"))
            return redirect("grids:manage_detail", grid_id=tenure.grid_id)
    return render(request, "grids/manage/form.html", {
        "form": form, "grid": tenure.grid, "title": _("登记离任:%(worker)s") % {"worker": tenure.worker}})
