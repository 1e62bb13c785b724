"""Grid workers: tenures (current and past), vacancies, the workers themselves, training."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from governance.errors import NotFound
from governance.models import Role, User
from governance.scoping import Scope
from grids.models import Grid, GridWorkerAssignment, Training


def _open_on(day: dt.date) -> Q:
    """Tenures in post on `day` (started, not yet ended: ended_on is the last day in post)."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def tenure_list(*, scope: Scope, grid_id: int | None = None, worker_id: int | None = None,
                current: bool | None = None) -> QuerySet[GridWorkerAssignment]:
    """Tenures on grids inside the scope, newest first, with grid, village and worker."""
    tenures = scope.filter(GridWorkerAssignment.objects.all(), via="grid").select_related(
        "grid", "grid__region", "worker")
    if grid_id is not None:
        tenures = tenures.filter(grid_id=grid_id)
    if worker_id is not None:
        tenures = tenures.filter(worker_id=worker_id)
    if current is not None:
        tenures = tenures.filter(ended_on__isnull=current)
    return tenures.order_by("-started_on", "-id")


def tenure_get(*, scope: Scope, tenure_id: int) -> GridWorkerAssignment:
    tenure = tenure_list(scope=scope).filter(pk=tenure_id).first()
    if tenure is None:
        raise NotFound(_("未找到该任职记录"))
    return tenure


def tenure_overlap(*, grid_id: int, worker_id: int, started_on: dt.date, ended_on: dt.date | None,
                   exclude_id: int | None = None) -> GridWorkerAssignment | None:
    """A tenure of `worker_id` on `grid_id` sharing a day with started_on … ended_on (open
    when None), if any. Not scoped: the check must see every row of that pair."""
    overlapping = GridWorkerAssignment.objects.filter(grid_id=grid_id, worker_id=worker_id).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
    if ended_on is not None:
        overlapping = overlapping.filter(started_on__lte=ended_on)
    return overlapping.exclude(pk=exclude_id).order_by("started_on").first()


def grid_workers_current(*, scope: Scope, grid_ids: list[int]) -> dict[int, list[GridWorkerAssignment]]:
    """The open tenures of each grid in `grid_ids` (inside the scope), by grid id."""
    found: dict[int, list[GridWorkerAssignment]] = {pk: [] for pk in grid_ids}
    for tenure in tenure_list(scope=scope, current=True).filter(grid_id__in=grid_ids):
        found[tenure.grid_id].append(tenure)
    return found


def vacant_grids(*, scope: Scope, on: dt.date) -> QuerySet[Grid]:
    """Active grids inside the scope with no worker in post on `on` (空缺网格)."""
    staffed = GridWorkerAssignment.objects.filter(_open_on(on), grid_id=OuterRef("pk"))
    return scope.filter(Grid.objects.filter(is_active=True)).filter(~Exists(staffed)).select_related(
        "region").order_by("code")


def worker_holds_grid(*, worker_id: int, grid_id: int, on: dt.date) -> bool:
    """Whether `worker_id` is in post on `grid_id` on `on`."""
    return GridWorkerAssignment.objects.filter(_open_on(on), grid_id=grid_id, worker_id=worker_id).exists()


def _workers(scope: Scope) -> QuerySet[User]:
    return User.objects.filter(role=Role.GRID_WORKER, is_active=True, **{f"region__{scope.column}": scope.region_id})


def worker_get(*, scope: Scope, worker_id: int) -> User:
    """A grid worker whose jurisdiction lies inside the scope; anyone else is NotFound."""
    worker = _workers(scope).select_related("region").filter(pk=worker_id).first()
    if worker is None:
        raise NotFound(_("未找到该网格员"))
    return worker


def worker_by_username(*, scope: Scope, username: str) -> User | None:
    """The active grid worker `username` whose jurisdiction lies inside the scope, else None."""
    return _workers(scope).select_related("region").filter(username=username).first()


def tenure_starting(*, grid_id: int, worker_id: int, started_on: dt.date) -> GridWorkerAssignment | None:
    """The tenure of that worker on that grid starting that day (an import's natural key)."""
    return GridWorkerAssignment.objects.filter(grid_id=grid_id, worker_id=worker_id, started_on=started_on).first()


def worker_choices(*, scope: Scope) -> QuerySet[User]:
    """Grid workers inside the scope (a select's choices), with their current tenures."""
    current = GridWorkerAssignment.objects.filter(ended_on__isnull=True).select_related("grid")
    return _workers(scope).select_related("region").prefetch_related(
        Prefetch("grid_assignments", queryset=current, to_attr="current_tenures")).order_by("region__code", "username")


def training_list(*, scope: Scope, worker_id: int | None = None) -> QuerySet[Training]:
    trainings = scope.filter(Training.objects.all()).select_related("worker")
    if worker_id is not None:
        trainings = trainings.filter(worker_id=worker_id)
    return trainings.order_by("-held_on", "-id")
