"""The county center's screen at scale (issue 13): the full county dashboard (the page, its
figures, its four work queues and its chart data, as one browser load fetches them), the
dashboard API, and each statistic (GET /api/v1/statistics/<name>/), each beside a raw-SQL
floor doing the same counting. Before timing, every dashboard figure is checked against a
direct SQL count of the same definition (docs/dashboard.md); a mismatch is reported.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from benchmarks.bench.figures import Actors
from benchmarks.bench.figures import dashboard as page_figures
from benchmarks.bench.harness import Bench, sql, url_or_none
from benchmarks.scale.writer import tables_analyze
from disputes.models import OPEN_STATES, CaseState, CaseTally
from disputes.selectors.dashboard import QUEUES, dashboard_figures
from disputes.selectors.statistics import STATISTICS
from disputes.selectors.stats import INTAKE_DAYS, dashboard_data
from disputes.services.tally import unscoped_case_tally_refresh
from governance import clock
from governance.periods import period_named
from governance.scoping import scope_for
from governance.workdays import SHANGHAI

QUEUE_PAGE = 10


def _url(route: str, name: str) -> str | None:
    """A route taking a `name` (url_or_none's own first argument is called name)."""
    try:
        return reverse(route, kwargs={"name": name})
    except NoReverseMatch:
        return None


def _marks(values: list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def figure_counts_sql(county: int, period_start: dt.date, period_end: dt.date, today: dt.date) -> dict[str, int]:
    """Every dashboard figure of a county as direct SQL counts (the definitions of docs/dashboard.md)."""
    open_states = sorted(s.value for s in OPEN_STATES)
    start, end = _day_start(period_start), _day_start(period_end + dt.timedelta(days=1))
    day0, day1 = _day_start(today), _day_start(today + dt.timedelta(days=1))

    def count(where: str, params: list) -> int:
        return sql(f"SELECT COUNT(*) FROM disputes_case c WHERE c.county_id = %s AND {where}", [county, *params])[0][0]

    return {
        "registered_today": count("c.created_at >= %s AND c.created_at < %s", [day0, day1]),
        "to_accept": count("c.state = 'registered'", []),
        "to_dispatch": count("c.state = 'accepted'", []),
        "to_sign": count("c.state = 'dispatched'", []),
        "in_progress": count("c.state = 'in_progress'", []),
        "yellow": count(f"c.warning_level = 'yellow' AND c.state IN ({_marks(open_states)})", open_states),
        "red": count(f"c.warning_level = 'red' AND c.state IN ({_marks(open_states)})", open_states),
        "escalated": count(f"c.owning_region_id = %s AND c.state IN ({_marks(open_states)}) AND EXISTS ("
                           "SELECT 1 FROM disputes_escalation e WHERE e.case_id = c.id AND e.to_region_id = %s)",
                           [county, *open_states, county]),
        "resolved": count("c.resolved_at >= %s AND c.resolved_at < %s", [start, end]),
        "resolved_on_time": count("c.resolved_at >= %s AND c.resolved_at < %s AND c.resolved_on_time", [start, end]),
        "callbacks": count("c.callback_at >= %s AND c.callback_at < %s", [start, end]),
        "satisfied": count("c.callback_at >= %s AND c.callback_at < %s AND c.callback_satisfied", [start, end]),
    }


def figures_floor(county: int, period_start: dt.date, period_end: dt.date, today: dt.date) -> Callable[[int], object]:
    """The figures in one pass of conditional counts over the county's cases."""
    open_states = sorted(s.value for s in OPEN_STATES)
    start, end = _day_start(period_start), _day_start(period_end + dt.timedelta(days=1))
    day0, day1 = _day_start(today), _day_start(today + dt.timedelta(days=1))
    opened = f"state IN ({_marks(open_states)})"

    def floor(_i: int) -> None:
        # Uses index: case_county_dash (index-only for the state/card counts), the period's
        # case_county_created / case_county_resolved / case_county_callback ranges
        sql("SELECT state, warning_level, COUNT(*) FROM disputes_case WHERE county_id = %s "
            "GROUP BY state, warning_level", [county])
        sql("SELECT COUNT(*) FROM disputes_case WHERE county_id = %s AND created_at >= %s AND created_at < %s",
            [county, day0, day1])
        sql("SELECT COUNT(*), SUM(CASE WHEN resolved_on_time THEN 1 ELSE 0 END) FROM disputes_case "
            "WHERE county_id = %s AND resolved_at >= %s AND resolved_at < %s", [county, start, end])
        sql("SELECT COUNT(*), SUM(CASE WHEN callback_satisfied THEN 1 ELSE 0 END) FROM disputes_case "
            "WHERE county_id = %s AND callback_at >= %s AND callback_at < %s", [county, start, end])
        sql(f"SELECT COUNT(*) FROM disputes_case c WHERE c.owning_region_id = %s AND c.{opened} AND EXISTS ("
            "SELECT 1 FROM disputes_escalation e WHERE e.case_id = c.id AND e.to_region_id = %s)",
            [county, *open_states, county])

    return floor


def queue_floors(county: int) -> dict[str, Callable[[int], object]]:
    """Each queue's first page (by deadline) and its size, as the county dispatcher sees them
    (待分流: the county center's own cases)."""
    open_states = sorted(s.value for s in OPEN_STATES)
    opened = f"c.state IN ({_marks(open_states)})"
    wheres = {
        "to_dispatch": ("c.state = 'accepted' AND c.owning_region_id = %s", [county]),
        "escalated": (f"c.owning_region_id = %s AND {opened} AND EXISTS (SELECT 1 FROM disputes_escalation e "
                      "WHERE e.case_id = c.id AND e.to_region_id = %s)", [county, *open_states, county]),
        "overdue": (f"c.warning_level = 'red' AND {opened}", open_states),
        "due_soon": (f"c.warning_level = 'yellow' AND {opened}", open_states),
    }

    def floor_of(where: str, params: list) -> Callable[[int], object]:
        def floor(_i: int) -> None:
            sql(f"SELECT COUNT(*) FROM disputes_case c WHERE c.county_id = %s AND {where}", [county, *params])
            sql("SELECT c.id, c.number, c.title, c.state, c.due_at, t.name, v.name, o.name FROM disputes_case c "
                "LEFT JOIN governance_region t ON t.id = c.township_id "
                "LEFT JOIN governance_region v ON v.id = c.village_id "
                "JOIN governance_region o ON o.id = c.owning_region_id "
                f"WHERE c.county_id = %s AND {where} ORDER BY c.due_at, c.id LIMIT %s",
                [county, *params, QUEUE_PAGE])
        return floor

    return {name: floor_of(where, params) for name, (where, params) in wheres.items()}


def statistics_floor(name: str, county: int, start: dt.datetime, end: dt.datetime) -> Callable[[int], object]:
    """The GROUP BY each statistic needs, in raw SQL."""
    open_states = sorted(s.value for s in OPEN_STATES)
    opened = f"state IN ({_marks(open_states)})"
    day = ("(created_at AT TIME ZONE 'Asia/Shanghai')::date" if connection.vendor == "postgresql"
           else "date(created_at, '+8 hours')")
    queries = {
        "channel_trend": [(f"SELECT {day}, channel, COUNT(*) FROM disputes_case WHERE county_id = %s "
                           "AND created_at >= %s AND created_at < %s GROUP BY 1, 2", [county, start, end])],
        "category": [("SELECT COALESCE(k.parent_id, k.id), COUNT(*) FROM disputes_case c JOIN disputes_category k "
                      "ON k.id = c.category_id WHERE c.county_id = %s AND c.created_at >= %s AND c.created_at < %s "
                      "GROUP BY 1 ORDER BY 2 DESC LIMIT 10", [county, start, end])],
        "region": [(f"SELECT township_id, COUNT(*), SUM(CASE WHEN warning_level = 'red' THEN 1 ELSE 0 END) "
                    f"FROM disputes_case WHERE county_id = %s AND {opened} GROUP BY 1", [county, *open_states]),
                   ("SELECT township_id, COUNT(*) FROM disputes_case WHERE county_id = %s AND created_at >= %s "
                    "AND created_at < %s GROUP BY 1", [county, start, end]),
                   ("SELECT township_id, COUNT(*) FROM disputes_case WHERE county_id = %s AND resolved_at >= %s "
                    "AND resolved_at < %s GROUP BY 1", [county, start, end])],
        "rates": [("SELECT township_id, COUNT(*), SUM(CASE WHEN resolved_on_time THEN 1 ELSE 0 END) "
                   "FROM disputes_case WHERE county_id = %s AND resolved_at >= %s AND resolved_at < %s GROUP BY 1",
                   [county, start, end]),
                  ("SELECT township_id, COUNT(*), SUM(CASE WHEN callback_satisfied THEN 1 ELSE 0 END) "
                   "FROM disputes_case WHERE county_id = %s AND callback_at >= %s AND callback_at < %s GROUP BY 1",
                   [county, start, end])],
        "villages": [(f"SELECT village_id, COUNT(*) FROM disputes_case WHERE county_id = %s AND {opened} "
                      "AND village_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 20", [county, *open_states])],
    }

    def floor(_i: int) -> None:
        for query, params in queries[name]:
            sql(query, params)

    return floor


def chart_floor(county: int, today: dt.date) -> Callable[[int], object]:
    """The chart data in raw SQL: the county's cases by township, state and card, and the last
    30 days' registrations by day."""
    start = _day_start(today - dt.timedelta(days=INTAKE_DAYS - 1))
    day = ("(created_at AT TIME ZONE 'Asia/Shanghai')::date" if connection.vendor == "postgresql"
           else "date(created_at, '+8 hours')")

    def floor(_i: int) -> None:
        # Uses index: case_county_dash (index-only, in index order), case_county_created
        sql("SELECT township_id, state, warning_level, COUNT(*) FROM disputes_case WHERE county_id = %s "
            "GROUP BY 1, 2, 3", [county])
        sql(f"SELECT {day}, COUNT(*) FROM disputes_case WHERE county_id = %s AND created_at >= %s GROUP BY 1",
            [county, start])

    return floor


def tally_floor(_i: int) -> None:
    """The rollup's count in raw SQL (what the recount reads; it also writes the difference)."""
    # Uses index: case_township_dash (index-only)
    sql("SELECT township_id, village_id, state, warning_level, COUNT(*) FROM disputes_case "
        "WHERE township_id IS NOT NULL GROUP BY 1, 2, 3, 4")
    sql("SELECT city_id, county_id, state, warning_level, COUNT(*) FROM disputes_case "
        "WHERE township_id IS NULL AND city_id IS NOT NULL GROUP BY 1, 2, 3, 4")


def dashboard_screen(bench: Bench, actors: Actors) -> None:
    """The rollup's recount, then (the rollup fresh, as the workers keep it) the full county
    dashboard, the dashboard API and each statistic, beside their floors."""
    user, county = actors.county_dispatcher, actors.county.pk
    today = clock.localdate()
    period = period_named("month", today=today)
    unscoped_case_tally_refresh()  # the first fill writes every row; the timed runs write the difference
    tables_analyze([CaseTally])
    bench.figure("dashboard rollup recount (whole city)", lambda _i: unscoped_case_tally_refresh(), tally_floor,
                 repeat=min(bench.repeat, 5))
    page_figures(bench, actors)  # the page and its chart data alone (benchmarks.bench.figures)
    _check_figures(bench, user, county, period, today)
    client = Client()
    client.force_login(user)
    page = url_or_none("disputes:dashboard")
    if page is None:
        bench.skip("county dashboard full")
        return
    # What one load of the dashboard fetches: the page (its figures and the first page of its
    # four queues) and the chart data; the figures and queue partials are what the polls fetch.
    figures_url = url_or_none("disputes:dashboard_figures")
    parts = [page, url_or_none("disputes:dashboard_data")]
    for url in (*parts, figures_url, *(_url("disputes:dashboard_queue", name) for name in QUEUES)):
        if not bench.ok(client, url, {"period": "month"}, f"county dashboard part {url}"):
            return
    figures, queues = figures_floor(county, period.start, period.end, today), queue_floors(county)
    charts = chart_floor(county, today)

    def full_floor(i: int) -> None:
        figures(i)
        for floor in queues.values():
            floor(i)
        charts(i)

    def full(_i: int) -> None:
        for url in parts:
            client.get(url, {"period": "month"})

    bench.figure("county dashboard full (page+figures+queues+charts)", full, full_floor)
    for name in QUEUES:
        url = _url("disputes:dashboard_queue", name)
        bench.figure(f"county dashboard queue {name}", lambda _i, u=url: client.get(u, {"period": "month"}),
                     queues[name])
    bench.figure("county dashboard figures", lambda _i: client.get(figures_url, {"period": "month"}), figures)
    api = url_or_none("disputes_api:dashboard")
    if api and bench.ok(client, api, None, "api county dashboard"):
        bench.figure("api county dashboard", lambda _i: client.get(api, {"period": "month"}), figures)
    start, end = period.starts_at, period.ends_before
    for name in STATISTICS:
        url = _url("disputes_api:statistic", name)
        label = f"api statistics {name}"
        if url is None or not bench.ok(client, url, {"period": "month"}, label):
            continue
        bench.figure(label, lambda _i, u=url: client.get(u, {"period": "month"}),
                     statistics_floor(name, county, start, end))
    page = url_or_none("disputes:statistics")
    if page and bench.ok(client, page, {"period": "month"}, "page statistics"):
        floors = [statistics_floor(name, county, start, end) for name in STATISTICS]
        bench.figure("page statistics (every table)", lambda _i: client.get(page, {"period": "month"}),
                     lambda i: [floor(i) for floor in floors])
    client.logout()


def _check_figures(bench: Bench, user, county: int, period, today: dt.date) -> None:
    """Each figure of the dashboard, as the screen shows it (the state and card tiles and the
    regional bars from the freshly recounted rollup), equals a direct SQL count of its definition."""
    now = clock.now()
    figures = dashboard_figures(scope=scope_for(user), period=period, today=today, now=now, rollup=True)
    direct = figure_counts_sql(county, period.start, period.end, today)
    mismatches = {key: (figures.by_key[key].value, value) for key, value in direct.items()
                  if key in figures.by_key and figures.by_key[key].value != value}
    shown = {row["id"]: {**row["states"], "yellow": row["yellow"], "red": row["red"]}
             for row in dashboard_data(scope=scope_for(user), today=today, now=now)["regions"]}
    for township, counts in chart_counts_sql(county).items():
        if shown.get(township) != counts:
            mismatches[f"chart township {township}"] = (shown.get(township), counts)
    bench.report.meta["dashboard_rollup"] = figures.counted_at is not None
    bench.report.meta["dashboard_figures"] = {key: figures.by_key[key].value for key in direct if key in figures.by_key}
    bench.report.meta["dashboard_mismatches"] = {k: {"figure": a, "sql": b} for k, (a, b) in mismatches.items()}
    bench.log(f"  dashboard figures and chart bars (rollup: {figures.counted_at is not None}) vs direct SQL: "
              f"{mismatches or 'all equal'}")


def chart_counts_sql(county: int) -> dict[int, dict[str, int]]:
    """Per township of the county: cases in each state, and open cases with each card."""
    open_states = {s.value for s in OPEN_STATES}
    counts: dict[int, dict[str, int]] = {}
    for township, state, card, n in sql("SELECT township_id, state, warning_level, COUNT(*) FROM disputes_case "
                                        "WHERE county_id = %s GROUP BY 1, 2, 3", [county]):
        row = counts.setdefault(township, {**dict.fromkeys(CaseState.values, 0), "yellow": 0, "red": 0})
        row[state] += n
        if card in ("yellow", "red") and state in open_states:
            row[card] += n
    return counts
