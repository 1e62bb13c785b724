"""Reads for grid work: a worker's own field reports and what became of them, and the open and
overdue case counts per grid that the grid map colours by (registered into grids' port)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from disputes.models import (
    OPEN_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentRole,
    Case,
    CaseAssignment,
    Channel,
    WarningLevel,
)
from disputes.selectors.cases import case_list
from governance.scoping import Scope

FIELD_REPORTS_LIMIT = 50


@dataclass(frozen=True)
class FieldReport:
    """One of the worker's reports as their phone shows it."""

    id: int
    number: str
    title: str
    state: str
    state_label: str
    warning_level: str
    category_name: str
    grid_name: str
    created_at: dt.datetime
    handler: str


def _handler(case: Case) -> str:
    leads = case.open_leads
    if leads:
        lead = leads[0]
        return lead.department.name if lead.department_id else _("%(region)s综治中心") % {"region": lead.region.name}
    return _("%(region)s综治中心") % {"region": case.owning_region.name}


def field_reports_mine(*, scope: Scope, user_id: int, limit: int = FIELD_REPORTS_LIMIT) -> list[FieldReport]:
    """The newest `limit` grid reports `user_id` registered, inside the scope, with who holds
    each now (the lead unit of an open assignment, else the owning center). Two queries.

    # Uses index: the scope column's case_<level>_created, then registered_by (foreign key)."""
    leads = CaseAssignment.objects.filter(role=AssignmentRole.LEAD, status__in=OPEN_ASSIGNMENT_STATES) \
        .select_related("department", "region").order_by("-created_at")
    cases = (case_list(scope=scope).filter(registered_by_id=user_id, channel=Channel.GRID)
             .select_related("category", "grid", "owning_region")
             .prefetch_related(Prefetch("assignments", queryset=leads, to_attr="open_leads"))
             .order_by("-created_at")[:limit])
    return [FieldReport(id=c.pk, number=c.number, title=c.title, state=c.state, state_label=c.get_state_display(),
                        warning_level=c.warning_level, category_name=c.category.name,
                        grid_name=c.grid.name if c.grid_id else "", created_at=c.created_at, handler=_handler(c))
            for c in cases]


def grid_case_counts(*, scope: Scope, grid_ids: Sequence[int] | None) -> dict[int, tuple[int, int]]:
    """(open, overdue) cases per grid in `grid_ids` (every grid when None), inside the scope,
    in one grouped query. Overdue: an open case carrying a red card (its step's deadline has
    passed).

    # Uses index: case_<level>_state_due (the scope column and the open states lead)."""
    cases = case_list(scope=scope).filter(state__in=OPEN_STATES)
    cases = cases.filter(grid_id__in=list(grid_ids)) if grid_ids is not None else cases.filter(grid__isnull=False)
    rows = (cases.values("grid_id")
            .annotate(open=Count("id"), overdue=Count("id", filter=Q(warning_level=WarningLevel.RED))).order_by())
    return {row["grid_id"]: (row["open"], row["overdue"]) for row in rows}
