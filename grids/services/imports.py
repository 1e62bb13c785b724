"""Importing grids and grid workers from the rows of a file (grids.transfer reads it): every
row goes through the same services as the pages, so the same checks hold; the preview is the
same run rolled back. A file applies fully or not at all: one bad row and nothing is saved.

Grids are matched by code: a new code creates a grid, a code of a grid inside the actor's
jurisdiction updates it (an unchanged row changes nothing, so export → import round-trips).
Tenures are matched by (grid, worker, start day): a new one is assigned, an open one with an
end day in the row is ended."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from governance.errors import ApplicationError, InvalidInput
from governance.models import RegionLevel, User
from governance.permissions import require
from governance.scoping import Scope, scope_for
from grids.models import Employment, Grid, GridKind
from grids.selectors import grid_by_code, grid_code_taken, tenure_starting, worker_by_username
from grids.services.grids import grid_create, grid_fields, grid_update
from grids.services.validation import GridInput
from grids.services.workers import tenure_assign, tenure_end

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    kind: str
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {CREATED: 0, UPDATED: 0, UNCHANGED: 0})
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False


def _choice(text: str, choices, label: str) -> str:
    for value, name in choices:
        if text in (value, str(name)):
            return value
    raise InvalidInput(_("%(label)s「%(text)s」无效,应为:%(names)s") % {
        "label": label, "text": text, "names": "、".join(str(n) for _v, n in choices)})


def _date(text: str, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidInput(_("%(label)s「%(text)s」应为 YYYY-MM-DD 格式的日期") % {
            "label": label, "text": text}) from None


def _village(scope: Scope, code: str) -> int:
    village = scope.regions().filter(code=code).first()
    if village is None:
        raise InvalidInput(_("村(社区)编码「%(code)s」不存在或不在您的管辖范围内") % {"code": code})
    if village.level != RegionLevel.VILLAGE:
        raise InvalidInput(_("「%(code)s」不是村(社区)编码") % {"code": code})
    return village.pk


def _grid_row(actor: User, scope: Scope, row: dict[str, str], seen: dict[str, int]) -> str:
    code = row["网格编码"]
    if code in seen:
        raise InvalidInput(_("网格编码 %(code)s 与第 %(line)s 行重复") % {"code": code, "line": seen[code]})
    seen[code] = int(row["_line"])
    boundary = None
    if row["边界(GeoJSON)"]:
        try:
            boundary = json.loads(row["边界(GeoJSON)"])
        except ValueError:
            raise InvalidInput(_("边界不是有效的 GeoJSON 文本")) from None
    data = GridInput(
        code=code, name=row["网格名称"], region_id=_village(scope, row["所属村(社区)编码"]),
        kind=_choice(row["网格类型"], GridKind.choices, _("网格类型")),
        households=row["户数"] or 0, population=row["人口"] or 0, boundary=boundary,
        centre_lng=row["中心点经度"] or None, centre_lat=row["中心点纬度"] or None)
    existing = grid_by_code(scope=scope, code=code)
    if existing is None:
        if grid_code_taken(code):
            raise InvalidInput(_("网格编码 %(code)s 已被管辖范围外的网格使用") % {"code": code})
        grid_create(actor=actor, data=data)
        return CREATED
    if _same(existing, grid_fields(scope, data, own_pk=existing.pk)):
        return UNCHANGED
    grid_update(actor=actor, grid_id=existing.pk, data=data)
    return UPDATED


def _same(grid: Grid, fields: dict) -> bool:
    """Whether saving `fields` would change nothing on `grid`."""
    return all(grid.region_id == value.pk if name == "region" else getattr(grid, name) == value
               for name, value in fields.items())


def _worker_row(actor: User, scope: Scope, row: dict[str, str], seen: dict[str, int]) -> str:
    grid = grid_by_code(scope=scope, code=row["网格编码"])
    if grid is None:
        raise InvalidInput(_("网格编码 %(code)s 不存在或不在您的管辖范围内") % {"code": row["网格编码"]})
    worker = worker_by_username(scope=scope, username=row["网格员账号"])
    if worker is None:
        raise InvalidInput(_("网格员账号「%(name)s」不存在、不是网格员或不在您的管辖范围内") % {
            "name": row["网格员账号"]})
    employment = _choice(row["用工形式"], Employment.choices, _("用工形式"))
    started_on = _date(row["任职日期"], _("任职日期"))
    if started_on is None:
        raise InvalidInput(_("请填写任职日期"))
    ended_on = _date(row["离任日期"], _("离任日期"))
    key = f"{grid.pk}:{worker.pk}:{started_on}"
    if key in seen:
        raise InvalidInput(_("与第 %(line)s 行是同一任职") % {"line": seen[key]})
    seen[key] = int(row["_line"])
    existing = tenure_starting(grid_id=grid.pk, worker_id=worker.pk, started_on=started_on)
    if existing is None:
        tenure = tenure_assign(actor=actor, grid_id=grid.pk, worker_id=worker.pk, started_on=started_on,
                               employment=employment, ended_on=ended_on)
        if ended_on is not None:
            tenure.end_reason = row["离任原因"][:200]
            tenure.save(update_fields=["end_reason", "updated_at"])
        return CREATED
    if (existing.ended_on, existing.employment) == (ended_on, employment):
        return UNCHANGED
    if existing.ended_on is None and ended_on is not None and existing.employment == employment:
        tenure_end(actor=actor, tenure_id=existing.pk, ended_on=ended_on, reason=row["离任原因"])
        return UPDATED
    raise InvalidInput(_("该任职已存在,且用工形式或离任日期与文件不同(只能通过导入为在岗任职登记离任)"))


HANDLERS: dict[str, Callable[[User, Scope, dict[str, str], dict], str]] = {
    "grids": _grid_row, "workers": _worker_row}


def import_rows(*, actor: User, kind: str, rows: list[dict[str, str]], apply: bool) -> ImportResult:
    """Check every row (the preview, `apply=False`) or apply them all (`apply=True`); with any
    row error nothing is saved. Each error names the spreadsheet line."""
    scope = scope_for(actor)
    require(scope, "grids.manage")
    handle = HANDLERS[kind]
    result = ImportResult(kind=kind, total=len(rows))
    seen: dict = {}
    with transaction.atomic():
        for row in rows:
            try:
                with transaction.atomic():
                    result.counts[handle(actor, scope, row, seen)] += 1
            except ApplicationError as exc:
                result.errors.append(RowError(int(row["_line"]), exc.message))
        result.applied = apply and not result.errors
        if not result.applied:
            transaction.set_rollback(True)
    return result
