"""Field work reads: patrols, screening (and the grids that have not filed), hazards."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from governance.errors import NotFound
from governance.scoping import Scope
from grids.models import Grid, HazardInspection, Patrol, Screening


def patrol_list(*, scope: Scope, grid_id: int | None = None, recorded_by: int | None = None) -> QuerySet[Patrol]:
    """Patrols inside the scope, newest first, with grid and recorder (constant queries)."""
    patrols = scope.filter(Patrol.objects.all()).select_related("grid", "recorded_by")
    if grid_id is not None:
        patrols = patrols.filter(grid_id=grid_id)
    if recorded_by is not None:
        patrols = patrols.filter(recorded_by_id=recorded_by)
    return patrols.order_by("-patrolled_on", "-id")


def patrol_get(*, scope: Scope, patrol_id: int) -> Patrol:
    patrol = patrol_list(scope=scope).filter(pk=patrol_id).first()
    if patrol is None:
        raise NotFound(_("未找到该巡查记录"))
    return patrol


def screening_list(*, scope: Scope, grid_id: int | None = None,
                   period_start: dt.date | None = None) -> QuerySet[Screening]:
    screenings = scope.filter(Screening.objects.all()).select_related("grid", "grid__region", "recorded_by")
    if grid_id is not None:
        screenings = screenings.filter(grid_id=grid_id)
    if period_start is not None:
        screenings = screenings.filter(period_start=period_start)
    return screenings.order_by("-period_start", "grid__code")


def screening_missing(*, scope: Scope, period_start: dt.date) -> QuerySet[Grid]:
    """Active grids inside the scope that filed no screening (not even a zero report) for the
    month starting `period_start`; overdue once that month has ended."""
    filed = Screening.objects.filter(grid_id=OuterRef("pk"), period_start=period_start)
    grids = scope.filter(Grid.objects.filter(is_active=True)).filter(~Exists(filed))
    return grids.select_related("region").order_by("code")


def hazard_list(*, scope: Scope, grid_id: int | None = None, open_only: bool = False) -> QuerySet[HazardInspection]:
    hazards = scope.filter(HazardInspection.objects.all()).select_related("grid", "recorded_by")
    if grid_id is not None:
        hazards = hazards.filter(grid_id=grid_id)
    if open_only:
        hazards = hazards.filter(rectified_on__isnull=True)
    return hazards.order_by("rectified_on", "rectify_by", "-id")


def hazard_get(*, scope: Scope, hazard_id: int) -> HazardInspection:
    hazard = hazard_list(scope=scope).filter(pk=hazard_id).first()
    if hazard is None:
        raise NotFound(_("未找到该隐患记录"))
    return hazard
