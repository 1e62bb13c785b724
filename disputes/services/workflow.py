"""The workflow transitions: accept or reject, dispatch, sign or return, handle, progress,
resolve and the callback that closes the case or sends it back (重办)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import deadlines
from disputes.models import (
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseState,
    RiskGrade,
    Step,
)
from disputes.policies import case_loop_rule
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
from disputes.services.escalation import case_escalate_by_rule
from disputes.services.joint import assist_departments, assists_close, assists_create
from disputes.services.warnings import case_warnings_enqueue
from governance.errors import Conflict, InvalidInput, NotFound
from governance.models import Department, RegionLevel, User
from governance.workdays import add_days

# --- The workflow -----------------------------------------------------------------------------------

@transaction.atomic
def case_accept(*, actor: User, case_id: int, version: int | None = None, risk_grade_id: int | None = None,
                note: str = "") -> Case:
    """受理: registered → accepted. The center now has the accept time limit to dispatch or
    handle it."""
    if risk_grade_id and not RiskGrade.objects.filter(pk=risk_grade_id).exists():
        raise InvalidInput(_("风险等级无效"), extra={"fields": {"risk_grade_id": _("风险等级无效")}})

    def changes(ctx: TransitionContext) -> dict[str, Any]:
        if risk_grade_id:  # the escalation policy (yellow threshold) follows the new grade
            ctx.case.risk_grade_id = int(risk_grade_id)
        values = {**deadlines.step_changes(ctx.case, Step.ACCEPT, ctx.now), "accepted_at": ctx.now,
                  "accept_decided_at": ctx.now, "accept_due_at": ctx.case.due_at}
        if risk_grade_id:
            values["risk_grade_id"] = int(risk_grade_id)
        return values

    ctx = transition(
        actor=actor, case_id=case_id, action="accept", version=version, changes=changes, note=note,
        data={"risk_grade_id": risk_grade_id} if risk_grade_id else None,
        recipients=lambda ctx: Recipients(user_ids=(ctx.case.registered_by_id,)),
    )
    if risk_grade_id:  # 研判 at acceptance: the risk-grade rules look again, after commit
        case_warnings_enqueue(case_id=ctx.case.pk, actor_id=actor.pk)
    # 越级上报: a policy may send this kind of case straight to a higher level at acceptance.
    if case_escalate_by_rule(case_id=ctx.case.pk, now=ctx.now, actor=actor):
        ctx.case.refresh_from_db()
    return ctx.case


@transaction.atomic
def case_reject(*, actor: User, case_id: int, reason: str, referral: str, version: int | None = None) -> Case:
    """不予受理: registered → rejected, with the reason and where the party was referred."""
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("请填写不予受理的理由")
    if not (referral or "").strip():
        errors["referral"] = _("请填写告知当事人的处理途径")
    if errors:
        raise InvalidInput(next(iter(errors.values())), extra={"fields": errors})
    return transition(
        actor=actor, case_id=case_id, action="reject", version=version,
        changes=lambda ctx: {**deadlines.clock_stopped(), "accept_decided_at": ctx.now, "accept_due_at": ctx.case.due_at},
        note=reason.strip(), data={"referral": referral.strip()},
        recipients=lambda ctx: Recipients(user_ids=(ctx.case.registered_by_id,)),
    ).case


def _dispatch_target(ctx: TransitionContext, department_id: int | None, region_id: int | None) -> dict[str, Any]:
    case = ctx.case
    if bool(department_id) == bool(region_id):
        raise InvalidInput(_("请选择一个承办单位或下级综治中心"), extra={"fields": {"department_id": _("请选择承办对象")}})
    if department_id:
        department = Department.objects.select_related("region").filter(pk=parse_id(department_id, "")).first()
        if department is None or not ctx.scope.covers(department):
            raise NotFound(_("未找到该单位"))
        if not department.is_active:
            raise InvalidInput(_("该单位已停用"), extra={"fields": {"department_id": _("该单位已停用")}})
        if getattr(case, f"{department.region.level}_id") != department.region_id:
            message = _("该单位不负责案件发生地，请选择其他单位")
            raise InvalidInput(message, extra={"fields": {"department_id": message}})
        return {"department": department}
    region = ctx.scope.region_in_scope(region_id)
    below = RegionLevel(case.owning_level).is_above(region.level)
    covers = getattr(case, f"{region.level}_id") == region.pk
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP) or not below or not covers:
        message = _("只能交办给案件发生地的下级综治中心")
        raise InvalidInput(message, extra={"fields": {"region_id": message}})
    return {"region": region}


@transaction.atomic
def case_dispatch(*, actor: User, case_id: int, department_id: int | None = None, region_id: int | None = None,
                  instructions: str = "", version: int | None = None,
                  assist_department_ids: Sequence[int] = ()) -> Case:
    """交办: accepted → dispatched to a lead department or a lower center, which must sign in
    time; with assisting units (一揽子调处), each gets its own assignment to sign and report."""
    def changes(ctx: TransitionContext) -> dict[str, Any]:
        ctx.data["target"] = _dispatch_target(ctx, department_id, region_id)
        ctx.data["assists"] = assist_departments(
            ctx, assist_department_ids, lead_department_id=parse_id(department_id, "") if department_id else None)
        return deadlines.step_changes(ctx.case, Step.SIGN, ctx.now)

    def after(ctx: TransitionContext) -> None:
        target = ctx.data.pop("target")
        try:
            with transaction.atomic():
                ctx.result = _assignment_create(ctx, instructions=(instructions or "").strip(), **target)
        except IntegrityError:
            raise Conflict(_("该案件已交办，请刷新后重试"), code="stale") from None
        assists = assists_create(ctx, ctx.data.pop("assists"), due_at=ctx.result.due_at,
                                 instructions=(instructions or "").strip())
        ctx.data.update(assignment_id=ctx.result.pk, department_id=ctx.result.department_id,
                        region_id=ctx.result.region_id)
        if assists:
            ctx.data["assist_department_ids"] = [a.department_id for a in assists]
        notify_units["assists"] = Recipients(department_ids=tuple(a.department_id for a in assists))

    notify_units: dict[str, Recipients] = {}
    return transition(
        actor=actor, case_id=case_id, action="dispatch", version=version, changes=changes, after=after,
        note=(instructions or "").strip(),
        recipients=lambda ctx: Recipients.of_assignment(ctx.result) | notify_units["assists"],
    ).case


def _assignment_create(ctx: TransitionContext, *, instructions: str, **target: Any) -> CaseAssignment:
    """A pending dispatch made now: its handling deadline as it will be if signed on the
    last day allowed (signing sets the real one), and the end of its return window."""
    case = ctx.case
    _sign, handle = deadlines.dispatch_deadlines(case, ctx.now)
    return CaseAssignment.objects.create(
        case=case, assigned_by=ctx.actor, instructions=instructions, due_at=handle.due_at if handle else None,
        return_by=_return_by(case, ctx.now), **target,
    )


def _return_by(case: Case, now: dt.datetime) -> dt.datetime | None:
    """The end of the return window of a dispatch made now (LoopPolicy), or None."""
    days = case_loop_rule(case).return_window_working_days
    return add_days(now, days, working=True).due_at if days is not None else None


def _close_assignment(ctx: TransitionContext, *, expected: str, **values: Any) -> None:
    assignment = ctx.assignment
    if assignment is None or not CaseAssignment.objects.filter(pk=assignment.pk, status=expected).update(
        **values, updated_at=ctx.now
    ):
        raise stale_conflict()
    ctx.data["assignment_id"] = assignment.pk


@transaction.atomic
def case_sign(*, actor: User, case_id: int, version: int | None = None) -> Case:
    """签收: dispatched → in_progress; the handling time limit starts now, and the dispatch's
    办理期限 becomes the step's (环节期限), so the two never disagree."""
    def after(ctx: TransitionContext) -> None:
        _close_assignment(ctx, expected=AssignmentStatus.PENDING, status=AssignmentStatus.SIGNED,
                          signed_by=ctx.actor, signed_at=ctx.now, due_at=ctx.case.due_at)

    return transition(
        actor=actor, case_id=case_id, action="sign", version=version,
        changes=lambda ctx: deadlines.step_changes(ctx.case, Step.HANDLE, ctx.now), after=after, recipients=owning_center,
    ).case


@transaction.atomic
def case_return(*, actor: User, case_id: int, reason: str, version: int | None = None) -> Case:
    """退回: dispatched → accepted with a reason; the center must dispatch again. Only within
    the return window stamped on the dispatch (LoopPolicy.return_window_working_days; 409
    after it)."""
    reason = required_text(reason, "reason", _("请填写退回理由"))

    def changes(ctx: TransitionContext) -> dict[str, Any]:
        return_by = ctx.assignment.return_by if ctx.assignment is not None else None
        if return_by is not None and ctx.now > return_by:
            raise Conflict(
                _("已超过退回时限（%(deadline)s 前可退回），请签收后办理，或联系交办中心") % {
                    "deadline": timezone.localtime(return_by).strftime("%Y-%m-%d %H:%M")},
                code="return_window_closed", extra={"return_by": return_by.isoformat()})
        return {**deadlines.step_changes(ctx.case, Step.ACCEPT, ctx.now), "return_count": ctx.case.return_count + 1}

    def after(ctx: TransitionContext) -> None:
        _close_assignment(ctx, expected=AssignmentStatus.PENDING, status=AssignmentStatus.RETURNED,
                          return_reason=reason, closed_at=ctx.now)
        # The case goes back to the center as a whole: the assisting units' parts end too.
        closed = assists_close(ctx.case, now=ctx.now, reason=reason)
        if closed:
            ctx.data["withdrawn_assignment_ids"] = closed

    return transition(
        actor=actor, case_id=case_id, action="return", version=version, changes=changes, after=after,
        note=reason, recipients=owning_center,
    ).case


@transaction.atomic
def case_handle(*, actor: User, case_id: int, note: str = "", version: int | None = None) -> Case:
    """先行调解: accepted → in_progress, handled by the owning center itself by mediation. The
    step is 调解 (Step.MEDIATE): its limit is the mediation procedure's (TimeLimitPolicy step
    "mediate"; 人民调解 normally within one month), whatever the category."""
    return transition(
        actor=actor, case_id=case_id, action="handle", version=version, note=(note or "").strip(),
        changes=lambda ctx: deadlines.step_changes(ctx.case, Step.MEDIATE, ctx.now),
    ).case


@transaction.atomic
def case_progress(*, actor: User, case_id: int, note: str) -> Case:
    """办理进展: a note on the timeline while in progress."""
    note = required_text(note, "note", _("请填写办理进展"))
    return transition(actor=actor, case_id=case_id, action="progress", note=note).case


@transaction.atomic
def case_resolve(*, actor: User, case_id: int, note: str, version: int | None = None) -> Case:
    """办结: in_progress → resolved; the center has the callback time limit to call back."""
    note = required_text(note, "note", _("请填写办理结果"))

    def changes(ctx: TransitionContext) -> dict[str, Any]:
        waiting = case_assist_assignments(ctx.case)
        if waiting:
            names = "、".join(a.department.name if a.department_id else a.region.name for a in waiting)
            raise Conflict(
                _("协办单位（%(units)s）尚未反馈，不能办结；请等待反馈，或由责任中心收回协办") % {"units": names},
                code="assist_pending", extra={"assignment_ids": [a.pk for a in waiting]})
        # 按期办结 (docs/dashboard.md): on or before the handling deadline (extensions included);
        # the deadline itself is kept for assessment's 按期办结率 (disputes.selectors.indicators).
        on_time = ctx.case.due_at is None or ctx.now <= ctx.case.due_at
        return {**deadlines.step_changes(ctx.case, Step.CALLBACK, ctx.now), "resolved_at": ctx.now,
                "resolved_on_time": on_time, "resolve_due_at": ctx.case.due_at}

    def after(ctx: TransitionContext) -> None:
        if ctx.assignment is not None:
            _close_assignment(ctx, expected=AssignmentStatus.SIGNED, status=AssignmentStatus.COMPLETED,
                              closed_at=ctx.now)

    return transition(
        actor=actor, case_id=case_id, action="resolve", version=version, note=note, after=after,
        changes=changes, recipients=owning_center,
    ).case


@transaction.atomic
def case_callback(*, actor: User, case_id: int, satisfied: bool, note: str, version: int | None = None) -> Case:
    """回访: resolved → closed when satisfied; otherwise 重办 → in_progress again (DESIGN.md §4):
    the last handling unit gets the case back as a new dispatch it cannot decline (no sign
    step, no return window; history kept) with a handling deadline from now, or, when the
    center handled it itself (先行调解), a fresh mediation limit. Made by the center that took
    the case in or by the owning center (LoopPolicy.callback_by)."""
    note = required_text(note, "note", _("请填写回访情况"))
    # Uses index: the case_id foreign key. Read before the transition picks the target; the
    # transition loads the case through the actor's scope (outside: NotFound) and locks it.
    last = None if satisfied else (
        CaseAssignment.objects.filter(case_id=parse_id(case_id, _("该案件")), status=AssignmentStatus.COMPLETED)
        .order_by("-id").first())
    redo_step = Step.HANDLE if last is not None else Step.MEDIATE

    def changes(ctx: TransitionContext) -> dict[str, Any]:
        answer = {"callback_at": ctx.now, "callback_satisfied": bool(satisfied)}
        if satisfied:
            return {**deadlines.clock_stopped(), "closed_at": ctx.now, **answer}
        return {**deadlines.step_changes(ctx.case, redo_step, ctx.now), "redo_count": ctx.case.redo_count + 1,
                "resolved_at": None, "resolved_on_time": None, **answer}

    def after(ctx: TransitionContext) -> None:
        ctx.data["satisfied"] = bool(satisfied)
        if satisfied or last is None:
            return
        try:
            with transaction.atomic():
                # Taken back at once: 已签收 at the callback, by nobody (the page says 重办).
                ctx.result = CaseAssignment.objects.create(
                    case=ctx.case, department_id=last.department_id, region_id=last.region_id,
                    assigned_by=ctx.actor, status=AssignmentStatus.SIGNED, signed_at=ctx.now,
                    due_at=ctx.case.due_at, instructions=note,
                )
        except IntegrityError:
            raise stale_conflict() from None
        ctx.data["assignment_id"] = ctx.result.pk

    def recipients(ctx: TransitionContext) -> Recipients:
        # The unit that handles it again; and the owning center when another center (the
        # one that took the case in) made the callback.
        told = Recipients.of_assignment(ctx.result)
        if ctx.case.owning_region_id != ctx.actor.region_id:
            told |= owning_center(ctx)
        return told

    return transition(
        actor=actor, case_id=case_id, action="callback", version=version, note=note, changes=changes, after=after,
        to_state=CaseState.CLOSED if satisfied else CaseState.IN_PROGRESS, recipients=recipients,
    ).case


