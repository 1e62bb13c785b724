"""Reads for grid work: a worker's own field reports and what became of them, and the open and
overdue case counts per grid that the grid map colours by (registered into grids' port)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
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


def field_report_list(*, scope: Scope, user_id: int | None = None, grid_id: int | None = None) -> QuerySet[Case]:
    """Grid reports (channel 网格上报) inside the scope, newest first: `user_id`'s own when
    given, one grid's when `grid_id` is given. Each row carries `open_leads` (the lead unit of
    an open assignment) for `field_report_of`. Two queries per page.

    # Uses index: the scope column's case_<level>_created, then registered_by (foreign key)."""
    leads = CaseAssignment.objects.filter(role=AssignmentRole.LEAD, status__in=OPEN_ASSIGNMENT_STATES) \
        .select_related("department", "region").order_by("-created_at")
    cases = case_list(scope=scope).filter(channel=Channel.GRID)
    if user_id is not None:
        cases = cases.filter(registered_by_id=user_id)
    if grid_id is not None:
        cases = cases.filter(grid_id=grid_id)
    return (cases.select_related("category", "grid", "owning_region")
            .prefetch_related(Prefetch("assignments", queryset=leads, to_attr="open_leads"))
            .order_by("-created_at", "-id"))


def field_report_of(case: Case) -> FieldReport:
    """A row of `field_report_list` as the worker's phone (and the API) shows it."""
    return FieldReport(id=case.pk, number=case.number, title=case.title, state=case.state,
                       state_label=case.get_state_display(), warning_level=case.warning_level,
                       category_name=case.category.name, grid_name=case.grid.name if case.grid_id else "",
                       created_at=case.created_at, handler=_handler(case))


def field_reports_mine(*, scope: Scope, user_id: int, limit: int = FIELD_REPORTS_LIMIT) -> list[FieldReport]:
    """The newest `limit` grid reports `user_id` registered, inside the scope, with who holds
    each now (the lead unit of an open assignment, else the owning center). Two queries."""
    return [field_report_of(case) for case in field_report_list(scope=scope, user_id=user_id)[:limit]]


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
