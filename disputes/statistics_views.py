"""统计分析: the statistic tables (disputes.selectors.statistics) as a page with ECharts, as
JSON for the charts (each bar with its case-list URL), and as .xlsx. The period and filters
live in the query string, so a refresh or a shared link shows the same figures."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from disputes import exports
from disputes.dashboard_views import board_default, board_params, dashboard_scope
from disputes.selectors import statistics as stats
from governance import clock
from governance.errors import InvalidInput
from governance.pages import page_errors
from governance.periods import PERIOD_CHOICES
from governance.xlsx import xlsx_response


def statistics_query(request: HttpRequest, *, fallback: bool = False):
    """The board and the statistics query of the request. A bad period or category is
    InvalidInput (400 for the data and the export); with `fallback` (the page) the message
    is shown above this month's figures instead."""
    scope = dashboard_scope(request, refusal=_("统计分析仅供调度员和领导使用"))
    try:
        board = board_params(request, scope)
        parent = request.GET.get("parent")
        try:
            parent_id = int(parent) if parent not in (None, "") else None
        except ValueError:
            raise InvalidInput(_("类别无效")) from None
    except InvalidInput as exc:
        if not fallback:
            raise
        messages.error(request, exc.message)
        board = board_default(scope)
        parent_id = None
    return board, stats.Query(scope=scope, period=board.period, region=board.region, parent_id=parent_id)


def table_json(table: stats.Table) -> dict[str, Any]:
    """A table as JSON: each count cell with the case-list URL it drills down to."""
    list_url = reverse("disputes:list")
    rows = []
    for row in table.rows:
        out = {}
        for key, cell in row.items():
            filters = stats.cell_filters(cell)
            out[key] = {"value": cell.value, "url": f"{list_url}?{urlencode(filters)}" if filters else None}
            if cell.filters and filters is None:
                out[key]["ref"] = cell.filters  # a label's drill-in (region_id / category_id)
        rows.append(out)
    return {"name": table.name, "title": str(table.title),
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns], "rows": rows}


@require_GET
@page_errors
def statistics(request: HttpRequest) -> HttpResponse:
    board, query = statistics_query(request, fallback=True)
    tables = [stats.statistic_table(name, query) for name in stats.STATISTICS]
    context = {
        "board": board, "periods": PERIOD_CHOICES, "tables": [table_json(t) for t in tables],
        "regions": query.scope.regions().filter(level=stats.CHILD_LEVEL[query.scope.level]).order_by("code"),
        "parent_id": query.parent_id, "data_url": f"{reverse('disputes:statistics_data')}?{request.GET.urlencode()}",
        "today": clock.localdate(),
    }
    return render(request, "disputes/statistics.html", context)


@require_GET
@page_errors
def statistics_data(request: HttpRequest) -> JsonResponse:
    _board, query = statistics_query(request)
    return JsonResponse({"tables": [table_json(stats.statistic_table(name, query)) for name in stats.STATISTICS]})


@require_GET
@page_errors
def statistic_export(request: HttpRequest, name: str) -> HttpResponse:
    board, query = statistics_query(request)
    table = stats.statistic_table(name, query)
    header, rows = exports.table_export(table)
    filename = f"{name}-{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}.xlsx"
    return xlsx_response(filename=filename, title=str(table.title), header=header, rows=rows)
