"""Grid reads. Every selector takes the Scope first and filters through it.

grids sits below disputes in the dependency direction (grids may not import disputes), yet
the grid worker's screen lists the cases reported in their grids. The cases therefore come
through a source that disputes registers at start-up (DisputesConfig.ready), the same
inversion governance.permissions uses for the action map.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from governance.errors import NotFound
from governance.scoping import Scope
from grids.models import Grid

# The phone screen shows the most recent cases only; older ones are in the case list.
GRID_CASES_LIMIT = 50


class GridCaseSource(Protocol):
    def __call__(self, *, scope: Scope, grid_ids: Sequence[int]) -> QuerySet: ...


# Filled once at start-up; key "cases".
_sources: dict[str, GridCaseSource] = {}


def register_grid_case_source(source: GridCaseSource) -> None:
    """Called once by the disputes app: `source` returns the scoped cases of some grids."""
    _sources["cases"] = source


def grid_list_current(*, scope: Scope, worker_id: int) -> QuerySet[Grid]:
    """Grids `worker_id` currently works (tenure not ended), inside the scope."""
    grids = Grid.objects.filter(
        worker_assignments__worker_id=worker_id,
        worker_assignments__ended_on__isnull=True,
        is_active=True,
    )
    return scope.filter(grids).select_related("region").distinct().order_by("code")


def grid_get(*, scope: Scope, grid_id: int) -> Grid:
    """One grid inside the scope; outside looks exactly like missing (NotFound)."""
    grid = scope.filter(Grid.objects.select_related("region")).filter(pk=grid_id).first()
    if grid is None:
        raise NotFound(_("未找到该网格"))
    return grid


def grid_cases(*, scope: Scope, grid_ids: Sequence[int]) -> QuerySet:
    """Cases reported in the given grids, inside the scope, newest first."""
    source = _sources.get("cases")
    if source is None:
        raise ImproperlyConfigured("No grid case source registered (disputes registers one in ready()).")
    return source(scope=scope, grid_ids=list(grid_ids))
