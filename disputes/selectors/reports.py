"""研判报告: the figures of one region's month, and the scoped reads of the archived reports.

`unscoped_report_figures(region, month)` is read by the report task, which runs without a
user: the region was checked against the requester's jurisdiction when the report was asked
for (disputes.services.reports.report_request), and the figures are counts and names of that
region only. Each figure is one set-based query. Definitions: docs/warnings.md.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from disputes.models import AnalysisReport, Case, CaseAssignment, CaseEvent, CaseState, EarlyWarning
from governance import clock
from governance.errors import NotFound
from governance.models import Region, RegionLevel
from governance.periods import Period
from governance.scoping import Scope
from governance.workdays import SHANGHAI

TOP = 5
# A case was on time when no red card was raised while it was being handled (signing or handling).
HANDLING_STATES = (CaseState.DISPATCHED, CaseState.IN_PROGRESS)


@dataclass(frozen=True)
class MonthFigures:
    registered: int = 0  # 登记量 (rejected included)
    accepted: int = 0  # 受理量 (accepted_at in the month)
    resolved: int = 0  # 办结量 (resolved_at in the month)
    on_time: int = 0  # of those resolved, without a red card while handled
    callbacks: int = 0  # 回访 made in the month
    satisfied: int = 0  # of those, satisfied

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.callbacks if self.callbacks else None


@dataclass(frozen=True)
class ReportFigures:
    region_name: str
    region_level: str
    month: dt.date
    current: MonthFigures
    previous: MonthFigures
    daily: list[tuple[dt.date, int]] = field(default_factory=list)  # every day of the month
    top_categories: list[tuple[str, int]] = field(default_factory=list)
    top_villages: list[tuple[str, int]] = field(default_factory=list)
    children: list[tuple[str, int, int]] = field(default_factory=list)  # (name, registered, resolved)
    warnings: list[dict] = field(default_factory=list)
    overdue_units: list[tuple[str, int]] = field(default_factory=list)


def month_period(month: dt.date) -> Period:
    return Period.month(month.year, month.month)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_figures(cases: QuerySet[Case], period: Period) -> MonthFigures:
    start, end = period.starts_at, period.ends_before
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    red_while_handled = CaseEvent.objects.filter(case_id=OuterRef("pk"), action="red", to_state__in=HANDLING_STATES)
    row = cases.aggregate(
        registered=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
        accepted=Count("id", filter=Q(accepted_at__gte=start, accepted_at__lt=end)),
        resolved=Count("id", filter=resolved),
        on_time=Count("id", filter=resolved & ~Q(Exists(red_while_handled))),
    )
    callbacks = CaseEvent.objects.filter(case__in=cases, action="callback", created_at__gte=start, created_at__lt=end)
    calls = callbacks.aggregate(n=Count("id"), satisfied=Count("id", filter=Q(data__satisfied=True)))
    return MonthFigures(row["registered"], row["accepted"], row["resolved"], row["on_time"], calls["n"],
                        calls["satisfied"])


def _overdue_units(cases: QuerySet[Case], period: Period) -> list[tuple[str, int]]:
    """Units whose assignment deadline fell in the month and was missed (closed after it, or
    still open after it)."""
    cutoff = min(period.ends_before, clock.now())
    rows = (CaseAssignment.objects.filter(case__in=cases, due_at__gte=period.starts_at, due_at__lt=period.ends_before)
            .filter(Q(closed_at__gt=F("due_at")) | Q(closed_at__isnull=True, due_at__lt=cutoff))
            .values("department__name", "region__name").annotate(n=Count("id")).order_by("-n")[:10])
    return [(row["department__name"] or _("%(region)s综治中心") % {"region": row["region__name"]}, row["n"])
            for row in rows]


def unscoped_report_figures(*, region: Region, month: dt.date) -> ReportFigures:
    """Everything the monthly report shows for `region` (checked against the requester's scope
    when the report was requested) and the month starting on `month`."""
    column = f"{RegionLevel(region.level).value}_id"
    cases = Case.objects.filter(**{column: region.pk})
    period = month_period(month)
    start, end = period.starts_at, period.ends_before
    in_month = cases.filter(created_at__gte=start, created_at__lt=end)
    per_day = dict(in_month.annotate(day=TruncDate("created_at", tzinfo=SHANGHAI)).values("day")
                   .annotate(n=Count("id")).order_by().values_list("day", "n"))
    days = [period.start + dt.timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    categories = (in_month.values("category__name").annotate(n=Count("id")).order_by("-n", "category__name")[:TOP])
    villages = (in_month.exclude(village__isnull=True).values("village__name").annotate(n=Count("id"))
                .order_by("-n", "village__name")[:TOP])
    child = RegionLevel(region.level).child
    children = []
    if child is not None:
        child_column = f"{child}_id"
        counts = {row[child_column]: row for row in cases.values(child_column).annotate(
            registered=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
            resolved=Count("id", filter=Q(resolved_at__gte=start, resolved_at__lt=end))).order_by()}
        for pk, name in Region.objects.filter(parent_id=region.pk, level=child).order_by("code").values_list("id",
                                                                                                          "name"):
            row = counts.get(pk, {})
            children.append((name, row.get("registered", 0), row.get("resolved", 0)))
    warnings = [
        {"kind": w.get_kind_display(), "label": w.label, "cases": w.case_count, "state": w.get_state_display(),
         "raised_at": w.created_at}
        for w in EarlyWarning.objects.filter(**{column: region.pk}, created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")[:50]
    ]
    return ReportFigures(
        region_name=region.name, region_level=region.level, month=period.start,
        current=_month_figures(cases, period), previous=_month_figures(cases, month_period(previous_month(month))),
        daily=[(day, per_day.get(day, 0)) for day in days],
        top_categories=[(row["category__name"], row["n"]) for row in categories],
        top_villages=[(row["village__name"], row["n"]) for row in villages],
        children=children, warnings=warnings, overdue_units=_overdue_units(cases, period),
    )


# --- The archive ---------------------------------------------------------------------------------

def report_list(*, scope: Scope) -> QuerySet[AnalysisReport]:
    """The archived reports of regions inside the scope, newest month first."""
    return (scope.filter(AnalysisReport.objects.all()).select_related("region", "requested_by")
            .order_by("-month", "region__code", "id"))


def report_get(*, scope: Scope, report_id: int) -> AnalysisReport:
    report = scope.filter(AnalysisReport.objects.select_related("region")).filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("未找到该报告"))
    return report
