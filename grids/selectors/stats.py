"""Grid statistics: the scoped figures of the management pages (per child region of the
viewer's jurisdiction, and the worker summary), and the aggregates published to assessment
through grids.contract (`unscoped_*_by_region(*, level, region_ids, period)`).

Shared definitions (all dates Asia/Shanghai days):
- a grid *exists on* day D when it was created before the end of D and is not retired by D
  (retired_on is empty and the grid is active, or retired_on is after D);
- a worker is *in post* on D when a tenure has started_on ≤ D and ended_on empty or ≥ D
  (ended_on is the last day in post);
- a month's screening is *on time* when filed (filed_on) no later than the month's last day.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from governance.models import Region, RegionLevel
from governance.periods import Period
from governance.scoping import Scope
from grids.models import Employment, Grid, GridWorkerAssignment, Screening


def _exists_on(day: dt.date) -> Q:
    end = Period(day, day).ends_before
    return Q(created_at__lt=end) & ((Q(retired_on__isnull=True) & Q(is_active=True)) | Q(retired_on__gt=day))


def _in_post_on(day: dt.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def _months(period: Period) -> list[Period]:
    """The calendar months whose last day falls inside the period."""
    months, year, month = [], period.start.year, period.start.month
    while True:
        one = Period.month(year, month)
        if one.start > period.end:
            return months
        if period.start <= one.end <= period.end:
            months.append(one)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class GridCoverage:
    """网格化覆盖率: villages (村/社区) of the region with at least one grid existing on the
    period's last day, over all villages of the region. `rate` is None without villages."""

    villages: int
    villages_with_grid: int
    rate: float | None


@dataclass(frozen=True)
class WorkerPresence:
    """网格员在岗率: grids existing on the period's last day with a worker in post that day,
    over those grids. `rate` is None without grids."""

    grids: int
    staffed: int
    rate: float | None

    @property
    def vacancies(self) -> int:
        """Grids with nobody in post on the period's last day (空缺)."""
        return self.grids - self.staffed


@dataclass(frozen=True)
class ScreeningCompliance:
    """排查零报告按时率: over every month whose last day lies in the period, the grids that
    existed on that day (`due`, summed over the months) and those of them that filed the
    month's screening — a zero report or not — on time (`on_time`); `zero_reports` counts the
    on-time filings that were zero reports. `rate` = on_time / due, None when nothing was due."""

    due: int
    on_time: int
    zero_reports: int
    rate: float | None


def _by(level: str, region_ids: Sequence[int]) -> tuple[str, list[int]]:
    return f"{RegionLevel(level).value}_id", list(region_ids)


def unscoped_grid_coverage_by_region(*, level: str, region_ids: Sequence[int],
                                     period: Period) -> dict[int, GridCoverage]:
    """GridCoverage per region of `level` in `region_ids`. Unscoped: assessment asks only for
    regions inside the ranking viewer's jurisdiction."""
    column, ids = _by(level, region_ids)
    villages = Region.objects.filter(level=RegionLevel.VILLAGE, **{f"{column}__in": ids})
    covered = Grid.objects.filter(_exists_on(period.end), region_id=OuterRef("pk"))
    rows = villages.values(column).annotate(
        villages=Count("id"), covered=Count("id", filter=Exists(covered))).order_by()
    found = {row[column]: row for row in rows}
    return {pk: GridCoverage(found[pk]["villages"], found[pk]["covered"],
                             _ratio(found[pk]["covered"], found[pk]["villages"])) if pk in found
            else GridCoverage(0, 0, None) for pk in ids}


def unscoped_worker_presence_by_region(*, level: str, region_ids: Sequence[int],
                                       period: Period) -> dict[int, WorkerPresence]:
    """WorkerPresence per region of `level` in `region_ids` (unscoped, as above)."""
    column, ids = _by(level, region_ids)
    staffed = GridWorkerAssignment.objects.filter(_in_post_on(period.end), grid_id=OuterRef("pk"))
    rows = Grid.objects.filter(_exists_on(period.end), **{f"{column}__in": ids}).values(column).annotate(
        grids=Count("id"), staffed=Count("id", filter=Exists(staffed))).order_by()
    found = {row[column]: row for row in rows}
    return {pk: WorkerPresence(found[pk]["grids"], found[pk]["staffed"],
                               _ratio(found[pk]["staffed"], found[pk]["grids"])) if pk in found
            else WorkerPresence(0, 0, None) for pk in ids}


def unscoped_screening_compliance_by_region(*, level: str, region_ids: Sequence[int],
                                            period: Period) -> dict[int, ScreeningCompliance]:
    """ScreeningCompliance per region of `level` in `region_ids` (unscoped, as above); two
    queries per month of the period."""
    column, ids = _by(level, region_ids)
    totals = {pk: [0, 0, 0] for pk in ids}
    for month in _months(period):
        grids = Grid.objects.filter(_exists_on(month.end), **{f"{column}__in": ids})
        for row in grids.values(column).annotate(n=Count("id")).order_by():
            totals[row[column]][0] += row["n"]
        filed = Screening.objects.filter(
            period_start=month.start, filed_on__lte=month.end,
            grid__in=grids).values(column).annotate(n=Count("id"), zero=Count("id", filter=Q(zero_report=True)))
        for row in filed.order_by():
            totals[row[column]][1] += row["n"]
            totals[row[column]][2] += row["zero"]
    return {pk: ScreeningCompliance(due, on_time, zero, _ratio(on_time, due))
            for pk, (due, on_time, zero) in totals.items()}


@dataclass(frozen=True)
class RegionGridStats:
    region_id: int
    region_name: str
    coverage: GridCoverage
    presence: WorkerPresence
    screening: ScreeningCompliance


def grid_stats_by_region(*, scope: Scope, period: Period) -> list[RegionGridStats]:
    """The figures per region one level below the viewer's (a county's townships, a
    township's villages; a village user sees their village), regions from the scope."""
    level = RegionLevel(scope.level).child or RegionLevel.VILLAGE
    regions = list(scope.regions().filter(level=level).order_by("code").values_list("pk", "name"))
    ids = [pk for pk, _ in regions]
    coverage = unscoped_grid_coverage_by_region(level=level, region_ids=ids, period=period)
    presence = unscoped_worker_presence_by_region(level=level, region_ids=ids, period=period)
    screening = unscoped_screening_compliance_by_region(level=level, region_ids=ids, period=period)
    return [RegionGridStats(pk, name, coverage[pk], presence[pk], screening[pk]) for pk, name in regions]


@dataclass(frozen=True)
class WorkerSummary:
    """Grid workers inside a scope on a day: tenures in post (by employment), vacancies (grids
    existing that day with nobody in post), the average length in days of every tenure
    (open ones counted to the day), and leavers of the day's year (workers whose tenure ended
    that year and who hold no tenure on the day)."""

    workers: int
    full_time: int
    part_time: int
    grids: int
    vacancies: int
    average_tenure_days: int | None
    leavers_this_year: int


def worker_summary(*, scope: Scope, on: dt.date) -> WorkerSummary:
    tenures = scope.filter(GridWorkerAssignment.objects.all(), via="grid")
    in_post = tenures.filter(_in_post_on(on))
    by_kind = dict(in_post.values_list("employment").annotate(n=Count("worker_id", distinct=True)).order_by())
    grids = scope.filter(Grid.objects.filter(_exists_on(on)))
    vacancies = grids.filter(~Exists(GridWorkerAssignment.objects.filter(_in_post_on(on), grid_id=OuterRef("pk"))))
    spans = [((ended or on) - started).days + 1
             for started, ended in tenures.filter(started_on__lte=on).values_list("started_on", "ended_on")]
    holding = in_post.values("worker_id")
    leavers = tenures.filter(ended_on__year=on.year, ended_on__lte=on).exclude(worker_id__in=holding).values(
        "worker_id").distinct().count()
    return WorkerSummary(
        workers=in_post.values("worker_id").distinct().count(),
        full_time=by_kind.get(Employment.FULL_TIME, 0), part_time=by_kind.get(Employment.PART_TIME, 0),
        grids=grids.count(), vacancies=vacancies.count(),
        average_tenure_days=round(sum(spans) / len(spans)) if spans else None, leavers_this_year=leavers)
