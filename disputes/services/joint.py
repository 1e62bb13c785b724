"""一揽子调处 (joint handling): one lead unit holds the case, assisting units (协办) each sign,
do their part and report; the lead resolves once every assisting unit has reported, or the
owning center has withdrawn a unit's part with a reason (收回协办).

The assisting assignments are created by `case_dispatch` (workflow.py) through
`assists_create`; `assists_close` ends the open ones when the lead returns the case.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from disputes.actions import ASSISTS_MAX
from disputes.models import AssignmentRole, AssignmentStatus, Case, CaseAssignment
from disputes.permissions import held_assist
from disputes.selectors import case_assist_assignments
from disputes.services.core import (
    Recipients,
    TransitionContext,
    owning_center,
    parse_id,
    required_text,
    stale_conflict,
    transition,
)
from governance.errors import Conflict, InvalidInput, NotFound
from governance.models import Department, User


def assist_departments(ctx: TransitionContext, department_ids: Sequence[int], *,
                       lead_department_id: int | None) -> list[Department]:
    """The assisting units a dispatch names: distinct, not the lead, active, inside the
    actor's jurisdiction and responsible for the case's place (like the lead)."""
    ids = [parse_id(value, _("该单位")) for value in department_ids or ()]
    if len(ids) > ASSISTS_MAX:
        message = _("协办单位最多%(n)s个") % {"n": ASSISTS_MAX}
        raise InvalidInput(message, extra={"fields": {"assist_department_ids": message}})
    if len(ids) != len(set(ids)) or (lead_department_id is not None and lead_department_id in ids):
        message = _("协办单位不能重复，也不能是牵头单位")
        raise InvalidInput(message, extra={"fields": {"assist_department_ids": message}})
    found = {d.pk: d for d in Department.objects.select_related("region").filter(pk__in=ids)}
    units = []
    for pk in ids:
        department = found.get(pk)
        if department is None or not ctx.scope.covers(department):
            raise NotFound(_("未找到该单位"))
        if not department.is_active:
            message = _("协办单位「%(name)s」已停用") % {"name": department.name}
            raise InvalidInput(message, extra={"fields": {"assist_department_ids": message}})
        if getattr(ctx.case, f"{department.region.level}_id") != department.region_id:
            message = _("协办单位「%(name)s」不负责案件发生地") % {"name": department.name}
            raise InvalidInput(message, extra={"fields": {"assist_department_ids": message}})
        units.append(department)
    return units


def assists_create(ctx: TransitionContext, units: Sequence[Department], *, due_at: dt.datetime | None,
                   instructions: str) -> list[CaseAssignment]:
    """One pending assisting assignment per unit, with the lead's handling deadline."""
    try:
        with transaction.atomic():
            return CaseAssignment.objects.bulk_create([
                CaseAssignment(case=ctx.case, department=unit, role=AssignmentRole.ASSIST, assigned_by=ctx.actor,
                               due_at=due_at, instructions=instructions)
                for unit in units
            ])
    except IntegrityError:
        raise Conflict(_("该单位已在办理本案，请刷新后重试"), code="stale") from None


def assists_close(case: Case, *, now: dt.datetime, reason: str) -> list[int]:
    """End every open assisting assignment (the lead returned the case); returns their ids."""
    # Uses index: case_unit_open_once (case, department where open).
    rows = CaseAssignment.objects.filter(case_id=case.pk, role=AssignmentRole.ASSIST,
                                         status__in=(AssignmentStatus.PENDING, AssignmentStatus.SIGNED))
    ids = list(rows.values_list("pk", flat=True))
    rows.filter(pk__in=ids).update(status=AssignmentStatus.WITHDRAWN, return_reason=reason, closed_at=now,
                                   updated_at=now)
    return ids


def _own_assist(ctx: TransitionContext, status: str) -> CaseAssignment:
    assist = held_assist(ctx.actor, case_assist_assignments(ctx.case), status)
    if assist is None:
        raise stale_conflict()
    return assist


def _lead_and_center(ctx: TransitionContext) -> Recipients:
    return owning_center(ctx) | Recipients.of_assignment(ctx.assignment)


@transaction.atomic
def case_assist_sign(*, actor: User, case_id: int) -> Case:
    """协办签收: an assisting unit takes on its part of the case."""
    def after(ctx: TransitionContext) -> None:
        assist = _own_assist(ctx, AssignmentStatus.PENDING)
        if not CaseAssignment.objects.filter(pk=assist.pk, status=AssignmentStatus.PENDING).update(
                status=AssignmentStatus.SIGNED, signed_by=ctx.actor, signed_at=ctx.now, updated_at=ctx.now):
            raise stale_conflict()
        ctx.data.update(assignment_id=assist.pk, department_id=assist.department_id)

    return transition(actor=actor, case_id=case_id, action="assist_sign", after=after,
                      recipients=_lead_and_center).case


@transaction.atomic
def case_assist_report(*, actor: User, case_id: int, note: str) -> Case:
    """协办反馈: an assisting unit reports what it did; its part is done."""
    note = required_text(note, "note", _("请填写协办情况"))

    def after(ctx: TransitionContext) -> None:
        assist = _own_assist(ctx, AssignmentStatus.SIGNED)
        if not CaseAssignment.objects.filter(pk=assist.pk, status=AssignmentStatus.SIGNED).update(
                status=AssignmentStatus.COMPLETED, result=note, closed_at=ctx.now, updated_at=ctx.now):
            raise stale_conflict()
        ctx.data.update(assignment_id=assist.pk, department_id=assist.department_id)

    return transition(actor=actor, case_id=case_id, action="assist_report", note=note, after=after,
                      recipients=_lead_and_center).case


@transaction.atomic
def case_assist_withdraw(*, actor: User, case_id: int, assignment_id: int, reason: str) -> Case:
    """收回协办: the owning center ends an assisting unit's part without its report, with a
    reason (the override that lets the lead resolve)."""
    reason = required_text(reason, "reason", _("请填写收回理由"))
    pk = parse_id(assignment_id, _("该协办"))
    withdrawn: dict[str, CaseAssignment] = {}

    def after(ctx: TransitionContext) -> None:
        assist = next((a for a in case_assist_assignments(ctx.case) if a.pk == pk), None)
        if assist is None:
            raise NotFound(_("未找到进行中的该协办"))
        if not CaseAssignment.objects.filter(pk=assist.pk, status__in=(AssignmentStatus.PENDING,
                                                                       AssignmentStatus.SIGNED)).update(
                status=AssignmentStatus.WITHDRAWN, return_reason=reason, closed_at=ctx.now, updated_at=ctx.now):
            raise stale_conflict()
        withdrawn["assist"] = assist
        ctx.data.update(assignment_id=assist.pk, department_id=assist.department_id)

    return transition(
        actor=actor, case_id=case_id, action="assist_withdraw", note=reason, after=after,
        recipients=lambda ctx: Recipients.of_assignment(withdrawn["assist"]) | Recipients.of_assignment(ctx.assignment),
    ).case
