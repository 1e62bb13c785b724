"""The core every case write goes through: the one recipient rule, the one event builder,
the one notification writer and the one transition helper.

Used by the use-case modules of this package and by the deadline sweep (`disputes.sweep`),
so a yellow card, a dispatch and an escalation notify people by the same rule and write
timeline rows of the same shape.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from disputes import permissions
from disputes.actions import TRANSITIONS, action_label
from disputes.models import Case, CaseAssignment, CaseEvent
from disputes.services.audit_trail import events_save, region_of
from governance import clock
from governance.errors import Conflict, InvalidInput, NotFound
from governance.models import Role, User
from governance.notifications import NotificationDraft, notifications_create, notifications_send_on_commit
from governance.scoping import Scope, scope_for

# --- Who hears about an event -------------------------------------------------------------------


@dataclass(frozen=True)
class Recipients:
    """Who hears about an event — the one rule for every case notification: the window staff
    and dispatchers of centers (by region), the handlers of departments (role 办理人 in the
    department; not every account attached to it), and named users."""

    center_region_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    user_ids: tuple[int, ...] = ()

    @classmethod
    def of_assignment(cls, assignment: CaseAssignment | None) -> Recipients:
        if assignment is None:
            return cls()
        return cls.of_holder(department_id=assignment.department_id, region_id=assignment.region_id)

    @classmethod
    def of_holder(cls, *, department_id: int | None, region_id: int | None) -> Recipients:
        """The holder of an assignment: its department's handlers, else the lower center."""
        if department_id:
            return cls(department_ids=(department_id,))
        if region_id:
            return cls(center_region_ids=(region_id,))
        return cls()

    def __or__(self, other: Recipients) -> Recipients:
        return Recipients(
            self.center_region_ids + other.center_region_ids,
            self.department_ids + other.department_ids,
            self.user_ids + other.user_ids,
        )

    def __bool__(self) -> bool:
        return bool(self.center_region_ids or self.department_ids or self.user_ids)


def recipients_resolve(groups: Sequence[Recipients]) -> list[set[int]]:
    """The active user ids of each group, for any number of groups in one query."""
    regions = {r for g in groups for r in g.center_region_ids if r}
    departments = {d for g in groups for d in g.department_ids if d}
    users = {u for g in groups for u in g.user_ids if u}
    if not (regions or departments or users):
        return [set() for _group in groups]
    q = Q(pk__in=users)
    if regions:
        q |= Q(role__in=permissions.CENTER, region_id__in=regions)
    if departments:
        q |= Q(role=Role.HANDLER, department_id__in=departments)
    staff: dict[int, set[int]] = defaultdict(set)
    handlers: dict[int, set[int]] = defaultdict(set)
    found: set[int] = set()
    for user_id, role, region_id, department_id in User.objects.filter(q, is_active=True).values_list(
            "pk", "role", "region_id", "department_id"):
        found.add(user_id)
        if role in permissions.CENTER and region_id in regions:
            staff[region_id].add(user_id)
        if role == Role.HANDLER and department_id in departments:
            handlers[department_id].add(user_id)
    resolved = []
    for group in groups:
        ids = {u for u in group.user_ids if u in found}
        for region_id in group.center_region_ids:
            ids |= staff[region_id]
        for department_id in group.department_ids:
            ids |= handlers[department_id]
        resolved.append(ids)
    return resolved


# --- Notices ------------------------------------------------------------------------------------


def case_url(case_id: int) -> str:
    """The case's detail page (a plain path when the pages are not wired, e.g. a worker)."""
    try:
        return reverse("disputes:detail", args=[case_id])
    except NoReverseMatch:
        return f"/cases/{case_id}/"


@dataclass(frozen=True)
class Notice:
    """One event to tell people about: the inbox rows share `event_key`, so a re-run of the
    same event notifies nobody twice."""

    case_id: int
    kind: str
    event_id: int
    title: str
    body: str
    recipients: Recipients

    @property
    def event_key(self) -> str:
        return f"case:{self.case_id}:{self.kind}:{self.event_id}"


def notices_send(notices: Sequence[Notice], *, exclude_user_id: int | None = None) -> None:
    """Write the inbox rows of `notices` inside the caller's transaction (one user query for
    all of them) and hand them to the outbound channel only after it commits: a rolled-back
    action notifies nobody. `exclude_user_id` is the user whose action this is — including
    what the system does inside it (越级上报 at acceptance): nobody hears of their own doing."""
    notices = [n for n in notices if n.recipients]
    if not notices:
        return
    drafts = []
    for notice, user_ids in zip(notices, recipients_resolve([n.recipients for n in notices]), strict=True):
        user_ids.discard(exclude_user_id)
        link = case_url(notice.case_id)
        drafts.extend(
            NotificationDraft(recipient_id=user_id, event_key=notice.event_key, title=notice.title,
                              body=notice.body, link=link)
            for user_id in sorted(user_ids)
        )
    notifications_send_on_commit(notifications_create(drafts=drafts))


def notify(case: Case, action: str, recipients: Recipients, *, event_id: int, actor_id: int | None) -> None:
    """Tell `recipients` (less the actor) that `action` happened to `case`."""
    notices_send([Notice(case_id=case.pk, kind=action, event_id=event_id,
                         title=f"{case.number} {action_label(action)}", body=case.title, recipients=recipients)],
                 exclude_user_id=actor_id)


# --- Timeline -------------------------------------------------------------------------------------


def event_build(*, case_id: int, actor: User | None, action: str, from_state: str, to_state: str, now: dt.datetime,
                note: str = "", data: dict | None = None) -> CaseEvent:
    """An unsaved timeline row: services save it at once, the sweep inserts a batch."""
    return CaseEvent(case_id=case_id, created_at=now, actor=actor, action=action, from_state=from_state,
                     to_state=to_state, note=note, data=data or {})


# --- The one transition helper --------------------------------------------------------------------


@dataclass
class TransitionContext:
    actor: User
    scope: Scope
    case: Case
    assignment: CaseAssignment | None
    now: dt.datetime
    result: Any = None
    data: dict[str, Any] = field(default_factory=dict)


def parse_id(value: Any, label: str) -> int:
    """An id from input; anything that is not one is 'not found' (never a 500)."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise NotFound(_("未找到%(what)s") % {"what": label}) from None


def case_load(scope: Scope, case_id: Any) -> Case:
    """The case inside `scope`, with what the transition checks need; outside → NotFound."""
    case = (
        scope.filter(Case.objects.select_related("category", "owning_region"))
        .filter(pk=parse_id(case_id, _("该案件")))
        .first()
    )
    if case is None:
        raise NotFound(_("未找到该案件"))
    return case


def stale_conflict() -> Conflict:
    """Someone else changed the case first (a compare-and-set matched no row)."""
    return Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")


def required_text(value: str | None, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(message, extra={"fields": {field_name: message}})
    return text


def owning_center(ctx: TransitionContext) -> Recipients:
    return Recipients(center_region_ids=(ctx.case.owning_region_id,))


def transition(
    *,
    actor: User,
    case_id: int,
    action: str,
    version: int | None = None,
    changes: dict[str, Any] | Callable[[TransitionContext], dict[str, Any]] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    to_state: str | None = None,
    after: Callable[[TransitionContext], None] | None = None,
    recipients: Callable[[TransitionContext], Recipients] | None = None,
) -> TransitionContext:
    """Check, compare-and-set, write one event, notify after commit.

    Loads the case through the actor's scope (outside → NotFound), checks the role
    (Forbidden), the state against `TRANSITIONS` (Conflict), the version, the actor's relation
    to the case (owning center, assignee, upper level: Forbidden), then changes the row by
    compare-and-set (`UPDATE … WHERE id = … AND state = … AND version = …`; zero rows →
    Conflict "stale"). Returns the context: the updated case, the open assignment seen, and
    whatever `after` stored in `result`.
    """
    scope = scope_for(actor)
    case = case_load(scope, case_id)
    permissions.require_role(user=actor, action=action)
    spec = TRANSITIONS.get(action)
    if spec is None or not spec.allows(case.state):
        raise Conflict(
            _("案件当前状态为「%(state)s」，不能执行「%(action)s」") % {
                "state": case.get_state_display(), "action": action_label(action)},
            code="invalid_state", extra={"state": case.state, "action": action},
        )
    if version is not None and int(version) != case.version:
        raise stale_conflict()
    assignment = permissions.open_assignment(case)
    permissions.require_relation(user=actor, case=case, action=action, assignment=assignment)
    target = spec.target if to_state is None else to_state
    if not spec.leads_to(target):
        raise Conflict(_("不允许的状态变更"), code="invalid_state")

    ctx = TransitionContext(actor=actor, scope=scope, case=case, assignment=assignment, now=clock.now())
    values = changes(ctx) if callable(changes) else dict(changes or {})
    from_state = case.state
    if target is not None:
        values["state"] = target
    if values:
        # Uses index: the primary key; state and version make it a compare-and-set.
        updated = Case.objects.filter(pk=case.pk, state=from_state, version=case.version).update(
            **values, version=F("version") + 1, updated_at=ctx.now
        )
        if not updated:
            raise stale_conflict()
        for name, value in values.items():
            setattr(case, name, value)
        case.version += 1
        case.updated_at = ctx.now
    elif not Case.objects.select_for_update().filter(pk=case.pk, state=from_state).values_list("pk", flat=True):
        raise stale_conflict()
    if after is not None:
        after(ctx)
    event = event_build(
        case_id=case.pk, actor=actor, action=action, from_state=from_state, to_state=case.state,
        note=note, data={**(data or {}), **ctx.data}, now=ctx.now,
    )
    events_save([event], regions={case.pk: region_of(case)})
    if recipients is not None:
        notify(case, action, recipients(ctx), event_id=event.pk, actor_id=actor.pk)
    return ctx
