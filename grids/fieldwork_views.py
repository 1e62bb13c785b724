"""The grid worker's field work on the phone (390 px): patrols (巡查日志), the month's dispute
screening (a zero report in one tap), hazard inspections and their follow-up. A patrol that
found something links to the field report page, preset with the grid and the patrol."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.clock import localdate
from governance.models import Role
from governance.pages import page_errors
from governance.permissions import require
from governance.scoping import Scope, request_scope
from grids import selectors, services
from grids.fieldwork_forms import FollowUpForm, HazardForm, PatrolForm, ScreeningForm
from grids.manage_forms import run_service

RECENT = 10


def field_report_url(grid_id: int, patrol_id: int) -> str | None:
    """The field report page preset for a patrol's finding; None until that page exists."""
    try:
        base = reverse("disputes:field_report")
    except NoReverseMatch:
        return None
    return f"{base}?grid={grid_id}&patrol={patrol_id}"


def field_scope(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    require(scope, "grids.field_work")
    return scope


def my_grids(request: HttpRequest, scope: Scope) -> list:
    """The grids the user records on: a grid worker's own; center staff's whole scope."""
    if scope.role == Role.GRID_WORKER:
        return list(selectors.grid_list_current(scope=scope, worker_id=request.user.pk))
    return list(selectors.grid_list(scope=scope)[:500])


@page_errors
def fieldwork_home(request: HttpRequest) -> HttpResponse:
    scope = field_scope(request)
    grids = my_grids(request, scope)
    ids = [g.pk for g in grids]
    month = localdate().replace(day=1)
    filed = {s.grid_id for s in selectors.screening_list(scope=scope, period_start=month).filter(grid_id__in=ids)}
    patrols = selectors.patrol_list(scope=scope, recorded_by=request.user.pk)[:RECENT]
    return render(request, "grids/fieldwork/home.html", {
        "grids": [(g, g.pk in filed) for g in grids], "month": month,
        "patrols": [(p, field_report_url(p.grid_id, p.pk) if p.findings else None) for p in patrols],
        "hazards": list(selectors.hazard_list(scope=scope, open_only=True).filter(grid_id__in=ids)[:RECENT]),
        "today": localdate(),
    })


def _field_form(request: HttpRequest, form_class, initial: dict, call, *, title: str, done: str) -> HttpResponse:
    scope = field_scope(request)
    grids = [(g.pk, f"{g.name}({g.region.name})") for g in my_grids(request, scope)]
    grid = request.GET.get("grid")
    form = form_class(request.POST or None, grids=grids, initial={"grid": grid, **initial})
    if request.method == "POST" and form.is_valid():
        record = run_service(form, lambda: call(form.cleaned_data))
        if record is not None:
            messages.success(request, done)
            return redirect("grids:fieldwork")
    return render(request, "grids/fieldwork/form.html", {"form": form, "title": title, "no_grids": not grids})


@page_errors
@require_http_methods(["GET", "POST"])
def patrol_new(request: HttpRequest) -> HttpResponse:
    return _field_form(request, PatrolForm, {"patrolled_on": localdate()}, lambda data: services.patrol_record(
        actor=request.user, grid_id=data["grid"], patrolled_on=data["patrolled_on"], route=data["route"],
        findings=data["findings"]), title=_("巡查日志"), done=_("已记录巡查"))


@page_errors
@require_http_methods(["GET", "POST"])
def screening_new(request: HttpRequest) -> HttpResponse:
    return _field_form(request, ScreeningForm, {"period_start": localdate().replace(day=1), "disputes_found": 0},
                       lambda data: services.screening_file(
                           actor=request.user, grid_id=data["grid"], period_start=data["period_start"],
                           disputes_found=data["disputes_found"], notes=data["notes"]),
                       title=_("矛盾纠纷排查"), done=_("已填报排查"))


@page_errors
@require_http_methods(["GET", "POST"])
def hazard_new(request: HttpRequest) -> HttpResponse:
    return _field_form(request, HazardForm, {"inspected_on": localdate()}, lambda data: services.hazard_record(
        actor=request.user, grid_id=data["grid"], inspected_on=data["inspected_on"], location=data["location"],
        description=data["description"], rectify_by=data["rectify_by"]), title=_("隐患排查"), done=_("已记录隐患"))


@page_errors
@require_http_methods(["GET", "POST"])
def hazard_follow_up(request: HttpRequest, hazard_id: int) -> HttpResponse:
    scope = field_scope(request)
    hazard = selectors.hazard_get(scope=scope, hazard_id=hazard_id)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and run_service(form, lambda: services.hazard_follow_up(
            actor=request.user, hazard_id=hazard.pk, **form.cleaned_data)) is not None:
        messages.success(request, _("已记录跟进"))
        return redirect("grids:fieldwork")
    return render(request, "grids/fieldwork/form.html", {"form": form, "title": _("隐患跟进"), "hazard": hazard})
