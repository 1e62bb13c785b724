"""Around the workflow: extensions (延期) and their decision, supervision (督办 and its
withdrawal, 催办, 批示), the urgent flag (加急) and links between cases (关联件/重复件)."""
from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from disputes import deadlines, permissions
from disputes.models import (
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseLink,
    DayKind,
    ExtensionRequest,
    ExtensionStatus,
    Supervision,
    SupervisionKind,
    SupervisionLevel,
    WarningLevel,
)
from disputes.policies import case_loop_rule
from disputes.services.core import (
    Recipients,
    TransitionContext,
    case_load,
    owning_center,
    parse_id,
    required_text,
    transition,
)
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import User
from governance.workdays import add_days

# --- Extensions, supervision, flags, links -----------------------------------------------------------

def _require_extension_left(ctx: TransitionContext) -> None:
    """Conflict when the case already had the most extensions its loop rule allows."""
    rule = case_loop_rule(ctx.case)
    approved = ExtensionRequest.objects.filter(case_id=ctx.case.pk, status=ExtensionStatus.APPROVED).count()
    if not rule.may_extend_again(approved):
        raise Conflict(_("本案已批准延期%(n)s次，已达延期次数上限") % {"n": approved}, code="extension_limit",
                       extra={"approved": approved, "max_extensions": rule.max_extensions})


@transaction.atomic
def case_extend_request(*, actor: User, case_id: int, days: int, reason: str) -> ExtensionRequest:
    """延期申请 by the handler; one pending request per case (held by the database), each
    within the longest extension (TimeLimitPolicy step "extend") and no more approved ones
    than LoopPolicy.max_extensions (409 extension_limit)."""
    reason = required_text(reason, "reason", _("请填写延期理由"))
    try:
        days = int(days)
    except (TypeError, ValueError, OverflowError):
        days = 0

    def after(ctx: TransitionContext) -> None:
        _require_extension_left(ctx)
        # The limit is policy data per level, category and channel (TimeLimitPolicy, step
        # "extend"), and so is the kind of day it counts (信访: natural days).
        longest, kind = deadlines.extension_limit(level=ctx.case.owning_level, category=ctx.case.category,
                                                  channel=ctx.case.channel)
        if not 1 <= days <= longest:
            message = (_("延期天数应在1至%(n)s个工作日之间") if kind == DayKind.WORKING
                       else _("延期天数应在1至%(n)s个自然日之间")) % {"n": longest}
            raise InvalidInput(message, extra={"fields": {"days": message}})
        try:
            with transaction.atomic():
                ctx.result = ExtensionRequest.objects.create(
                    case=ctx.case, days=days, day_kind=kind, reason=reason, requested_by=ctx.actor
                )
        except IntegrityError:
            raise Conflict(_("已有待审批的延期申请"), code="extension_pending") from None
        ctx.data.update(extension_id=ctx.result.pk, days=days)

    return transition(
        actor=actor, case_id=case_id, action="extend", note=reason, after=after, recipients=owning_center
    ).result


@transaction.atomic
def case_extend_decide(*, actor: User, case_id: int, approve: bool, note: str = "") -> Case:
    """延期审批 by the owning center: approved moves the deadline by the requested days (of
    the request's day kind) from the current due date."""
    pending: dict[str, ExtensionRequest] = {}

    def changes(ctx: TransitionContext) -> dict[str, Any]:
        request = ExtensionRequest.objects.filter(case_id=ctx.case.pk, status=ExtensionStatus.PENDING).first()
        if request is None:
            raise Conflict(_("没有待审批的延期申请"), code="no_pending_extension")
        pending["request"] = request
        if not approve:
            return {}
        _require_extension_left(ctx)  # the rule may have changed since the request
        deadline = add_days(ctx.case.due_at or ctx.now, request.days, working=request.day_kind == DayKind.WORKING)
        yellow_at = deadlines.step_yellow_at(
            level=ctx.case.owning_level, category_id=ctx.case.category_id,
            category_parent_id=ctx.case.category.parent_id, risk_grade_id=ctx.case.risk_grade_id,
            start=ctx.case.step_started_at, due=deadline.due_at)
        urge_at = case_loop_rule(ctx.case).first_urge_at(due_at=deadline.due_at, yellow_at=yellow_at)
        return {"due_at": deadline.due_at, "due_provisional": deadline.provisional,
                "warning_level": WarningLevel.NONE, "red_at": None, "yellow_at": yellow_at, "escalate_at": None,
                "urge_at": urge_at}

    def after(ctx: TransitionContext) -> None:
        request = pending["request"]
        status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        if not ExtensionRequest.objects.filter(pk=request.pk, status=ExtensionStatus.PENDING).update(
            status=status, decided_by=ctx.actor, decided_at=ctx.now, updated_at=ctx.now
        ):
            raise Conflict(_("延期申请已被处理"), code="stale")
        ctx.data.update(extension_id=request.pk, approved=bool(approve), days=request.days)
        ctx.result = request
        if approve and ctx.assignment is not None and ctx.assignment.status == AssignmentStatus.SIGNED:
            # The handler's 办理期限 is the step's: it moves with it.
            CaseAssignment.objects.filter(pk=ctx.assignment.pk, status=AssignmentStatus.SIGNED).update(
                due_at=ctx.case.due_at, updated_at=ctx.now)

    return transition(
        actor=actor, case_id=case_id, action="extend_decide", note=(note or "").strip(), changes=changes, after=after,
        recipients=lambda ctx: Recipients(user_ids=(pending["request"].requested_by_id,)),
    ).case


def _supervision(*, actor: User, case_id: int, action: str, kind: str, level: str = "", note: str = "") -> Supervision:
    def after(ctx: TransitionContext) -> None:
        ctx.result = Supervision.objects.create(case=ctx.case, kind=kind, level=level, note=note, by=ctx.actor)
        ctx.data.update(supervision_id=ctx.result.pk, level=level)

    return transition(
        actor=actor, case_id=case_id, action=action, note=note, after=after,
        recipients=lambda ctx: owning_center(ctx) | Recipients.of_assignment(ctx.assignment),
    ).result


@transaction.atomic
def case_supervise(*, actor: User, case_id: int, level: str, note: str = "") -> Supervision:
    """督办 (普通/黄牌/红牌) by an upper center or leader."""
    if level not in SupervisionLevel.values:
        raise InvalidInput(_("督办级别无效"), extra={"fields": {"level": _("督办级别无效")}})
    return _supervision(actor=actor, case_id=case_id, action="supervise", kind=SupervisionKind.SUPERVISE,
                        level=level, note=(note or "").strip())


@transaction.atomic
def case_supervise_withdraw(*, actor: User, case_id: int, supervision_id: int, note: str = "") -> Case:
    """撤销督办: the issuer of a 督办, or a leader over the issuer's center, withdraws it (it
    stays on record, marked withdrawn). The owning center and the handler hear of it."""
    note = (note or "").strip()

    def after(ctx: TransitionContext) -> None:
        supervision = Supervision.objects.select_related("by__region").filter(
            pk=parse_id(supervision_id, _("该督办")), case_id=ctx.case.pk, kind=SupervisionKind.SUPERVISE).first()
        if supervision is None:
            raise NotFound(_("未找到该督办"))
        if supervision.withdrawn_at is not None:
            raise Conflict(_("该督办已撤销"), code="already_withdrawn")
        if not permissions.may_withdraw(ctx.actor, supervision):
            raise Forbidden(_("只有督办发起人或其上级领导可以撤销督办"), extra={"action": "supervise_withdraw"})
        if not Supervision.objects.filter(pk=supervision.pk, withdrawn_at__isnull=True).update(
                withdrawn_at=ctx.now, withdrawn_by=ctx.actor, withdraw_note=note, updated_at=ctx.now):
            raise Conflict(_("该督办已撤销"), code="already_withdrawn")
        ctx.data.update(supervision_id=supervision.pk, level=supervision.level)
        ctx.result = supervision

    return transition(
        actor=actor, case_id=case_id, action="supervise_withdraw", note=note, after=after,
        recipients=lambda ctx: owning_center(ctx) | Recipients.of_assignment(ctx.assignment),
    ).case


@transaction.atomic
def case_urge(*, actor: User, case_id: int, note: str = "") -> Supervision:
    """催办 by an upper center or leader."""
    return _supervision(actor=actor, case_id=case_id, action="urge", kind=SupervisionKind.URGE,
                        note=(note or "").strip())


@transaction.atomic
def case_instruct(*, actor: User, case_id: int, note: str) -> Supervision:
    """批示 by a leader."""
    note = required_text(note, "note", _("请填写批示内容"))
    return _supervision(actor=actor, case_id=case_id, action="instruct", kind=SupervisionKind.INSTRUCT, note=note)


@transaction.atomic
def case_set_urgent(*, actor: User, case_id: int, urgent: bool) -> Case:
    """加急 (or lift it) by a leader."""
    return transition(
        actor=actor, case_id=case_id, action="urgent", changes={"urgent": bool(urgent)},
        data={"urgent": bool(urgent)},
        recipients=lambda ctx: owning_center(ctx) | Recipients.of_assignment(ctx.assignment),
    ).case


@transaction.atomic
def case_link(*, actor: User, case_id: int, other_id: int, duplicate: bool = False) -> Case:
    """关联件 (a link) or 重复件 (this case duplicates `other_id`); both must be in scope."""
    def changes(ctx: TransitionContext) -> dict[str, Any]:
        other = case_load(ctx.scope, other_id)
        if other.pk == ctx.case.pk:
            raise InvalidInput(_("不能关联案件本身"), extra={"fields": {"other_id": _("不能关联案件本身")}})
        ctx.data.update(other_id=other.pk, duplicate=bool(duplicate))
        ctx.result = other
        return {"duplicate_of_id": other.pk} if duplicate else {}

    def after(ctx: TransitionContext) -> None:
        if not duplicate:
            CaseLink.objects.get_or_create(case=ctx.case, other=ctx.result, defaults={"created_by": ctx.actor})

    return transition(actor=actor, case_id=case_id, action="link", changes=changes, after=after).case


