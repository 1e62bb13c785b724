"""Grid writes: create, edit, split and merge. Split and merge keep history: the old grids
are deactivated (retired_on), keep their cases, tenures and records, and the new grids name
them as predecessors. Open tenures on a retired grid end the day before (the worker is then
assigned to a new grid through services.workers)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from governance.clock import localdate
from governance.errors import Conflict, InvalidInput
from governance.models import User
from governance.permissions import require
from governance.scoping import Scope, scope_for
from governance.services import audit_record
from grids.models import Grid, GridWorkerAssignment
from grids.selectors import grid_get
from grids.services.validation import (
    GridInput,
    bbox_centre,
    clean_boundary,
    clean_code,
    clean_count,
    clean_kind,
    clean_name,
    clean_point,
    invalid,
    village_in_scope,
)


def grid_fields(scope: Scope, data: GridInput, *, taken: set[str] | None = None,
                own_pk: int | None = None) -> dict:
    """The validated columns of a grid (scope: the village must lie inside it). `taken` are
    codes already used in the same batch (an import, a split)."""
    village = village_in_scope(scope, data.region_id)
    code = clean_code(data.code, village)
    # Uses index: grids_grid_code_key (unique)
    if (taken is not None and code in taken) or Grid.objects.filter(code=code).exclude(pk=own_pk).exists():
        raise invalid("code", _("网格编码 %(code)s 已存在") % {"code": code})
    boundary, points = clean_boundary(data.boundary)
    lng, lat = clean_point(data.centre_lng, data.centre_lat)
    if lng is None and points:
        lng, lat = bbox_centre(points)
    return {
        "code": code, "name": clean_name(data.name), "region": village, "kind": clean_kind(data.kind),
        "households": clean_count(data.households, "households", _("户数")),
        "population": clean_count(data.population, "population", _("人口")),
        "boundary": boundary, "centre_lng": lng, "centre_lat": lat,
    }


def _audit(actor: User, action: str, grid: Grid, **detail) -> None:
    audit_record(actor=actor, action=action, target_type="grids.grid", target_id=grid.pk,
                 region_id=grid.region_id, detail=detail)


@transaction.atomic
def grid_create(*, actor: User, data: GridInput) -> Grid:
    """A new grid under a village inside the actor's jurisdiction."""
    scope = scope_for(actor)
    require(scope, "grids.manage")
    grid = Grid(**grid_fields(scope, data))
    grid.save()
    _audit(actor, "grid.create", grid, code=grid.code)
    return grid


@transaction.atomic
def grid_update(*, actor: User, grid_id: int, data: GridInput) -> Grid:
    """Edit a grid's code, name, village, kind, figures, boundary and centre. A retired grid is
    history and stays as it was."""
    scope = scope_for(actor)
    grid = grid_get(scope=scope, grid_id=grid_id)
    require(scope, "grids.manage")
    if not grid.is_active:
        raise Conflict(_("该网格已撤销,不能修改"), code="grid_retired")
    for name, value in grid_fields(scope, data, own_pk=grid.pk).items():
        setattr(grid, name, value)
    grid.save()
    _audit(actor, "grid.update", grid, code=grid.code)
    return grid


def _retire(actor: User, grids: Sequence[Grid], on: dt.date) -> None:
    """Deactivate `grids` on `on` (compare-and-set on is_active) and end their open tenures
    the day before (a tenure that started on `on` ends on `on`)."""
    ids = [g.pk for g in grids]
    # Uses index: the primary key; is_active in the WHERE makes it a compare-and-set.
    if Grid.objects.filter(pk__in=ids, is_active=True).update(is_active=False, retired_on=on) != len(ids):
        raise Conflict(_("网格已被撤销,请刷新后重试"), code="grid_retired")
    for tenure in GridWorkerAssignment.objects.filter(grid_id__in=ids, ended_on__isnull=True):
        tenure.ended_on = max(tenure.started_on, on - dt.timedelta(days=1))
        tenure.end_reason = _("网格调整")
        tenure.save(update_fields=["ended_on", "end_reason", "updated_at"])


def _active_grids(scope: Scope, grid_ids: Sequence[int]) -> list[Grid]:
    grids = [grid_get(scope=scope, grid_id=pk) for pk in dict.fromkeys(grid_ids)]
    retired = [g.name for g in grids if not g.is_active]
    if retired:
        raise Conflict(_("网格已撤销:%(names)s") % {"names": "、".join(retired)}, code="grid_retired")
    return grids


def _new_grids(scope: Scope, parts: Sequence[GridInput], predecessors: Sequence[Grid]) -> list[Grid]:
    taken: set[str] = set()
    created = []
    for index, part in enumerate(parts, start=1):
        try:
            fields = grid_fields(scope, part, taken=taken)
        except InvalidInput as exc:
            raise InvalidInput(_("第 %(n)s 个新网格:%(message)s") % {"n": index, "message": exc.message},
                               extra={**exc.extra, "part": index}) from None
        taken.add(fields["code"])
        grid = Grid(**fields)
        grid.save()
        grid.predecessors.set(predecessors)
        created.append(grid)
    return created


@transaction.atomic
def grid_split(*, actor: User, grid_id: int, parts: Sequence[GridInput], on: dt.date | None = None) -> list[Grid]:
    """拆分: one grid becomes two or more new grids in the same village; the old one is retired."""
    scope = scope_for(actor)
    (grid,) = _active_grids(scope, [grid_id])
    require(scope, "grids.manage")
    if len(parts) < 2:
        raise InvalidInput(_("拆分至少要得到 2 个新网格"), code="too_few_parts")
    if any(int(part.region_id) != grid.region_id for part in parts):
        raise InvalidInput(_("拆分后的网格应与原网格在同一村(社区)"), code="other_village")
    on = on or localdate()
    _retire(actor, [grid], on)
    created = _new_grids(scope, parts, [grid])
    _audit(actor, "grid.split", grid, into=[g.code for g in created], on=on.isoformat())
    return created


@transaction.atomic
def grid_merge(*, actor: User, grid_ids: Sequence[int], into: GridInput, on: dt.date | None = None) -> Grid:
    """合并: two or more grids of one village become one new grid; the old ones are retired."""
    scope = scope_for(actor)
    grids = _active_grids(scope, grid_ids)
    require(scope, "grids.manage")
    if len(grids) < 2:
        raise InvalidInput(_("合并至少需要选择 2 个网格"), code="too_few_grids")
    if len({g.region_id for g in grids} | {int(into.region_id)}) != 1:
        raise InvalidInput(_("只能合并同一村(社区)的网格"), code="other_village")
    on = on or localdate()
    _retire(actor, grids, on)
    (merged,) = _new_grids(scope, [into], grids)
    _audit(actor, "grid.merge", merged, merged_from=[g.code for g in grids], on=on.isoformat())
    return merged
