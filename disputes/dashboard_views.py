"""The dispatch dashboard (调度大屏) pages: live figures, work queues with dispatch, 督办 and
催办 from the queue, and the wall screen (大屏). Thin: parse the period and region, call a
selector (disputes.selectors.dashboard) or a service, render. htmx polls the figures and
queues (every `DASHBOARD_REFRESH_SECONDS`) and refreshes them at once after an action
(the `dashboard-refresh` event the action's answer triggers). docs/dashboard.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from disputes import permissions, selectors, services
from disputes.action_forms import action_form
from disputes.actions import ACTION_BY_NAME, CENTER
from disputes.deadlines import dispatch_deadlines
from disputes.selectors import dashboard as board
from disputes.selectors.tally import tally_seconds
from disputes.selectors.warnings import warning_list
from governance import clock
from governance.errors import ApplicationError, Conflict, Forbidden, InvalidInput
from governance.models import Region, Role
from governance.pages import page_errors
from governance.pagination import DeferredJoinPaginator
from governance.periods import PERIOD_CHOICES, Period, period_named
from governance.scoping import Scope, request_scope

DASHBOARD_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
QUEUE_PAGE_SIZE = 10
BULK_MAX = 50
REFRESH_EVENT = "dashboard-refresh"


@dataclass(frozen=True)
class Board:
    """What every dashboard request parses: the scope, the period, a region inside the scope."""

    scope: Scope
    period_name: str
    period: Period
    region: Region | None
    query: str  # the period and region as a query string (kept by every link and poll)

    def list_url(self, filters: dict[str, str]) -> str:
        return f"{reverse('disputes:list')}?{urlencode(filters)}"


def dashboard_scope(request: HttpRequest, refusal: str | None = None) -> Scope:
    scope = request_scope(request)
    if scope.role not in DASHBOARD_ROLES:
        raise Forbidden(refusal or _("调度大屏仅供调度员和领导使用"))
    return scope


def board_params(request: HttpRequest, scope: Scope) -> Board:
    """The period (?period=week|month|quarter|year|custom&start=&end=) and the region
    (?region=, inside the scope; outside → 404); a bad period → InvalidInput (400)."""
    name = request.GET.get("period") or "month"
    start, end = request.GET.get("start"), request.GET.get("end")
    period = period_named(name, today=clock.localdate(), start=start, end=end)
    region_id = request.GET.get("region")
    region = scope.region_in_scope(region_id) if region_id not in (None, "") else None
    params = {"period": name}
    if name == "custom":
        params.update(start=period.start.isoformat(), end=period.end.isoformat())
    if region is not None:
        params["region"] = str(region.pk)
    return Board(scope, name, period, region, urlencode(params))


def board_default(scope: Scope) -> Board:
    """This month over the whole jurisdiction: what a page shows beside a bad period's message."""
    return Board(scope, "month", period_named("month", today=clock.localdate()), None, "period=month")


def refresh_seconds() -> int:
    return max(2, int(getattr(settings, "DASHBOARD_REFRESH_SECONDS", 60)))


def _figures_context(request: HttpRequest, board_: Board, figures: board.Figures | None = None) -> dict[str, Any]:
    figures = figures or _figures(board_)
    tiles = [{"figure": f, "url": board_.list_url(f.filters)} for f in figures.tiles]
    rates = [{"rate": r, "numerator_url": board_.list_url(r.numerator.filters),
              "denominator_url": board_.list_url(r.denominator.filters)} for r in figures.rates]
    counted_at = timezone.localtime(figures.counted_at) if figures.counted_at else None
    return {"tiles": tiles, "rates": rates, "as_of": timezone.localtime(figures.as_of), "board": board_,
            "refresh": refresh_seconds(), "counted_at": counted_at, "tally_seconds": tally_seconds()}


def _figures(board_: Board) -> board.Figures:
    # The screen's state and card tiles come from the workers' rollup while it is fresh (its
    # age is shown beside 数据截至); the API counts them live.
    return board.dashboard_figures(scope=board_.scope, period=board_.period, today=clock.localdate(),
                                   now=clock.now(), region_id=board_.region.pk if board_.region else None,
                                   rollup=True)


@require_GET
@page_errors
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = dashboard_scope(request)
    try:
        board_ = board_params(request, scope)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        board_ = board_default(scope)
    figures = _figures(board_)
    context = {
        **_figures_context(request, board_, figures),
        # The queues' first pages come with the page (one request); each then polls by itself.
        "queues": queue_contexts(request, scope, board_, board.queue_names(scope), figures.live_queue_sizes()),
        "periods": PERIOD_CHOICES,
        "regions": scope.regions().filter(level=_child_level(scope)).order_by("code"),
        "data_url": reverse("disputes:dashboard_data"),
        "list_url": reverse("disputes:list"),
    }
    return render(request, "disputes/dashboard.html", context)


def _child_level(scope: Scope) -> str:
    from disputes.selectors.stats import CHILD_LEVEL

    return CHILD_LEVEL[scope.level]


@require_GET
@page_errors
def dashboard_figures(request: HttpRequest) -> HttpResponse:
    """The tiles alone (htmx: polled, and refreshed after an action)."""
    scope = dashboard_scope(request)
    board_ = board_params(request, scope)
    if request.GET.get("wall") == "warnings":
        return render(request, "disputes/partials/wall_warnings.html", _wall_warnings_context(board_))
    template = "disputes/partials/wall_figures.html" if request.GET.get("wall") else \
        "disputes/partials/dashboard_figures.html"
    return render(request, template, _figures_context(request, board_))


WALL_WARNINGS = 8


def _wall_warnings_context(board_: Board) -> dict[str, Any]:
    """The newest open or followed-up 研判预警 in the viewer's jurisdiction (and the board's
    region when one is chosen), for the wall; polled like the figures."""
    filters: dict[str, Any] = {"state": "active"}
    if board_.region:
        filters["region"] = board_.region.pk
    return {"warnings": list(warning_list(scope=board_.scope, filters=filters)[:WALL_WARNINGS]), "board": board_,
            "refresh": refresh_seconds()}


@require_GET
@page_errors
def dashboard_queue(request: HttpRequest, name: str) -> HttpResponse:
    """One work queue, a page at a time, with the actions the viewer may take on each row."""
    scope = dashboard_scope(request)
    if name not in board.queue_names(scope):
        raise InvalidInput(_("未找到该工作队列"))
    context = queue_context(request, scope, board_params(request, scope), name)
    return render(request, "disputes/partials/dashboard_queue.html", context)


def queue_context(request: HttpRequest, scope: Scope, board_: Board, name: str) -> dict[str, Any]:
    """One queue as its poll shows it (the page builds all four at once: `queue_contexts`)."""
    return queue_contexts(request, scope, board_, [name])[0]


def queue_contexts(request: HttpRequest, scope: Scope, board_: Board, names: list[str],
                   counts: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The queues' current pages. Their rows load together (one query and one for the open
    dispatches, however many queues); `counts` are queue sizes the caller already counted live
    with the same filters (the page's 升级到本级 figure is the 上报件 queue's size)."""
    pages = []
    for name in names:
        mine = _queue_mine(request, scope, name)
        paginator = DeferredJoinPaginator(
            board.dashboard_queue(scope=scope, name=name, region=board_.region, mine=mine), QUEUE_PAGE_SIZE)
        if counts and name in counts and not mine:
            paginator.count = counts[name]  # a cached_property: the count query is skipped
        pages.append((name, mine, paginator.get_page(request.GET.get("page"))))
    cases = {case.pk: case for case in board.queue_cases(
        scope=scope, ids=[pk for _name, _mine, page in pages for pk in page.object_list])}
    return [_queue_context(request, board_, name, mine, page, cases) for name, mine, page in pages]


def _queue_context(request: HttpRequest, board_: Board, name: str, mine: bool, page, cases: dict) -> dict[str, Any]:
    rows = [{"case": case, "holder": _holder(case),
             "actions": permissions.case_queue_actions(user=request.user, case=case)}
            for case in (cases.get(pk) for pk in page.object_list) if case is not None]
    url = reverse("disputes:dashboard_queue", args=[name])
    here = f"{url}?{board_.query}&mine={'true' if mine else 'false'}"
    return {
        "name": name, "label": board.QUEUES[name][0], "page": page, "rows": rows, "board": board_, "mine": mine,
        "url": here, "page_url": f"{here}&page={page.number}",
        "mine_url": f"{url}?{board_.query}&mine=true", "all_url": f"{url}?{board_.query}&mine=false",
        "list_url": board_.list_url(board.queue_filters(name, region=board_.region, mine=mine)),
        "bulk": name == "to_dispatch" and any("dispatch" in row["actions"] for row in rows),
        "refresh": refresh_seconds(),
    }


def _queue_mine(request: HttpRequest, scope: Scope, name: str) -> bool:
    """?mine=true|false; by default the 待分流 queue of a center's staff shows their own
    center's cases (only the owning center dispatches), every other queue the jurisdiction."""
    value = request.GET.get("mine")
    if value in ("true", "false"):
        return value == "true"
    if value not in (None, ""):
        raise InvalidInput(_("筛选条件无效"))
    return name == "to_dispatch" and scope.role in CENTER


def _holder(case) -> str:
    """Who holds the case: the unit its open dispatch went to, else its owning center."""
    leads = getattr(case, "open_leads", [])
    if leads:
        lead = leads[0]
        unit = lead.department.name if lead.department_id else lead.region.name
        return _("%(unit)s（%(center)s交办）") % {"unit": unit, "center": case.owning_region.name}
    return case.owning_region.name


# --- actions from the queue --------------------------------------------------------------------

def _refreshing(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = REFRESH_EVENT
    return response


def _deadline_text(case) -> dict[str, Any]:
    sign, handle = dispatch_deadlines(case, clock.now())
    return {"sign_due": timezone.localtime(sign.due_at) if sign else None,
            "handle_due": timezone.localtime(handle.due_at) if handle else None}


@require_http_methods(["GET", "POST"])
@page_errors
def queue_dispatch(request: HttpRequest, case_id: int) -> HttpResponse:
    """交办 from the queue: GET the form (targets, the deadlines it will set), POST to dispatch
    through the dispatch service (compare-and-set on the version shown)."""
    scope = dashboard_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    data = request.POST if request.method == "POST" else None
    form = action_form("dispatch", case=case, scope=scope, data=data)
    context = {"case": case, "form": form, "done": False, **_deadline_text(case)}
    if data is None:
        permissions.require_action(user=request.user, case=case, action="dispatch", assignment=None)
        return render(request, "disputes/partials/queue_dispatch.html", context)
    if form.is_valid():
        try:
            services.case_dispatch(actor=request.user, case_id=case.pk, **form.service_data())
        except Conflict as exc:
            context["error"] = _("案件已被他人处理，请刷新后重试") if exc.code == "stale" else exc.message
        except ApplicationError as exc:
            context["error"] = exc.message
        else:
            context["done"] = True
            return _refreshing(render(request, "disputes/partials/queue_dispatch.html", context))
    else:
        context["error"] = next(iter(e for errors in form.errors.values() for e in errors))
    return render(request, "disputes/partials/queue_dispatch.html", context)


@require_http_methods(["GET", "POST"])
@page_errors
def queue_dispatch_bulk(request: HttpRequest) -> HttpResponse:
    """Bulk 交办 of the selected cases to one unit: each case its own service call (its own
    compare-and-set and transaction); the answer lists which were dispatched and which not, why."""
    scope = dashboard_scope(request)
    source = request.POST if request.method == "POST" else request.GET
    try:
        ids = sorted({int(v) for v in source.getlist("case_ids")})
    except ValueError:
        raise InvalidInput(_("请选择要交办的案件")) from None
    if not ids and request.method == "GET" and request.htmx:
        # 批量交办 clicked with nothing ticked: say so in the panel (htmx swaps only a 2xx answer).
        return render(request, "errors/message.html", {"message": _("请先勾选要交办的案件")})
    if not ids:
        raise InvalidInput(_("请选择要交办的案件"))
    if len(ids) > BULK_MAX:
        raise InvalidInput(_("一次最多批量交办%(n)s件") % {"n": BULK_MAX})
    cases = list(selectors.case_list(scope=scope).filter(pk__in=ids).order_by("due_at", "id"))
    missing = set(ids) - {c.pk for c in cases}
    first = cases[0] if cases else None
    if first is None:
        raise InvalidInput(_("请选择要交办的案件"))
    data = request.POST if request.method == "POST" else None
    form = action_form("dispatch", case=first, scope=scope, data=data)
    context: dict[str, Any] = {"cases": [{"case": c, **_deadline_text(c)} for c in cases], "form": form,
                               "ids": [c.pk for c in cases], "results": None}
    if data is None:
        return render(request, "disputes/partials/queue_dispatch_bulk.html", context)
    form.fields["version"].required = False  # each case is checked against its own version
    if not form.is_valid():
        context["error"] = next(iter(e for errors in form.errors.values() for e in errors))
        return render(request, "disputes/partials/queue_dispatch_bulk.html", context)
    payload = {k: v for k, v in form.service_data().items() if k != "version"}
    results = [{"number": str(pk), "ok": False, "message": _("未找到该案件")} for pk in sorted(missing)]
    for case in cases:
        try:
            services.case_dispatch(actor=request.user, case_id=case.pk, version=case.version, **payload)
        except Conflict as exc:
            message = _("案件已被他人处理，请刷新后重试") if exc.code == "stale" else exc.message
            results.append({"number": case.number, "ok": False, "message": message})
        except ApplicationError as exc:
            results.append({"number": case.number, "ok": False, "message": exc.message})
        else:
            results.append({"number": case.number, "ok": True, "message": _("已交办")})
    context["results"] = results
    context["ok_count"] = sum(1 for r in results if r["ok"])
    context["failed_count"] = len(results) - context["ok_count"]
    return _refreshing(render(request, "disputes/partials/queue_dispatch_bulk.html", context))


OVERSIGHT = ("supervise", "urge")


@require_http_methods(["GET", "POST"])
@page_errors
def queue_oversee(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """督办 or 催办 from the queue, through the action's own service."""
    if action not in OVERSIGHT:
        raise InvalidInput(_("不支持的操作"))
    scope = dashboard_scope(request)
    case = selectors.case_get(scope=scope, case_id=case_id)
    data = request.POST if request.method == "POST" else None
    form = action_form(action, case=case, scope=scope, data=data)
    context = {"case": case, "form": form, "action": action, "label": ACTION_BY_NAME[action].button,
               "done": False}
    if data is None:
        permissions.require_action(user=request.user, case=case, action=action, assignment=None)
        return render(request, "disputes/partials/queue_oversee.html", context)
    if not form.is_valid():
        context["error"] = next(iter(e for errors in form.errors.values() for e in errors))
        return render(request, "disputes/partials/queue_oversee.html", context)
    try:
        services.action_perform(ACTION_BY_NAME[action], actor=request.user, case_id=case.pk,
                                data=form.service_data())
    except ApplicationError as exc:
        context["error"] = exc.message
        return render(request, "disputes/partials/queue_oversee.html", context)
    context["done"] = True
    return _refreshing(render(request, "disputes/partials/queue_oversee.html", context))


# --- wall screen (大屏) ----------------------------------------------------------------------

@require_GET
@page_errors
def wall(request: HttpRequest) -> HttpResponse:
    """Full screen, dark, auto-refreshing; made to be read from across a room at 1920×1080."""
    scope = dashboard_scope(request)
    board_ = board_params(request, scope)
    context = {
        **_figures_context(request, board_),
        "data_url": f"{reverse('disputes:dashboard_data')}?{board_.query}&cards=1",
        "figures_url": f"{reverse('disputes:dashboard_figures')}?{board_.query}&wall=1",
        "warnings_template": "disputes/partials/wall_warnings.html",
        **_wall_warnings_context(board_),
    }
    return render(request, "disputes/wall.html", context)
