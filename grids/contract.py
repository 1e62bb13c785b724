"""What grids publishes to the apps above it (disputes, partybuilding, assessment): the only
grids module they import, besides `grids.models` for foreign keys (tests/test_project.py).

- scoped reads for their pages: `grid_queryset` (a case's grid select), `grid_active_in_village`;
- aggregates for assessment, `unscoped_*_by_region(*, level, region_ids, period)` returning
  plain frozen dataclasses per region id (definitions in grids/selectors/stats.py):
  `unscoped_grid_counts_by_region` → `GridCounts`, `unscoped_grid_coverage_by_region` →
  `GridCoverage` (网格化覆盖率), `unscoped_worker_presence_by_region` → `WorkerPresence`
  (网格员在岗率), `unscoped_screening_compliance_by_region` → `ScreeningCompliance`
  (排查零报告按时率); `unscoped_active_grid_ids_by_village(*, city_code)` for demo data;
- for field reports and case intake: `worker_grids(*, scope, worker_id)` → `WorkerGrid` values
  (the grids a worker holds now), and point in grid, `grid_locate(*, scope, lng, lat)` →
  `GridHit` or None (InvalidInput outside the county; grids/geometry.py);
- the port through which the grid map counts open and overdue cases per grid
  (`GridCaseCounter`, `register_grid_case_counter`, `grid_case_counter`), filled like the next;
- the port through which the grid worker's screen lists cases: grids sits below disputes and
  may not import it, so disputes registers its published reader (`disputes.contract.
  grid_cases`) here at start-up, typed by `GridCaseReader` and returning `GridCase` values,
  never model instances;
- the port through which the grid page lists the party groups covering a grid
  (`GridPartyReader`, `register_grid_party_reader`, `grid_party_reader`): partybuilding fills
  it; with no party app installed the page shows no party section.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from grids.field import WorkerGrid, worker_grids
from grids.geometry import GridHit, grid_locate
from grids.selectors import (
    GridCounts,
    grid_active_in_village,
    grid_queryset,
    unscoped_active_grid_ids_by_village,
    unscoped_grid_counts_by_region,
)
from grids.selectors.stats import (
    GridCoverage,
    ScreeningCompliance,
    WorkerPresence,
    unscoped_grid_coverage_by_region,
    unscoped_screening_compliance_by_region,
    unscoped_worker_presence_by_region,
)

__all__ = [
    "GridCase", "GridCaseCounter", "GridCaseReader", "GridCounts", "GridCoverage", "GridHit", "ScreeningCompliance",
    "GridParty", "GridPartyReader", "WorkerGrid", "WorkerPresence", "grid_active_in_village", "grid_case_counter",
    "grid_case_reader", "grid_locate", "grid_party_reader", "register_grid_party_reader",
    "grid_queryset", "register_grid_case_counter", "register_grid_case_reader", "unscoped_active_grid_ids_by_village",
    "unscoped_grid_counts_by_region", "unscoped_grid_coverage_by_region", "unscoped_screening_compliance_by_region",
    "unscoped_worker_presence_by_region", "worker_grids",
]


@dataclass(frozen=True)
class GridCase:
    """A case as the grid worker's screen shows it."""

    id: int
    number: str
    title: str
    state_label: str
    warning_level: str
    category_name: str
    grid_id: int
    grid_name: str
    created_at: dt.datetime
    detail_url: str


class GridCaseReader(Protocol):
    def __call__(self, *, scope, grid_ids: Sequence[int], limit: int) -> list[GridCase]:
        """The newest `limit` cases reported in `grid_ids`, inside `scope`."""
        ...


class GridCaseCounter(Protocol):
    def __call__(self, *, scope, grid_ids: Sequence[int] | None) -> dict[int, tuple[int, int]]:
        """(open, overdue) cases per grid id in `grid_ids` (every grid when None), inside
        `scope`; grids with none may be missing."""
        ...


@dataclass(frozen=True)
class GridParty:
    """A party group covering a grid, as the grid page shows it."""

    id: int
    name: str
    kind_label: str
    leader_name: str
    member_count: int
    detail_url: str


class GridPartyReader(Protocol):
    def __call__(self, *, scope, grid_id: int) -> list[GridParty]:
        """The active party groups covering `grid_id`, inside `scope`."""
        ...


_readers: dict[str, GridCaseReader] = {}
_party_readers: dict[str, GridPartyReader] = {}
_counters: dict[str, GridCaseCounter] = {}


def register_grid_case_reader(reader: GridCaseReader) -> None:
    """Called once by the app that owns cases, from its AppConfig.ready()."""
    _readers["cases"] = reader


def grid_case_reader() -> GridCaseReader:
    reader = _readers.get("cases")
    if reader is None:
        raise ImproperlyConfigured("No grid case reader registered (the cases app registers one in ready()).")
    return reader


def register_grid_case_counter(counter: GridCaseCounter) -> None:
    """Called once by the app that owns cases, from its AppConfig.ready() (the grid map)."""
    _counters["cases"] = counter


def grid_case_counter() -> GridCaseCounter:
    counter = _counters.get("cases")
    if counter is None:
        raise ImproperlyConfigured("No grid case counter registered (the cases app registers one in ready()).")
    return counter


def register_grid_party_reader(reader: GridPartyReader) -> None:
    """Called once by the party-building app, from its AppConfig.ready()."""
    _party_readers["party"] = reader


def grid_party_reader() -> GridPartyReader | None:
    """The registered reader, or None when no party-building app is installed."""
    return _party_readers.get("party")
