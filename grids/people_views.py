"""Grid workers and screening for township and county staff: the workers with their tenures
and the turnover figures, one worker's history and training, the month's screening (who filed,
who is overdue) and the statistics per region."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.clock import localdate
from governance.forms import int_or_none
from governance.pages import page_errors, paginate
from governance.periods import Period
from governance.permissions import can, require
from grids import selectors
from grids.manage_forms import TrainingForm, run_service
from grids.manage_views import viewer_scope
from grids.selectors.stats import grid_stats_by_region, worker_summary
from grids.services import training_record


@page_errors
def worker_list(request: HttpRequest) -> HttpResponse:
    scope = viewer_scope(request)
    today = localdate()
    page = paginate(request, selectors.worker_choices(scope=scope))
    return render(request, "grids/manage/workers.html", {
        "page": page, "summary": worker_summary(scope=scope, on=today),
        "vacant": list(selectors.vacant_grids(scope=scope, on=today)[:50]),
    })


@page_errors
@require_http_methods(["GET", "POST"])
def worker_detail(request: HttpRequest, worker_id: int) -> HttpResponse:
    scope = viewer_scope(request)
    worker = selectors.worker_get(scope=scope, worker_id=worker_id)
    form = None
    if can(scope, "grids.manage"):
        form = TrainingForm(request.POST or None, initial={"held_on": localdate()})
        if request.method == "POST" and form.is_valid() and run_service(form, lambda: training_record(
                actor=request.user, worker_id=worker.pk, **form.cleaned_data)) is not None:
            messages.success(request, _("已登记培训"))
            return redirect("grids:worker_detail", worker_id=worker.pk)
    elif request.method == "POST":
        require(scope, "grids.manage")
    return render(request, "grids/manage/worker.html", {
        "worker": worker, "form": form,
        "tenures": list(selectors.tenure_list(scope=scope, worker_id=worker.pk)),
        "trainings": list(selectors.training_list(scope=scope, worker_id=worker.pk)),
    })


def month_param(value: str | None, today: dt.date) -> dt.date:
    """`?month=YYYY-MM` as its first day; the previous month (the last one due) otherwise."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(value)
        return dt.date(year, month, 1)
    except ValueError:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@page_errors
def screening_overview(request: HttpRequest) -> HttpResponse:
    """One month's dispute screening: the grids that filed nothing (overdue once the month has
    ended) and the filings."""
    scope = viewer_scope(request)
    today = localdate()
    month = month_param(request.GET.get("month"), today)
    period = Period.month(month.year, month.month)
    missing = selectors.screening_missing(scope=scope, period_start=month)
    return render(request, "grids/manage/screening.html", {
        "month": month, "month_str": f"{month:%Y-%m}", "ended": period.end < today, "missing_page": paginate(request, missing),
        "filed": list(selectors.screening_list(scope=scope, period_start=month)[:200]),
        "previous": (month - dt.timedelta(days=1)).replace(day=1), "next": period.end + dt.timedelta(days=1),
    })


@page_errors
def grid_stats(request: HttpRequest) -> HttpResponse:
    """Grids, coverage, worker presence and on-time screening per region below the viewer."""
    scope = viewer_scope(request)
    today = localdate()
    year = int_or_none(request.GET.get("year")) or today.year
    year = min(max(year, 2000), today.year)
    period = Period(dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))
    return render(request, "grids/manage/stats.html", {
        "rows": grid_stats_by_region(scope=scope, period=period), "period": period, "year": year,
    })
