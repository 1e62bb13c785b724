"""What disputes publishes to other apps: the only disputes module they import
(tests/test_project.py enforces it; benchmarks, the operator tooling above every app, aside).

Reads:
- `grid_cases(*, scope, grid_ids, limit)`: the cases reported in some grids, scoped, as
  `grids.contract.GridCase` values; registered into the grids app's port at start-up
  (DisputesConfig.ready), since grids sits below disputes and cannot import this module;
- `grid_case_counts(*, scope, grid_ids)`: (open, overdue) cases per grid, registered into the
  grids app's counter port for the grid map;
- `unscoped_case_counts_by_region(*, level, region_ids, period)`: `CaseCounts` per region,
  for assessment (plain values, never model instances);
- `unscoped_case_indicators_by_region(*, level, region_ids, period)`: the assessment's case
  indicators (`CASE_INDICATORS`: 受理及时率, 按期办结率, …) as `IndicatorCount` per indicator
  per region; the case list takes the same definitions as its drill-down filter
  (`case_indicator_query` builds the query string of the list of one part of one figure).

Writes go through the services, reached here: `case_register` with `CaseInput`/`PartyInput`
(a grid worker's field report becomes a case this way).
"""
from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from disputes.models import CaseState
from disputes.selectors import case_list
from disputes.selectors.aggregates import CaseCounts, unscoped_case_counts_by_region
from disputes.selectors.field import grid_case_counts
from disputes.selectors.indicators import CASE_INDICATORS, IndicatorCount, unscoped_case_indicators_by_region
from disputes.services import CaseInput, PartyInput, case_register
from disputes.services.core import case_url
from governance.scoping import Scope
from grids.contract import GridCase

__all__ = [
    "CASE_INDICATORS", "CaseCounts", "CaseInput", "IndicatorCount", "PartyInput", "case_ids_in_scope",
    "case_indicator_query", "indicator_cases",
    "case_register", "grid_case_counts", "grid_cases", "unscoped_case_counts_by_region",
    "unscoped_case_indicators_by_region",
]

_STATE_LABELS = dict(CaseState.choices)


def grid_cases(*, scope: Scope, grid_ids: Sequence[int], limit: int) -> list[GridCase]:
    """The newest `limit` cases reported in `grid_ids`, inside `scope` (one query).

    # Uses index: the grid foreign key's (grid_id), then the scope column's equality.
    """
    rows = (
        case_list(scope=scope).filter(grid_id__in=list(grid_ids))
        .values("id", "number", "title", "state", "warning_level", "category__name", "grid_id", "grid__name",
                "created_at")[:limit]
    )
    return [
        GridCase(id=row["id"], number=row["number"], title=row["title"], state_label=str(_STATE_LABELS[row["state"]]),
                 warning_level=row["warning_level"], category_name=row["category__name"], grid_id=row["grid_id"],
                 grid_name=row["grid__name"], created_at=row["created_at"], detail_url=case_url(row["id"]))
        for row in rows
    ]


def case_ids_in_scope(*, scope: Scope, case_ids: Sequence[int]) -> list[int]:
    """The ids among `case_ids` of cases inside `scope` (a veto's linked cases)."""
    return list(case_list(scope=scope).filter(pk__in=list(case_ids)).values_list("pk", flat=True))


def indicator_cases(*, scope: Scope, key: str, part: str, region_id: int, period, limit: int = 50) -> list[
        tuple[int, str, str]]:
    """(id, number, title) of the first `limit` cases counted in one part of an indicator for
    a unit and period, inside `scope` (the printed 讲评 report lists them)."""
    filters = {"region": region_id, "indicator": key, "part": part, "period_from": period.start,
               "period_to": period.end, "ordering": "number"}
    return list(case_list(scope=scope, filters=filters).values_list("id", "number", "title")[:limit])


def case_indicator_query(*, key: str, part: str, region_id: int, period) -> str:
    """The case list's query string for the cases counted in one part ("num", "den",
    "miss") of indicator `key` of a unit and period; the list applies the viewer's scope."""
    return urlencode({"region": region_id, "indicator": key, "part": part,
                      "period_from": period.start.isoformat(), "period_to": period.end.isoformat()})
