"""Assessment pages: the ranking (leaders' landing page), a unit's detail with its trend,
the Excel exports and the print view, and the administrators' periods page with the
recompute button. Thin: parse, call a selector or service, render; who sees what is in
assessment/selectors.py (docs/assessment.md)."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import selectors, services
from assessment.exports import XLSX, ranking_workbook, unit_workbook
from assessment.models import PeriodKind
from assessment.services.recompute import period_compute_request
from governance.errors import ApplicationError
from governance.pages import page_errors
from governance.permissions import can, require
from governance.scoping import request_scope


def _ranking(request: HttpRequest):
    scope = request_scope(request)
    require(scope, "assessment.view")
    levels = selectors.ranking_levels(scope)
    if not levels:
        return scope, None, levels, []
    period_id = request.GET.get("period")
    period = (selectors.period_get(scope=scope, period_id=period_id) if period_id
              else selectors.period_default(scope=scope))
    if period is None:
        return scope, None, levels, []
    level = request.GET.get("level") or selectors.ranking_default_level(scope=scope, period=period)
    parents = selectors.ranking_parents(scope=scope, level=level)
    result = selectors.ranking(scope=scope, period=period, level=level, parent_id=request.GET.get("parent"))
    return scope, result, levels, parents


@require_GET
@page_errors
def rankings(request: HttpRequest) -> HttpResponse:
    scope, result, levels, parents = _ranking(request)
    periods = list(selectors.period_list(scope=scope).exclude(state="open")) if levels else []
    return render(request, "assessment/rankings.html", {
        "result": result, "levels": levels, "parents": parents, "periods": periods,
        "can_manage": can(scope, "assessment.manage"),
    })


@require_GET
@page_errors
def rankings_export(request: HttpRequest) -> HttpResponse:
    _scope, result, _levels, _parents = _ranking(request)
    if result is None:
        messages.error(request, _("暂无可导出的考核结果"))
        return redirect("assessment:rankings")
    response = HttpResponse(ranking_workbook(result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ranking-{result.period.pk}-{result.level}.xlsx"'
    return response


def _detail(request: HttpRequest, period_id: int, unit_id: int):
    scope = request_scope(request)
    require(scope, "assessment.view")
    period = selectors.period_get(scope=scope, period_id=period_id)
    return scope, selectors.unit_detail(scope=scope, period=period, unit_id=unit_id)


@require_GET
@page_errors
def unit_detail(request: HttpRequest, period_id: int, unit_id: int) -> HttpResponse:
    scope, detail = _detail(request, period_id, unit_id)
    trend = selectors.unit_trend(scope=scope, unit_id=detail.score.unit_id, kind=detail.period.kind,
                                 year=detail.period.year if detail.period.kind == PeriodKind.MONTH else None)
    return render(request, "assessment/unit_detail.html", {
        "detail": detail, "cases_url": reverse("disputes:list"),
        "can_adjust": can(scope, "assessment.adjust") and detail.period.state == "published",
        "trend": {"labels": [p.label for p in trend], "totals": [p.total for p in trend],
                  "ranks": [p.rank for p in trend]},
    })


@require_GET
@page_errors
def unit_export(request: HttpRequest, period_id: int, unit_id: int) -> HttpResponse:
    _scope, detail = _detail(request, period_id, unit_id)
    response = HttpResponse(unit_workbook(detail), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="unit-{period_id}-{unit_id}.xlsx"'
    return response


@require_GET
@page_errors
def unit_print(request: HttpRequest, period_id: int, unit_id: int) -> HttpResponse:
    """The printable 讲评/督查 report of a unit: points lost by indicator, with the cases."""
    scope, detail = _detail(request, period_id, unit_id)
    return render(request, "assessment/unit_print.html", {
        "detail": detail, "report": selectors.unit_report(scope=scope, detail=detail)})


@require_GET
@page_errors
def periods(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "assessment.view")
    return render(request, "assessment/periods.html", {
        "periods": selectors.period_list(scope=scope), "can_manage": can(scope, "assessment.manage"),
        "can_publish": can(scope, "assessment.publish") and scope.level == "city",
    })


@require_GET
@page_errors
def period_progress(request: HttpRequest, period_id: int) -> HttpResponse:
    scope = request_scope(request)
    require(scope, "assessment.view")
    period = selectors.period_get(scope=scope, period_id=period_id)
    return render(request, "assessment/partials/progress.html", {"period": period})


@require_POST
@page_errors
def period_action(request: HttpRequest, period_id: int, action: str) -> HttpResponse:
    actions = {"compute": period_compute_request, "publish": services.period_publish, "lock": services.period_lock}
    if action not in actions:
        messages.error(request, _("未知操作"))
        return redirect("assessment:periods")
    try:
        actions[action](actor=request.user, period_id=period_id)
    except ApplicationError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, {"compute": _("已开始重新计算"), "publish": _("已发布"), "lock": _("已锁定")}[action])
    return redirect("assessment:periods")
