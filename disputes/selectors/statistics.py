"""The 统计分析 page's tables: one scoped GROUP BY each, returned as a `Table` whose every count
cell carries the case-list filters that count it (a click on a bar, slice or cell opens that
list, with the same number: tests/disputes/selectors/test_statistics.py checks each cell).
The same tables feed the page's charts, its Excel export and GET /api/v1/statistics/<name>/.
Definitions: docs/dashboard.md.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils.translation import gettext_lazy as _

from disputes.models import OPEN_STATES, Case, Category, Channel, WarningLevel
from disputes.selectors.cases import case_list
from disputes.selectors.stats import CHILD_LEVEL
from governance.errors import NotFound
from governance.models import Region, RegionLevel
from governance.periods import Period
from governance.scoping import Scope
from governance.workdays import SHANGHAI

TOP_CATEGORIES = 10
HEAT_VILLAGES = 20
DAILY_MAX_DAYS = 62  # longer periods are shown by month


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str = "int"  # "text", "int", "rate" (a percentage, None shown "—"), "date"


@dataclass(frozen=True)
class Cell:
    value: Any
    filters: dict[str, str] | None = None  # the case list this cell counts


@dataclass
class Table:
    name: str
    title: Any
    columns: list[Column]
    rows: list[dict[str, Cell]] = field(default_factory=list)
    note: Any = ""


@dataclass(frozen=True)
class Query:
    """What every statistic takes: the scope, the period, an optional region inside the scope
    and (for the category table) a parent category."""

    scope: Scope
    period: Period
    region: Region | None = None
    parent_id: int | None = None

    @property
    def narrow(self) -> dict[str, str]:
        return {"region": str(self.region.pk)} if self.region is not None else {}

    @property
    def created(self) -> dict[str, str]:
        return {"created_from": self.period.start.isoformat(), "created_to": self.period.end.isoformat()}

    def days(self, prefix: str) -> dict[str, str]:
        return {f"{prefix}_from": self.period.start.isoformat(), f"{prefix}_to": self.period.end.isoformat()}

    def cases(self) -> QuerySet[Case]:
        """The scope's cases (narrowed to the region), unordered, for a GROUP BY."""
        return case_list(scope=self.scope, filters=self.narrow).order_by().select_related(None)

    @property
    def child_level(self) -> str:
        level = self.region.level if self.region is not None else self.scope.level
        return CHILD_LEVEL[RegionLevel(level)]

    def in_period(self, column: str) -> Q:
        return Q(**{f"{column}__gte": self.period.starts_at, f"{column}__lt": self.period.ends_before})


def _rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


# --- registrations by channel ----------------------------------------------------------------------

def channel_trend(query: Query) -> Table:
    """登记量 per day (per month past 62 days) and channel, in the period."""
    monthly = (query.period.end - query.period.start).days >= DAILY_MAX_DAYS
    trunc = TruncMonth if monthly else TruncDate
    # Uses index: case_<level>_created (the scope column, then the period's range)
    rows = (query.cases().filter(query.in_period("created_at"))
            .annotate(bucket=trunc("created_at", tzinfo=SHANGHAI)).values("bucket", "channel")
            .annotate(n=Count("*")))
    counts: dict[tuple[dt.date, str], int] = {}
    for row in rows:
        bucket = row["bucket"]
        day = bucket.date() if isinstance(bucket, dt.datetime) else bucket
        counts[(day, row["channel"])] = counts.get((day, row["channel"]), 0) + row["n"]
    channels = list(Channel)
    table = Table("channel_trend", _("登记量趋势（按来源渠道）"),
                  [Column("bucket", _("月份") if monthly else _("日期"), "text"),
                   *(Column(c.value, c.label) for c in channels), Column("total", _("合计"))])
    for key, first, last in _buckets(query.period, monthly):
        bucket_filters = {**query.narrow, "created_from": first.isoformat(), "created_to": last.isoformat()}
        row = {"bucket": Cell(key.strftime("%Y-%m") if monthly else key.isoformat())}
        for channel in channels:
            row[channel.value] = Cell(counts.get((key, channel.value), 0), {**bucket_filters, "channel": channel.value})
        row["total"] = Cell(sum(counts.get((key, c.value), 0) for c in channels), bucket_filters)
        table.rows.append(row)
    return table


def _buckets(period: Period, monthly: bool) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(key, first, last) of each day or month of the period: a month keys by its first day
    (TruncMonth) and counts from the period's start to its end, whichever is inside."""
    out = []
    day = period.start
    while day <= period.end:
        if monthly:
            following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            out.append((day.replace(day=1), day, min(following - dt.timedelta(days=1), period.end)))
            day = following
        else:
            out.append((day, day, day))
            day += dt.timedelta(days=1)
    return out


# --- by category -----------------------------------------------------------------------------------

def by_category(query: Query) -> Table:
    """登记量 in the period by top-level category (the top 10), or by the second level of
    `parent_id`; a category's count includes its subcategories."""
    cases = query.cases().filter(query.in_period("created_at"))
    if query.parent_id is not None:
        cases = cases.filter(category__parent_id=query.parent_id)
        key = "category_id"
    else:
        cases = cases.annotate(top=Coalesce("category__parent_id", "category_id"))
        key = "top"
    # Uses index: case_<level>_created, then a join to the category
    rows = list(cases.values(key).annotate(n=Count("*")).order_by("-n", key)[:TOP_CATEGORIES])
    names = dict(Category.objects.filter(pk__in=[r[key] for r in rows]).values_list("pk", "name"))
    parent = Category.objects.filter(pk=query.parent_id).values_list("name", flat=True).first() \
        if query.parent_id is not None else None
    title = _("案件类别（登记量前十）") if parent is None else _("案件类别：%(parent)s") % {"parent": parent}
    table = Table("category", title, [Column("category", _("类别"), "text"), Column("registered", _("登记量"))])
    for row in rows:
        table.rows.append({
            "category": Cell(names.get(row[key], "—"), {"category_id": str(row[key])}),
            "registered": Cell(row["n"], {**query.narrow, **query.created, "category": str(row[key])}),
        })
    return table


# --- by region -------------------------------------------------------------------------------------

def _children(query: Query) -> list[tuple[int, str]]:
    parent = query.region.pk if query.region is not None else query.scope.region_id
    parent_level = query.region.level if query.region is not None else query.scope.level
    return list(Region.objects.filter(level=query.child_level, **{f"{parent_level}_id": parent})
                .order_by("code").values_list("pk", "name"))


def by_region(query: Query) -> Table:
    """Per region one level down: 登记量 and 本期办结 in the period, 在办 and 逾期 (open, red
    card) now. Three GROUP BYs, each on its own index, rather than one pass that would read
    every row of the scope for its dates."""
    column = f"{query.child_level}_id"
    open_ = Q(state__in=list(OPEN_STATES))
    # Uses index: case_<level>_dash (index-only: the child column, state and card)
    now = {row[column]: row for row in query.cases().filter(open_).values(column).annotate(
        open=Count("*"), overdue=Count(Value(1), filter=Q(warning_level=WarningLevel.RED)))}
    # Uses index: case_<level>_created, case_<level>_resolved (the period's range)
    registered = dict(query.cases().filter(query.in_period("created_at")).values(column)
                      .annotate(n=Count("*")).values_list(column, "n"))
    resolved = dict(query.cases().filter(query.in_period("resolved_at")).values(column)
                    .annotate(n=Count("*")).values_list(column, "n"))
    table = Table("region", _("各地案件（在办、逾期为当前数）"), [
        Column("region", _("区域"), "text"), Column("registered", _("登记量")), Column("open", _("在办")),
        Column("overdue", _("逾期")), Column("resolved", _("本期办结"))])
    for pk, name in _children(query):
        row = now.get(pk, {})
        region = {"region": str(pk)}
        table.rows.append({
            "region": Cell(name, {"region_id": str(pk)}),
            "registered": Cell(registered.get(pk, 0), {**region, **query.created}),
            "open": Cell(row.get("open", 0), {**region, "open": "true"}),
            "overdue": Cell(row.get("overdue", 0), {**region, "open": "true", "warning_level": WarningLevel.RED.value}),
            "resolved": Cell(resolved.get(pk, 0), {**region, **query.days("resolved")}),
        })
    return table


def rates_by_region(query: Query) -> Table:
    """Per region one level down: 按期办结率 (on time / resolved in the period) and 满意率
    (satisfied / called back in the period), each with its numerator and denominator."""
    column = f"{query.child_level}_id"
    resolved, called = query.in_period("resolved_at"), query.in_period("callback_at")
    # Uses index: case_<level>_resolved, case_<level>_callback (partial, period range)
    rows = {row[column]: row for row in query.cases().filter(resolved | called).values(column).annotate(
        resolved=Count(Value(1), filter=resolved),
        on_time=Count(Value(1), filter=resolved & Q(resolved_on_time=True)),
        callbacks=Count(Value(1), filter=called),
        satisfied=Count(Value(1), filter=called & Q(callback_satisfied=True)),
    )}
    table = Table("rates", _("按期办结率与满意率"), [
        Column("region", _("区域"), "text"), Column("resolved", _("本期办结")), Column("on_time", _("按期办结")),
        Column("on_time_rate", _("按期办结率"), "rate"), Column("callbacks", _("本期回访")),
        Column("satisfied", _("满意")), Column("satisfaction_rate", _("满意率"), "rate")])
    for pk, name in _children(query):
        row = rows.get(pk, {})
        region = {"region": str(pk)}
        n = {k: row.get(k, 0) for k in ("resolved", "on_time", "callbacks", "satisfied")}
        table.rows.append({
            "region": Cell(name, {"region_id": str(pk)}),
            "resolved": Cell(n["resolved"], {**region, **query.days("resolved")}),
            "on_time": Cell(n["on_time"], {**region, **query.days("resolved"), "on_time": "true"}),
            "on_time_rate": Cell(_rate(n["on_time"], n["resolved"])),
            "callbacks": Cell(n["callbacks"], {**region, **query.days("callback")}),
            "satisfied": Cell(n["satisfied"], {**region, **query.days("callback"), "satisfied": "true"}),
            "satisfaction_rate": Cell(_rate(n["satisfied"], n["callbacks"])),
        })
    return table


def village_heat(query: Query) -> Table:
    """The villages with the most open cases (top 20): open, yellow, red now; 登记量 in the period."""
    open_ = Q(state__in=list(OPEN_STATES))
    # Uses index: case_township_dash (township), case_county_open_village / case_city_open_village
    # (partial on open cases: an index-only count per village)
    rows = list(query.cases().filter(open_, village_id__isnull=False).values("village_id").annotate(
        open=Count(Value(1)),
        yellow=Count(Value(1), filter=Q(warning_level=WarningLevel.YELLOW)),
        red=Count(Value(1), filter=Q(warning_level=WarningLevel.RED)),
    ).order_by("-open", "village_id")[:HEAT_VILLAGES])
    ids = [r["village_id"] for r in rows]
    names = {pk: (name, township) for pk, name, township in
             Region.objects.filter(pk__in=ids).values_list("pk", "name", "township__name")}
    registered = dict(query.cases().filter(query.in_period("created_at"), village_id__in=ids)
                      .values("village_id").annotate(n=Count("*")).values_list("village_id", "n"))
    table = Table("villages", _("在办案件最多的村（社区）"), [
        Column("village", _("村(社区)"), "text"), Column("township", _("乡镇(街道)"), "text"),
        Column("open", _("在办")), Column("yellow", _("黄牌")), Column("red", _("红牌")),
        Column("registered", _("本期登记"))])
    for row in rows:
        pk = row["village_id"]
        name, township = names.get(pk, ("—", ""))
        village = {"region": str(pk)}
        table.rows.append({
            "village": Cell(name, {"region_id": str(pk)}),
            "township": Cell(township or ""),
            "open": Cell(row["open"], {**village, "open": "true"}),
            "yellow": Cell(row["yellow"], {**village, "open": "true", "warning_level": WarningLevel.YELLOW.value}),
            "red": Cell(row["red"], {**village, "open": "true", "warning_level": WarningLevel.RED.value}),
            "registered": Cell(registered.get(pk, 0), {**village, **query.created}),
        })
    return table


# name → (title, table builder); the page, the export and the API list them in this order.
STATISTICS: dict[str, tuple[Any, Callable[[Query], Table]]] = {
    "channel_trend": (_("登记量趋势"), channel_trend),
    "category": (_("案件类别"), by_category),
    "region": (_("各地案件"), by_region),
    "rates": (_("按期办结率与满意率"), rates_by_region),
    "villages": (_("村(社区)热力表"), village_heat),
}


def statistic_table(name: str, query: Query) -> Table:
    """One statistic by name; an unknown name is NotFound."""
    if name not in STATISTICS:
        raise NotFound(_("未找到该统计"))
    return STATISTICS[name][1](query)


def cell_filters(cell: Cell) -> dict[str, str] | None:
    """The case-list filters of a count cell (None for a label or a rate)."""
    if cell.filters is None or any(key.endswith("_id") for key in cell.filters):
        return None
    return cell.filters
