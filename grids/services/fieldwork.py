"""Field work writes: a patrol, a month's dispute screening (zero report included), a hazard
inspection and its follow-up. A grid worker records only on a grid they hold today; center
staff on any active grid in their jurisdiction."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.clock import localdate
from governance.errors import Conflict, Forbidden
from governance.models import Role, User
from governance.permissions import require
from governance.scoping import scope_for
from grids.models import Grid, HazardInspection, Patrol, Screening
from grids.selectors import grid_get, hazard_get, worker_holds_grid
from grids.services.validation import invalid

# How far back a record may be dated: a patrol or inspection is written up soon after.
BACKDATE_DAYS = 62


def field_grid(actor: User, grid_id: int) -> Grid:
    """The grid the actor may record field work on (outside the scope → NotFound)."""
    scope = scope_for(actor)
    grid = grid_get(scope=scope, grid_id=grid_id)
    require(scope, "grids.field_work")
    if not grid.is_active:
        raise Conflict(_("网格「%(grid)s」已撤销") % {"grid": grid.name}, code="grid_retired")
    if scope.role == Role.GRID_WORKER and not worker_holds_grid(worker_id=actor.pk, grid_id=grid.pk, on=localdate()):
        raise Forbidden(_("您目前不负责网格「%(grid)s」") % {"grid": grid.name}, code="not_your_grid")
    return grid


def _text(value: str, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise invalid(field, _("请填写%(label)s") % {"label": label})
    if len(text) > max_length:
        raise invalid(field, _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": max_length})
    return text


def _recent(day: dt.date, field: str) -> dt.date:
    today = localdate()
    if day > today:
        raise invalid(field, _("日期不能晚于今天"))
    if day < today - dt.timedelta(days=BACKDATE_DAYS):
        raise invalid(field, _("日期不能早于 %(n)s 天前") % {"n": BACKDATE_DAYS})
    return day


@transaction.atomic
def patrol_record(*, actor: User, grid_id: int, patrolled_on: dt.date, route: str, findings: str = "") -> Patrol:
    """巡查日志: where the patrol went and what it found (findings may be empty)."""
    grid = field_grid(actor, grid_id)
    patrol = Patrol(grid=grid, recorded_by=actor, patrolled_on=_recent(patrolled_on, "patrolled_on"),
                    route=_text(route, "route", _("巡查地点/路线"), 300),
                    findings=_text(findings, "findings", _("发现问题"), 2000, required=False))
    patrol.save()
    return patrol


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def screening_file(*, actor: User, grid_id: int, period_start: dt.date, disputes_found: int,
                   notes: str = "") -> Screening:
    """矛盾纠纷排查 for one month: 0 found is a zero report (零报告). One per grid and month;
    filed for the current month or an earlier one, never a future one."""
    grid = field_grid(actor, grid_id)
    period_start = month_start(period_start)
    if period_start > month_start(localdate()):
        raise invalid("period_start", _("不能填报未来月份的排查"))
    if not isinstance(disputes_found, int) or isinstance(disputes_found, bool) or not 0 <= disputes_found <= 9999:
        raise invalid("disputes_found", _("排查发现纠纷数应为 0 至 9999 的整数"))
    notes = _text(notes, "notes", _("排查情况"), 2000, required=disputes_found > 0)
    try:
        with transaction.atomic():
            screening = Screening(grid=grid, recorded_by=actor, period_start=period_start, filed_on=localdate(),
                                  disputes_found=disputes_found, zero_report=disputes_found == 0, notes=notes)
            screening.save()
    except IntegrityError:
        raise Conflict(_("网格「%(grid)s」%(month)s 的排查已填报") % {
            "grid": grid.name, "month": f"{period_start:%Y-%m}"}, code="screening_filed") from None
    return screening


@transaction.atomic
def hazard_record(*, actor: User, grid_id: int, inspected_on: dt.date, location: str, description: str,
                  rectify_by: dt.date) -> HazardInspection:
    """隐患排查: a hazard and the deadline to rectify it."""
    grid = field_grid(actor, grid_id)
    inspected_on = _recent(inspected_on, "inspected_on")
    if rectify_by < inspected_on:
        raise invalid("rectify_by", _("整改期限不能早于排查日期"))
    hazard = HazardInspection(grid=grid, recorded_by=actor, inspected_on=inspected_on, rectify_by=rectify_by,
                              location=_text(location, "location", _("隐患地点"), 200),
                              description=_text(description, "description", _("隐患描述"), 2000))
    hazard.save()
    return hazard


@transaction.atomic
def hazard_follow_up(*, actor: User, hazard_id: int, note: str, rectified: bool) -> HazardInspection:
    """跟进: a note on the rectification; `rectified` closes the hazard today."""
    scope = scope_for(actor)
    hazard = hazard_get(scope=scope, hazard_id=hazard_id)
    field_grid(actor, hazard.grid_id)
    if hazard.rectified_on is not None:
        raise Conflict(_("该隐患已整改完成"), code="hazard_rectified")
    today = localdate()
    hazard.follow_up = _text(note, "note", _("跟进情况"), 2000)
    hazard.followed_up_on = today
    hazard.rectified_on = today if rectified else None
    # Uses index: the primary key; rectified_on IS NULL makes it a compare-and-set.
    if not HazardInspection.objects.filter(pk=hazard.pk, rectified_on__isnull=True).update(
            follow_up=hazard.follow_up, followed_up_on=today, rectified_on=hazard.rectified_on):
        raise Conflict(_("该隐患已整改完成"), code="hazard_rectified")
    return hazard
