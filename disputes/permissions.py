"""Who may do what to a case: one declared role map plus small object predicates.

`ACTIONS` (action → roles) is registered into governance.permissions as "disputes.<action>"
in DisputesConfig.ready(). Object predicates add the rule each kind of action needs:

- center actions (accept, reject, dispatch, handle, extend_decide, escalate): the actor
  sits at the case's owning center (`owning_region == actor.region`). A county user sees a
  township case but does not act for the township.
- callback: staff of the center that took the case in (谁受理谁回访) or of the owning center,
  as the case's LoopPolicy says (`callback_by`): a case the township reported up is still
  called back by the township.
- handler actions (sign, return, progress, resolve, mediation, extend): the actor holds the
  open assignment (a member of the assigned department, or staff of the assigned lower
  center). When the owning center handles the case itself (no assignment) its own staff
  take these steps.
- supervise / urge: a center or leader above the owning level, inside the jurisdiction.
- supervise_withdraw (撤销督办): who issued the 督办, or a leader whose jurisdiction covers the
  issuer's center (the same center's leader or one above); checked on the 督办 itself.
- instruct / urgent: a leader inside the jurisdiction.

Jurisdiction itself (scope.covers) is checked before any of this; outside it is NotFound.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from disputes.actions import ACTION_ROLES, CENTER, HANDLING, TRANSITIONS, Relation, actions_with
from disputes.models import (
    AssignmentStatus,
    Case,
    CaseAssignment,
    ExtensionRequest,
    ExtensionStatus,
    Supervision,
    SupervisionKind,
)
from disputes.policies import LoopRule, case_loop_rule
from disputes.selectors import case_assist_assignments
from disputes.selectors import case_open_assignment as open_assignment
from governance import clock
from governance.errors import Forbidden
from governance.models import RegionLevel, Role, User
from governance.scoping import scope_for

# The action → roles map and each action's relation to the case come from the action table.
ACTIONS = ACTION_ROLES
CENTER_ACTIONS = actions_with(Relation.CENTER)
# Actions the assignee takes; the owning center takes them itself when it handles the case.
ASSIGNEE_ACTIONS = actions_with(Relation.ASSIGNEE)
# Actions only the holder of a pending assignment takes.
SIGNING_ACTIONS = actions_with(Relation.SIGNER)
OVERSIGHT_ACTIONS = actions_with(Relation.OVERSIGHT)
LEADER_ACTIONS = actions_with(Relation.LEADER)
CONTRIBUTOR_ACTIONS = actions_with(Relation.CONTRIBUTOR)
CALLER_ACTIONS = actions_with(Relation.CALLER)
# Actions of an assisting unit (协办) on its own part, and the center's override of one.
ASSISTANT_ACTIONS = actions_with(Relation.ASSISTANT)
ASSIST_ACTIONS = ASSISTANT_ACTIONS | {"assist_withdraw"}
CALLBACK_ACTIONS = actions_with(Relation.CALLBACK)
ISSUER_ACTIONS = actions_with(Relation.ISSUER)


# 研判预警 and 研判报告 (docs/warnings.md): who reads them, who handles a warning (acknowledge,
# assign follow-up) and who asks for a monthly report.
WARNING_ACTIONS: dict[str, frozenset[str]] = {
    "warning_view": frozenset({Role.WINDOW_STAFF, Role.DISPATCHER, Role.LEADER}),
    "warning_handle": frozenset({Role.DISPATCHER, Role.LEADER}),
    "report_view": frozenset({Role.WINDOW_STAFF, Role.DISPATCHER, Role.LEADER}),
    "report_request": frozenset({Role.DISPATCHER, Role.LEADER}),
}


def registered_actions() -> dict[str, Iterable[str]]:
    """The map under governance.permissions names ("disputes.dispatch")."""
    return {f"disputes.{name}": roles for name, roles in {**ACTIONS, **WARNING_ACTIONS}.items()}


def holds_assignment(user: User, assignment: CaseAssignment | None) -> bool:
    if assignment is None:
        return False
    if user.role == Role.HANDLER:
        return assignment.department_id is not None and assignment.department_id == user.department_id
    if user.role in CENTER:
        return assignment.region_id is not None and assignment.region_id == user.region_id
    return False


def is_owning_center(user: User, case: Case) -> bool:
    return user.role in CENTER and case.owning_region_id == user.region_id


def may_call_back(user: User, case: Case, rule: LoopRule | None = None) -> bool:
    """Whether `user` sits at a center the case's loop rule lets call back: the center that
    took it in and/or the owning center (`case.category` loaded)."""
    if user.role not in CENTER:
        return False
    rule = rule or case_loop_rule(case)
    at_intake = case.intake_region_id is not None and case.intake_region_id == user.region_id
    return (rule.owner_may_call_back and is_owning_center(user, case)) or (rule.intake_may_call_back and at_intake)


def may_withdraw(user: User, supervision: Supervision) -> bool:
    """Whether `user` may withdraw this 督办: its issuer, or a leader whose jurisdiction covers
    the issuer's center and sits at its level or above (`supervision.by.region` loaded)."""
    if supervision.kind != SupervisionKind.SUPERVISE or supervision.withdrawn_at is not None:
        return False
    if supervision.by_id is not None and supervision.by_id == user.pk:
        return True
    issuer_region = supervision.by.region if supervision.by_id else None
    if user.role != Role.LEADER or user.region is None or issuer_region is None:
        return False
    level = RegionLevel(user.region.level)
    return getattr(issuer_region, f"{level}_id", None) == user.region_id and not RegionLevel(
        issuer_region.level).is_above(level)


def is_above_owner(user: User, case: Case) -> bool:
    region = user.region
    if region is None:
        return False
    return RegionLevel(region.level).is_above(case.owning_level)


def held_assist(user: User, assists: Iterable[CaseAssignment], status: str | None = None) -> CaseAssignment | None:
    """The open assisting assignment among `assists` that `user`'s unit holds (in `status`)."""
    for assist in assists:
        if holds_assignment(user, assist) and (status is None or assist.status == status):
            return assist
    return None


def _object_denial(user: User, case: Case, action: str, assignment: CaseAssignment | None,
                   assists: list[CaseAssignment] | None = None) -> str | None:
    """Why `user` may not take `action` on `case` (role already allowed), or None.
    `assists`: the case's open assisting assignments (loaded when needed and not given)."""
    def open_assists() -> list[CaseAssignment]:
        nonlocal assists
        if assists is None:  # loaded only when a rule needs them
            assists = case_assist_assignments(case)
        return assists

    if action == "assist_withdraw" and not open_assists():
        return _("没有进行中的协办")
    if action in ASSISTANT_ACTIONS:
        wanted = AssignmentStatus.PENDING if action == "assist_sign" else AssignmentStatus.SIGNED
        if held_assist(user, open_assists(), wanted) is not None:
            return None
        if held_assist(user, open_assists()) is not None:
            return _("协办已签收") if action == "assist_sign" else _("请先签收协办")
        return _("该案件未请您所在的单位协办")
    if action in CENTER_ACTIONS:
        if action == "extend_decide" and user.role == Role.LEADER:
            return None if case.owning_region_id == user.region_id else _("只有案件责任中心可以审批延期")
        if action == "escalate" and case.owning_level == RegionLevel.CITY:
            return _("市级已是最高层级，无法继续上报")
        return None if is_owning_center(user, case) else _("该案件由%(center)s负责，本中心不能代为办理") % {
            "center": case.owning_region.name}
    if action in ISSUER_ACTIONS:
        return None  # decided on the 督办 row (may_withdraw), by the service and the page
    if action in CALLBACK_ACTIONS:
        return None if may_call_back(user, case) else _("只有受理中心或责任中心可以回访")
    if action in SIGNING_ACTIONS:
        return None if holds_assignment(user, assignment) else _("该案件未交办给您所在的单位")
    if action in ASSIGNEE_ACTIONS:
        if assignment is not None:
            return None if holds_assignment(user, assignment) else _("该案件未交办给您所在的单位")
        return None if is_owning_center(user, case) else _("该案件由%(center)s负责，本中心不能代为办理") % {
            "center": case.owning_region.name}
    if action in OVERSIGHT_ACTIONS:
        return None if is_above_owner(user, case) else _("督办、催办只能由上级中心或领导发起")
    if action in LEADER_ACTIONS:
        return None
    if action in CONTRIBUTOR_ACTIONS:
        if case.registered_by_id == user.pk or is_owning_center(user, case) or holds_assignment(user, assignment) \
                or (user.role in HANDLING and held_assist(user, open_assists()) is not None):
            return None
        return _("只有登记人、责任中心或承办单位可以上传附件")
    if action in CALLER_ACTIONS:
        # Center staff anywhere in the jurisdiction may call the parties; a handler only
        # while the case is assigned to their unit.
        if user.role in CENTER or holds_assignment(user, assignment) or (
                user.role == Role.HANDLER and held_assist(user, open_assists()) is not None):
            return None
        return _("无权查看当事人完整信息")
    return _("当前角色无权执行此操作")


def require_role(*, user: User, action: str) -> None:
    if user.role not in ACTIONS.get(action, frozenset()):
        raise Forbidden(_("当前角色无权执行此操作"), extra={"action": action})


def require_relation(*, user: User, case: Case, action: str, assignment: CaseAssignment | None | bool = True,
                     assists: list[CaseAssignment] | None = None) -> None:
    """Raise Forbidden unless `user`'s relation to `case` (owner, assignee, upper level)
    allows `action`. The caller has already loaded `case` through the user's scope. Pass
    the open assignment when already loaded (or None when there is none) to save a query.
    """
    if assignment is True:
        assignment = open_assignment(case) if _needs_assignment(action) else None
    reason = _object_denial(user, case, action, assignment, assists)  # type: ignore[arg-type]
    if reason:
        raise Forbidden(reason, extra={"action": action})


def require_action(*, user: User, case: Case, action: str, assignment: CaseAssignment | None | bool = True,
                   assists: list[CaseAssignment] | None = None) -> None:
    """Role, then relation (see the module docstring); raises Forbidden."""
    require_role(user=user, action=action)
    require_relation(user=user, case=case, action=action, assignment=assignment, assists=assists)


def _needs_assignment(action: str) -> bool:
    return action in SIGNING_ACTIONS | ASSIGNEE_ACTIONS | CONTRIBUTOR_ACTIONS | CALLER_ACTIONS


def case_available_actions(*, user: User, case: Case, assignment: CaseAssignment | None | bool = True,
                           pending_extension: bool | None = None, approved_extensions: int | None = None,
                           supervisions: Sequence[Supervision] | None = None,
                           assists: list[CaseAssignment] | None = None) -> list[str]:
    """Action names `user` may take on `case` now (role, jurisdiction, state, relation, the
    loop rule's return window and extension count, a 督办 the user may withdraw). Pass the
    open assignment when already loaded (or None when there is none), whether an extension
    request is pending and how many were approved, the case's supervisions (with
    `by__region`) and its open assisting assignments when the caller has them, to save
    queries."""
    try:
        scope = scope_for(user)
    except Forbidden:
        return []
    if not scope.covers(case):
        return []
    candidates = [
        action for action, transition in TRANSITIONS.items()
        if transition.allows(case.state) and user.role in ACTIONS.get(action, frozenset())
    ]
    if assignment is True:
        assignment = open_assignment(case) if any(_needs_assignment(a) for a in candidates) else None
    if assists is None and any(a in ASSIST_ACTIONS for a in candidates):
        assists = case_assist_assignments(case)  # once for every assisting rule
    allowed = [a for a in candidates if _object_denial(user, case, a, assignment, assists) is None]
    if "return" in allowed and assignment is not None and assignment.return_by is not None \
            and clock.now() > assignment.return_by:
        allowed.remove("return")  # the return window closed (case_return answers 409)
    if "extend" in allowed or "extend_decide" in allowed:
        if pending_extension is None:
            pending_extension = ExtensionRequest.objects.filter(case_id=case.pk, status=ExtensionStatus.PENDING).exists()
        drop = "extend" if pending_extension else "extend_decide"
        allowed = [a for a in allowed if a != drop]
    if "extend" in allowed:
        if approved_extensions is None:
            approved_extensions = ExtensionRequest.objects.filter(
                case_id=case.pk, status=ExtensionStatus.APPROVED).count()
        if not case_loop_rule(case).may_extend_again(approved_extensions):
            allowed.remove("extend")  # the most extensions were approved (LoopPolicy.max_extensions)
    if "supervise_withdraw" in allowed:
        if supervisions is None:
            supervisions = Supervision.objects.filter(case_id=case.pk, kind=SupervisionKind.SUPERVISE).select_related(
                "by__region")
        if not any(may_withdraw(user, s) for s in supervisions):
            allowed.remove("supervise_withdraw")
    return allowed


# The actions a dashboard queue offers on its rows (督办 and 催办 open a small form there).
QUEUE_ACTIONS = ("dispatch", "supervise", "urge")


def case_queue_actions(*, user: User, case: Case) -> list[str]:
    """Of the queue's actions, those `user` may take on `case` now (role, state, relation),
    without a query: none of them depends on the case's assignments (`case.owning_region`
    loaded; `case` came through the user's scope)."""
    return [
        action for action in QUEUE_ACTIONS
        if TRANSITIONS[action].allows(case.state) and user.role in ACTIONS.get(action, frozenset())
        and _object_denial(user, case, action, None) is None
    ]
