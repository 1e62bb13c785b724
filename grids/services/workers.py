"""Grid worker writes: assign a tenure, end it, record training. A worker's tenures on one
grid never overlap: checked here on dated ranges (the database holds one open tenure per
grid and worker, and ended_on ≥ started_on)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.clock import localdate
from governance.errors import Conflict
from governance.models import User
from governance.permissions import require
from governance.scoping import Scope, scope_for
from governance.services import audit_record
from grids.models import Employment, Grid, GridWorkerAssignment, Training
from grids.selectors import grid_get, tenure_get, tenure_overlap, worker_get
from grids.services.validation import invalid


def _audit(actor: User, action: str, tenure: GridWorkerAssignment, **detail) -> None:
    audit_record(actor=actor, action=action, target_type="grids.gridworkerassignment", target_id=tenure.pk,
                 region_id=tenure.grid.region_id, detail=detail)


def check_tenure(scope: Scope, *, grid: Grid, worker: User, employment: str, started_on: dt.date,
                 ended_on: dt.date | None = None) -> None:
    """The rules of one tenure (page, API and import alike)."""
    if employment not in Employment.values:
        raise invalid("employment", _("用工形式应为专职或兼职"))
    if not grid.is_active:
        raise Conflict(_("网格「%(grid)s」已撤销,不能安排网格员") % {"grid": grid.name}, code="grid_retired")
    if getattr(grid, worker.region.level + "_id", None) != worker.region_id:
        raise invalid("worker", _("网格「%(grid)s」不在网格员%(worker)s的管辖区划内") % {
            "grid": grid.name, "worker": worker})
    if started_on > localdate() + dt.timedelta(days=31):
        raise invalid("started_on", _("任职日期不能晚于一个月后"))
    if ended_on is not None and ended_on < started_on:
        raise invalid("ended_on", _("离任日期不能早于任职日期"))
    if ended_on is not None and ended_on > localdate():
        raise invalid("ended_on", _("离任日期不能晚于今天"))
    clash = tenure_overlap(grid_id=grid.pk, worker_id=worker.pk, started_on=started_on, ended_on=ended_on)
    if clash is not None:
        raise Conflict(_("%(worker)s在该网格已有任职(%(start)s 至 %(end)s),与本次任职时间重叠") % {
            "worker": worker, "start": clash.started_on, "end": clash.ended_on or _("今")},
            code="tenure_overlap", extra={"fields": {"started_on": _("任职时间重叠")}})


@transaction.atomic
def tenure_assign(*, actor: User, grid_id: int, worker_id: int, started_on: dt.date,
                  employment: str = Employment.FULL_TIME, ended_on: dt.date | None = None) -> GridWorkerAssignment:
    """Put a grid worker (inside the actor's jurisdiction) on a grid from `started_on`; a
    closed past tenure (ended_on given) records history."""
    scope = scope_for(actor)
    grid = grid_get(scope=scope, grid_id=grid_id)
    require(scope, "grids.manage")
    worker = worker_get(scope=scope, worker_id=worker_id)
    # Serialise tenure writes on one grid so two concurrent checks cannot both pass.
    Grid.objects.select_for_update().filter(pk=grid.pk).first()
    check_tenure(scope, grid=grid, worker=worker, employment=employment, started_on=started_on, ended_on=ended_on)
    try:
        with transaction.atomic():
            tenure = GridWorkerAssignment.objects.create(
                grid=grid, worker=worker, employment=employment, started_on=started_on, ended_on=ended_on)
    except IntegrityError:
        raise Conflict(_("该网格员在此网格已有未结束的任职"), code="tenure_overlap") from None
    _audit(actor, "grid.tenure_assign", tenure, worker_id=worker.pk, started_on=started_on.isoformat())
    return tenure


@transaction.atomic
def tenure_end(*, actor: User, tenure_id: int, ended_on: dt.date, reason: str = "") -> GridWorkerAssignment:
    """End an open tenure on `ended_on` (the last day in post)."""
    scope = scope_for(actor)
    tenure = tenure_get(scope=scope, tenure_id=tenure_id)
    require(scope, "grids.manage")
    if ended_on < tenure.started_on:
        raise invalid("ended_on", _("离任日期不能早于任职日期 %(start)s") % {"start": tenure.started_on})
    if ended_on > localdate():
        raise invalid("ended_on", _("离任日期不能晚于今天"))
    reason = (reason or "").strip()[:200]
    # Uses index: the primary key; ended_on IS NULL makes it a compare-and-set.
    if not GridWorkerAssignment.objects.filter(pk=tenure.pk, ended_on__isnull=True).update(
            ended_on=ended_on, end_reason=reason):
        raise Conflict(_("该任职已结束"), code="tenure_ended")
    tenure.ended_on, tenure.end_reason = ended_on, reason
    _audit(actor, "grid.tenure_end", tenure, ended_on=ended_on.isoformat())
    return tenure


def clean_hours(hours) -> Decimal:
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise invalid("hours", _("学时应为数字")) from None
    if not value.is_finite() or not Decimal("0.5") <= value <= Decimal("200"):
        raise invalid("hours", _("学时应在 0.5 至 200 之间"))
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def training_record(*, actor: User, worker_id: int, held_on: dt.date, topic: str, hours) -> Training:
    """A training a grid worker (inside the actor's jurisdiction) attended."""
    scope = scope_for(actor)
    worker = worker_get(scope=scope, worker_id=worker_id)
    require(scope, "grids.manage")
    topic = (topic or "").strip()
    if not topic:
        raise invalid("topic", _("请填写培训内容"))
    if len(topic) > 200:
        raise invalid("topic", _("培训内容不能超过 200 个字"))
    if held_on > localdate():
        raise invalid("held_on", _("培训日期不能晚于今天"))
    training = Training(worker=worker, held_on=held_on, topic=topic, hours=clean_hours(hours), recorded_by=actor)
    training.set_region(worker.region)
    training.save()
    return training


