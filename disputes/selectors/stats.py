"""Aggregates for the dispatch dashboard (调度大屏). Scoped selectors: every query starts with
`scope.filter(...)`, and each figure is one set-based GROUP BY, never a loop over rows, so the
dashboard costs the same few queries whether the county has ten cases or a million.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from disputes.models import OPEN_STATES, Case, CaseState, WarningLevel
from disputes.selectors.tally import state_card_rows, tally_counted_at
from governance.models import Region, RegionLevel
from governance.scoping import Scope
from governance.workdays import SHANGHAI

# The dashboard breaks a scope down by the next level below it (a county by township).
CHILD_LEVEL = {
    RegionLevel.CITY: RegionLevel.COUNTY,
    RegionLevel.COUNTY: RegionLevel.TOWNSHIP,
    RegionLevel.TOWNSHIP: RegionLevel.VILLAGE,
    RegionLevel.VILLAGE: RegionLevel.VILLAGE,
}
INTAKE_DAYS = 30
WARNING_LIST_LIMIT = 50
WALL_CARDS = 12


def _cases(scope: Scope, region: Region | None):
    """The scope's cases, narrowed to a region inside it (the caller resolved it through
    scope.region_in_scope)."""
    cases = scope.filter(Case.objects.all())
    return cases.filter(**{f"{region.level}_id": region.pk}) if region is not None else cases


def case_counts_by_region(*, scope: Scope, region: Region | None = None,
                          tallied: bool = False) -> list[dict[str, Any]]:
    """Per child region of the scope: cases by state, plus open yellow and red cards.

    One GROUP BY child region, state and card over the scope's cases (index-only on
    case_<level>_dash, in index order), or over the workers' rollup when `tallied`; one query
    for the child regions' names.
    """
    level = region.level if region is not None else scope.level
    child = CHILD_LEVEL[RegionLevel(level)]
    column = f"{child}_id"
    open_states = {str(state) for state in OPEN_STATES}
    rows: dict[Any, dict[str, Any]] = {}
    for region_id, state, card, n in state_card_rows(scope=scope, region=region, by=column, tallied=tallied):
        row = rows.setdefault(region_id, {"states": dict.fromkeys(CaseState.values, 0), "yellow": 0, "red": 0,
                                          "total": 0})
        row["states"][state] = row["states"].get(state, 0) + n
        row["total"] += n
        if card in (WarningLevel.YELLOW, WarningLevel.RED) and state in open_states:
            row[card] += n
    below = scope.regions().filter(**{f"{region.level}_id": region.pk}) if region is not None else scope.regions()
    children = list(below.filter(level=child).order_by("code").values_list("id", "name"))
    known = {pk for pk, _name in children}
    # Every child region gets a bar (zeros included); cases recorded only at a coarser level
    # (no row on the child column) are grouped as "(未细分)".
    labelled = [*children, *((pk, _("(未细分)")) for pk in rows if pk not in known)]
    result = []
    for region_id, name in labelled:
        row = rows.get(region_id, {})
        # Each bar's case-list filters (None for "(未细分)": no filter selects a missing column).
        drill = region_id in known
        result.append({
            "id": region_id,
            "name": name,
            "states": {state: row.get("states", {}).get(state, 0) for state in CaseState.values},
            "yellow": row.get("yellow", 0),
            "red": row.get("red", 0),
            "total": row.get("total", 0),
            "filters": {
                "states": {state: {"region": str(region_id), "state": state} for state in CaseState.values},
                "yellow": {"region": str(region_id), "warning_level": WarningLevel.YELLOW.value, "open": "true"},
                "red": {"region": str(region_id), "warning_level": WarningLevel.RED.value, "open": "true"},
            } if drill else None,
        })
    return result


def case_intake_daily(*, scope: Scope, today: dt.date, days: int = INTAKE_DAYS,
                      region: Region | None = None) -> list[dict[str, Any]]:
    """Cases registered per day (Asia/Shanghai) over the last `days` days, zeros included:
    登记量, rejected (不予受理) cases included."""
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI)
    # Uses index: case_<level>_created
    rows = (
        _cases(scope, region).filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts = {row["day"]: row["n"] for row in rows}
    days_ = [first + dt.timedelta(days=i) for i in range(days)]
    narrow = {"region": str(region.pk)} if region is not None else {}
    return [{"day": day.isoformat(), "count": counts.get(day, 0),
             "filters": {**narrow, "created_from": day.isoformat(), "created_to": day.isoformat()}} for day in days_]


def case_warning_list(*, scope: Scope, limit: int = WARNING_LIST_LIMIT, region: Region | None = None) -> QuerySet[Case]:
    """Open cases with a red or yellow card: red first ("red" sorts before "yellow"), then by
    due date."""
    cases = _cases(scope, region).open().exclude(warning_level=WarningLevel.NONE)
    return cases.select_related("category", "owning_region", "township", "village").order_by(
        "warning_level", "due_at", "id")[:limit]


def dashboard_data(*, scope: Scope, today: dt.date, cards: bool = False, region: Region | None = None,
                   now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard charts need, as JSON-ready data (with `cards`, the first red
    and yellow cards for the wall screen). Given `now`, the regional bars come from the
    workers' rollup while it is fresh (`counted_at` says when it was counted; null: live)."""
    counted_at = tally_counted_at(now=now) if now is not None else None
    regions = case_counts_by_region(scope=scope, region=region, tallied=counted_at is not None)
    intake = case_intake_daily(scope=scope, today=today, region=region)
    open_states = [s for s in CaseState.values if s in OPEN_STATES]
    return {
        "level": str(CHILD_LEVEL[RegionLevel(region.level if region is not None else scope.level)].label),
        "labels": {"yellow": _("黄牌"), "red": _("红牌"), "intake": _("登记量"), "open": _("在办")},
        "states": [{"key": s.value, "label": str(s.label), "open": s in OPEN_STATES} for s in CaseState],
        "regions": regions,
        "counted_at": counted_at.isoformat() if counted_at else None,
        "intake": intake,
        "totals": {
            "open": sum(r["states"][s] for r in regions for s in open_states),
            "yellow": sum(r["yellow"] for r in regions),
            "red": sum(r["red"] for r in regions),
            "intake_30d": sum(d["count"] for d in intake),
        },
        "cards": [{"number": c.number, "title": c.title, "warning_level": c.warning_level,
                   "label": str(WarningLevel(c.warning_level).label),
                   "place": (c.village or c.township or c.owning_region).name}
                  for c in case_warning_list(scope=scope, limit=WALL_CARDS, region=region)] if cards else [],
    }
