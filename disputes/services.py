"""Every write to a case: intake, the workflow transitions, and what hangs off them.

Each transition is one public function over `_transition`, which loads the case through the
actor's scope (outside → NotFound), checks the role (Forbidden), the state against
`TRANSITIONS` (Conflict), the version, the actor's relation to the case (owning center,
assignee, upper level: Forbidden), then changes the row by compare-and-set
(`UPDATE … WHERE id = … AND state = … AND version = …`; zero rows → Conflict "stale"),
writes exactly one CaseEvent and sends notifications after commit.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import filetype
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes import parties as party_data
from disputes import permissions
from disputes.models import (
    TRANSITIONS,
    AssignmentStatus,
    Attachment,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseLink,
    CaseNumberCounter,
    CaseParty,
    CaseState,
    Category,
    Channel,
    DayKind,
    ExtensionRequest,
    ExtensionStatus,
    Mediation,
    MediationOutcome,
    PartyKind,
    PartyRole,
    RiskGrade,
    Step,
    Supervision,
    SupervisionKind,
    SupervisionLevel,
    TimeLimitPolicy,
    WarningLevel,
)
from governance import clock
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import LEVEL_ORDER, Department, Region, RegionLevel, Role, User
from governance.notifications import NotificationDraft, notifications_create, notifications_send_on_commit
from governance.scoping import Scope, scope_for
from governance.services import audit_record
from governance.workdays import SHANGHAI, Deadline, add_days
from grids.models import Grid

# --- Inputs -------------------------------------------------------------------------------------


@dataclass
class PartyInput:
    role: str
    kind: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass
class CaseInput:
    title: str
    narrative: str
    category_id: int
    channel: str
    occurred_at: dt.datetime
    village_id: int
    grid_id: int | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    people_involved: int = 1
    amount_involved: Decimal | None = None
    risk_grade_id: int | None = None
    urgent: bool = False
    long_standing: bool = False


@dataclass
class MediationInput:
    mediators: str
    held_at: dt.datetime
    organisation: str = ""
    place: str = ""
    record: str = ""
    outcome: str = MediationOutcome.ONGOING
    facts: str = ""
    agreement_content: str = ""
    performance: str = ""


ACTION_LABELS = {
    "register": gettext_lazy("登记"), "accept": gettext_lazy("受理"), "reject": gettext_lazy("不予受理"), "dispatch": gettext_lazy("交办"),
    "sign": gettext_lazy("签收"), "return": gettext_lazy("退回"), "handle": gettext_lazy("先行调解(本中心办理)"), "progress": gettext_lazy("办理进展"),
    "resolve": gettext_lazy("办结"), "callback": gettext_lazy("回访"), "extend": gettext_lazy("申请延期"), "extend_decide": gettext_lazy("延期审批"),
    "supervise": gettext_lazy("督办"), "urge": gettext_lazy("催办"), "instruct": gettext_lazy("批示"), "urgent": gettext_lazy("加急"),
    "mediation": gettext_lazy("调解"), "attachment": gettext_lazy("附件"), "link": gettext_lazy("关联"), "escalate": gettext_lazy("上报"),
}
ALLOWED_ATTACHMENT_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "audio/mpeg", "audio/mp4", "audio/x-wav", "audio/amr", "video/mp4",
})
MAX_EXTENSION_DAYS = 60


# --- Deadlines ------------------------------------------------------------------------------------

def time_limit_policy(*, level: str, step: str, category: Category) -> TimeLimitPolicy | None:
    """The policy row for (level, step): the category's own, its parent's, else the default."""
    keys = [category.pk, category.parent_id, None]
    rows = {
        row.category_id: row
        for row in TimeLimitPolicy.objects.filter(level=level, step=step).filter(
            Q(category_id__in=[k for k in keys if k]) | Q(category__isnull=True)
        )
    }
    for key in keys:
        if key in rows:
            return rows[key]
    return None


def step_deadline(*, level: str, step: str, category: Category, start: dt.datetime | dt.date) -> Deadline | None:
    """The deadline of `step` started at `start`, per policy; None when no policy applies."""
    policy = time_limit_policy(level=level, step=step, category=category)
    if policy is None:
        return None
    return add_days(start, policy.days, working=policy.day_kind == DayKind.WORKING)


def step_changes(case: Case, step: str, now: dt.datetime) -> dict[str, Any]:
    """Field values for a new step starting now: its deadline, the warning cleared, and the
    sweep's yellow threshold stamped from the escalation policy that applies now."""
    # Imported here: disputes.escalation is a peer that may use this module; keep the graph acyclic.
    from disputes.escalation import step_yellow_at

    deadline = step_deadline(level=case.owning_level, step=step, category=case.category, start=now)
    due_at = deadline.due_at if deadline else None
    return {
        "step": step,
        "step_started_at": now,
        "due_at": due_at,
        "due_provisional": deadline.provisional if deadline else False,
        "warning_level": WarningLevel.NONE,
        "red_at": None,
        "yellow_at": step_yellow_at(
            level=case.owning_level, category_id=case.category_id, category_parent_id=case.category.parent_id,
            risk_grade_id=case.risk_grade_id, start=now, due=due_at),
        "escalate_at": None,
    }


def _clock_stopped() -> dict[str, Any]:
    return {"due_at": None, "due_provisional": False, "warning_level": WarningLevel.NONE, "red_at": None,
            "yellow_at": None, "escalate_at": None}


# --- Notifications --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipients:
    """Who hears about an event: center staff of regions, members of departments, users."""

    center_region_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    user_ids: tuple[int, ...] = ()

    @classmethod
    def of_assignment(cls, assignment: CaseAssignment | None) -> Recipients:
        if assignment is None:
            return cls()
        if assignment.department_id:
            return cls(department_ids=(assignment.department_id,))
        return cls(center_region_ids=(assignment.region_id,))

    def __or__(self, other: Recipients) -> Recipients:
        return Recipients(
            self.center_region_ids + other.center_region_ids,
            self.department_ids + other.department_ids,
            self.user_ids + other.user_ids,
        )

    def users(self, *, exclude_id: int | None) -> list[int]:
        q = Q(pk__in=self.user_ids)
        if self.center_region_ids:
            q |= Q(role__in=permissions.CENTER, region_id__in=self.center_region_ids)
        if self.department_ids:
            q |= Q(role=Role.HANDLER, department_id__in=self.department_ids)
        return list(User.objects.filter(q, is_active=True).exclude(pk=exclude_id).values_list("pk", flat=True))


def _case_link(case: Case) -> str:
    try:
        return reverse("disputes:detail", args=[case.pk])
    except NoReverseMatch:
        return f"/cases/{case.pk}/"


def _notify(case: Case, action: str, recipients: Recipients, *, event_id: int, actor_id: int | None) -> None:
    """Write the inbox rows for `recipients` inside the transaction, and hand them to the
    outbound channel only after it commits (a rolled-back action notifies nobody)."""
    if recipients == Recipients():
        return
    title = f"{case.number} {ACTION_LABELS.get(action, action)}"
    link = _case_link(case)
    ids = notifications_create(drafts=[
        NotificationDraft(recipient_id=user_id, event_key=f"case:{case.pk}:{action}:{event_id}", title=title,
                          body=case.title, link=link)
        for user_id in recipients.users(exclude_id=actor_id)
    ])
    notifications_send_on_commit(ids)


def _event(*, case: Case, actor: User | None, action: str, from_state: str, to_state: str, note: str = "",
           data: dict | None = None, now: dt.datetime) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, created_at=now, actor=actor, action=action, from_state=from_state, to_state=to_state,
        note=note, data=data or {},
    )


# --- The one transition helper ----------------------------------------------------------------------

@dataclass
class _Ctx:
    actor: User
    scope: Scope
    case: Case
    assignment: CaseAssignment | None
    now: dt.datetime
    result: Any = None
    data: dict[str, Any] = field(default_factory=dict)


def _id(value: Any, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(_("未找到%(what)s") % {"what": label}) from None


def _load_case(scope: Scope, case_id: Any) -> Case:
    case = (
        scope.filter(Case.objects.select_related("category", "owning_region"))
        .filter(pk=_id(case_id, _("该案件")))
        .first()
    )
    if case is None:
        raise NotFound(_("未找到该案件"))
    return case


def _transition(
    *,
    actor: User,
    case_id: int,
    action: str,
    version: int | None = None,
    changes: dict[str, Any] | Callable[[_Ctx], dict[str, Any]] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    to_state: str | None = None,
    after: Callable[[_Ctx], None] | None = None,
    recipients: Callable[[_Ctx], Recipients] | None = None,
) -> _Ctx:
    """Check, compare-and-set, write one event, notify after commit. Returns the context
    (the updated case, the open assignment seen, and whatever `after` stored in `result`)."""
    scope = scope_for(actor)
    case = _load_case(scope, case_id)
    permissions.require_role(user=actor, action=action)
    transition = TRANSITIONS.get(action)
    if transition is None or not transition.allows(case.state):
        raise Conflict(
            _("案件当前状态为「%(state)s」，不能执行「%(action)s」") % {
                "state": case.get_state_display(), "action": ACTION_LABELS.get(action, action)},
            code="invalid_state", extra={"state": case.state, "action": action},
        )
    if version is not None and int(version) != case.version:
        raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    assignment = permissions.open_assignment(case)
    permissions.require_relation(user=actor, case=case, action=action, assignment=assignment)
    target = transition.target if to_state is None else to_state
    if not transition.leads_to(target):
        raise Conflict(_("不允许的状态变更"), code="invalid_state")

    ctx = _Ctx(actor=actor, scope=scope, case=case, assignment=assignment, now=clock.now())
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
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
        for name, value in values.items():
            setattr(case, name, value)
        case.version += 1
        case.updated_at = ctx.now
    elif not Case.objects.select_for_update().filter(pk=case.pk, state=from_state).values_list("pk", flat=True):
        raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    if after is not None:
        after(ctx)
    event = _event(
        case=case, actor=actor, action=action, from_state=from_state, to_state=case.state,
        note=note, data={**(data or {}), **ctx.data}, now=ctx.now,
    )
    if recipients is not None:
        _notify(case, action, recipients(ctx), event_id=event.pk, actor_id=actor.pk)
    return ctx


def _required_text(value: str | None, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(message, extra={"fields": {field_name: message}})
    return text


def _owning_center(ctx: _Ctx) -> Recipients:
    return Recipients(center_region_ids=(ctx.case.owning_region_id,))


# --- Intake ------------------------------------------------------------------------------------------

def _next_case_number(township_code: str, day: dt.date) -> str:
    """一案一码: township code + yyyymmdd + 4-digit daily sequence.

    The sequence is taken by one `UPDATE … SET last = last + 1`, which holds the row lock to
    the end of the transaction, so concurrent registrations never draw the same number.
    """
    # One round trip: UPDATE … RETURNING (PostgreSQL, and SQLite since 3.35).
    increment = (f"UPDATE {connection.ops.quote_name(CaseNumberCounter._meta.db_table)} SET last = last + 1 "
                 "WHERE township_code = %s AND day = %s RETURNING last")
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(increment, [township_code, day])
            row = cursor.fetchone()
        if row is not None:
            return f"{township_code}{day:%Y%m%d}{row[0]:04d}"
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.get_or_create(township_code=township_code, day=day)
        except IntegrityError:
            continue  # another registration created the row first; increment it
    raise Conflict(_("案件编号生成繁忙，请稍后重试"), code="busy")


def _validated_parties(parties: Sequence[PartyInput], errors: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not parties:
        errors["parties"] = _("至少登记一名当事人")
        return rows
    for index, party in enumerate(parties):
        prefix = f"parties[{index}]"
        row: dict[str, Any] = {"role": party.role, "kind": party.kind, "name": (party.name or "").strip(),
                               "address": (party.address or "").strip()}
        if party.role not in PartyRole.values:
            errors[f"{prefix}.role"] = _("当事人类型无效")
        if party.kind not in PartyKind.values:
            errors[f"{prefix}.kind"] = _("主体类型无效")
        if not row["name"]:
            errors[f"{prefix}.name"] = _("请填写当事人姓名或名称")
        id_number = phone = ""
        try:
            if (party.id_number or "").strip():
                id_number = (party_data.organisation_code_validate(party.id_number) if party.kind == PartyKind.ORGANISATION
                             else party_data.id_number_validate(party.id_number))
        except InvalidInput as exc:
            errors[f"{prefix}.id_number"] = exc.message
        try:
            if (party.phone or "").strip():
                phone = party_data.phone_validate(party.phone)
        except InvalidInput as exc:
            errors[f"{prefix}.phone"] = exc.message
        row.update(party_data.protected_fields(id_number=id_number, phone=phone))
        rows.append(row)
    return rows


def _validated_case_fields(data: CaseInput, errors: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": (data.title or "").strip(), "narrative": (data.narrative or "").strip()}
    if not fields["title"]:
        errors["title"] = _("请填写标题")
    if not fields["narrative"]:
        errors["narrative"] = _("请填写事由")
    category = Category.objects.select_related("parent").filter(pk=data.category_id, is_active=True).first() \
        if str(data.category_id or "").isdigit() else None
    if category is None:
        errors["category_id"] = _("请选择有效的纠纷类别")
    elif category.parent_id is None and Category.objects.filter(parent_id=category.pk).exists():
        errors["category_id"] = _("请选择具体的二级类别")
    fields["category"] = category
    if data.channel not in Channel.values:
        errors["channel"] = _("来源渠道无效")
    if not isinstance(data.occurred_at, dt.datetime):
        errors["occurred_at"] = _("请填写发生时间")
    elif timezone.is_naive(data.occurred_at):
        fields["occurred_at"] = data.occurred_at.replace(tzinfo=SHANGHAI)
    else:
        fields["occurred_at"] = data.occurred_at
    if fields.get("occurred_at") and fields["occurred_at"] > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("发生时间不能晚于当前时间")
    try:
        fields["people_involved"] = int(data.people_involved)
        if fields["people_involved"] < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["people_involved"] = _("涉及人数至少为1")
    if data.amount_involved not in (None, ""):
        try:
            fields["amount_involved"] = Decimal(str(data.amount_involved))
            if fields["amount_involved"] < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["amount_involved"] = _("涉及金额无效")
    if data.risk_grade_id and not RiskGrade.objects.filter(pk=data.risk_grade_id).exists():
        errors["risk_grade_id"] = _("风险等级无效")
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = getattr(data, name)
        if value in (None, ""):
            continue
        try:
            fields[name] = Decimal(str(value)).quantize(Decimal("0.000001"))
            if abs(fields[name]) > limit:
                raise InvalidOperation
        except InvalidOperation:
            errors[name] = _("坐标无效")
    return fields


def _idempotent_result(existing: Case, actor: User) -> Case:
    if existing.registered_by_id != actor.pk:
        raise Conflict(_("提交标识已被使用"), code="duplicate_submit")
    return existing


@transaction.atomic
def case_register(
    *,
    actor: User,
    data: CaseInput,
    parties: list[PartyInput],
    submit_token: str | None = None,
    related_to_ids: Sequence[int] = (),
    duplicate_of_id: int | None = None,
) -> Case:
    """一窗受理: register a case at the actor's center. The same submit token twice returns
    the first case."""
    scope = scope_for(actor)
    permissions.require_role(user=actor, action="register")
    submit_token = (submit_token or "").strip() or None
    if submit_token:
        existing = Case.objects.filter(submit_token=submit_token).first()
        if existing is not None:
            return _idempotent_result(existing, actor)
    now = clock.now()
    village = scope.regions().filter(pk=_id(data.village_id, _("该村(社区)"))).first()
    if village is None:
        raise NotFound(_("未找到该村(社区)"))
    related_ids = {_id(i, _("该案件")) for i in related_to_ids}
    linked = list(scope.filter(Case.objects.all()).filter(pk__in=related_ids))
    if len(linked) != len(related_ids):
        raise NotFound(_("未找到关联的案件"))
    if duplicate_of_id is not None and not scope.filter(Case.objects.all()).filter(pk=_id(duplicate_of_id, "")).exists():
        raise NotFound(_("未找到重复的原案件"))

    errors: dict[str, str] = {}
    fields = _validated_case_fields(data, errors, now)
    if village.level != RegionLevel.VILLAGE:
        errors["village_id"] = _("请选择村(社区)")
    grid = None
    if data.grid_id:
        grid = Grid.objects.filter(pk=data.grid_id, region_id=village.pk, is_active=True).first()
        if grid is None:
            errors["grid_id"] = _("网格不属于所选村(社区)")
    party_rows = _validated_parties(parties, errors)
    if errors:
        raise InvalidInput(_("登记信息有误，请检查标注的项目"), extra={"fields": errors})

    actor_region = actor.region
    owning_region_id = village.township_id or village.county_id or village.city_id
    if actor_region.level in (RegionLevel.COUNTY, RegionLevel.CITY) or actor_region.pk == owning_region_id:
        owning_region = actor_region
    else:
        owning_region = Region.objects.get(pk=owning_region_id)
    channel = Channel.GRID if actor.role == Role.GRID_WORKER else data.channel
    case = Case(
        number=_next_case_number(village.code[:9], now.astimezone(SHANGHAI).date()),
        **fields,
        channel=channel,
        address=(data.address or "").strip(),
        grid=grid,
        risk_grade_id=data.risk_grade_id or None,
        urgent=bool(data.urgent),
        long_standing=bool(data.long_standing),
        state=CaseState.REGISTERED,
        owning_level=owning_region.level,
        owning_region=owning_region,
        registered_by=actor,
        submit_token=submit_token,
        duplicate_of_id=duplicate_of_id,
    )
    case.set_region(village)
    for name, value in step_changes(case, Step.ACCEPT, now).items():
        setattr(case, name, value)
    if not submit_token:
        case.save(force_insert=True)  # no race to recover from: no savepoint round trips
    else:
        try:
            with transaction.atomic():
                case.save(force_insert=True)
        except IntegrityError:
            existing = Case.objects.filter(submit_token=submit_token).first()
            if existing is None:
                raise
            return _idempotent_result(existing, actor)
    CaseParty.objects.bulk_create([CaseParty(case=case, **row) for row in party_rows])
    CaseLink.objects.bulk_create([CaseLink(case=case, other=other, created_by=actor) for other in linked])
    event = _event(
        case=case, actor=actor, action="register", from_state="", to_state=case.state, now=now,
        data={"channel": channel, "parties": len(party_rows), "related_to": [c.pk for c in linked],
              "duplicate_of": duplicate_of_id},
    )
    _notify(case, "register", Recipients(center_region_ids=(owning_region.pk,)), event_id=event.pk, actor_id=actor.pk)
    return case


# --- The workflow -----------------------------------------------------------------------------------

@transaction.atomic
def case_accept(*, actor: User, case_id: int, version: int | None = None, risk_grade_id: int | None = None,
                note: str = "") -> Case:
    """受理: registered → accepted. The center now has the accept time limit to dispatch or
    handle it."""
    if risk_grade_id and not RiskGrade.objects.filter(pk=risk_grade_id).exists():
        raise InvalidInput(_("风险等级无效"), extra={"fields": {"risk_grade_id": _("风险等级无效")}})

    def changes(ctx: _Ctx) -> dict[str, Any]:
        if risk_grade_id:  # the escalation policy (yellow threshold) follows the new grade
            ctx.case.risk_grade_id = int(risk_grade_id)
        values = {**step_changes(ctx.case, Step.ACCEPT, ctx.now), "accepted_at": ctx.now}
        if risk_grade_id:
            values["risk_grade_id"] = int(risk_grade_id)
        return values

    ctx = _transition(
        actor=actor, case_id=case_id, action="accept", version=version, changes=changes, note=note,
        data={"risk_grade_id": risk_grade_id} if risk_grade_id else None,
        recipients=lambda ctx: Recipients(user_ids=(ctx.case.registered_by_id,)),
    )
    # 越级上报: a policy may send this kind of case straight to a higher level at acceptance.
    # Imported here: disputes.escalation is a peer that may use this module; keep the graph acyclic.
    from disputes.escalation import case_escalate_by_rule

    if case_escalate_by_rule(case_id=ctx.case.pk, now=ctx.now):
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
    return _transition(
        actor=actor, case_id=case_id, action="reject", version=version, changes=_clock_stopped(),
        note=reason.strip(), data={"referral": referral.strip()},
        recipients=lambda ctx: Recipients(user_ids=(ctx.case.registered_by_id,)),
    ).case


def _dispatch_target(ctx: _Ctx, department_id: int | None, region_id: int | None) -> dict[str, Any]:
    case = ctx.case
    if bool(department_id) == bool(region_id):
        raise InvalidInput(_("请选择一个承办单位或下级综治中心"), extra={"fields": {"department_id": _("请选择承办对象")}})
    if department_id:
        department = Department.objects.select_related("region").filter(pk=_id(department_id, "")).first()
        if department is None or not ctx.scope.covers(department):
            raise NotFound(_("未找到该单位"))
        if not department.is_active:
            raise InvalidInput(_("该单位已停用"), extra={"fields": {"department_id": _("该单位已停用")}})
        if getattr(case, f"{department.region.level}_id") != department.region_id:
            message = _("该单位不负责案件发生地，请选择其他单位")
            raise InvalidInput(message, extra={"fields": {"department_id": message}})
        return {"department": department}
    region = ctx.scope.region_in_scope(region_id)
    below = LEVEL_ORDER.index(RegionLevel(region.level)) > LEVEL_ORDER.index(RegionLevel(case.owning_level))
    covers = getattr(case, f"{region.level}_id") == region.pk
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP) or not below or not covers:
        message = _("只能交办给案件发生地的下级综治中心")
        raise InvalidInput(message, extra={"fields": {"region_id": message}})
    return {"region": region}


@transaction.atomic
def case_dispatch(*, actor: User, case_id: int, department_id: int | None = None, region_id: int | None = None,
                  instructions: str = "", version: int | None = None) -> Case:
    """交办: accepted → dispatched to a department or a lower center, which must sign in time."""
    def changes(ctx: _Ctx) -> dict[str, Any]:
        ctx.data["target"] = _dispatch_target(ctx, department_id, region_id)
        return step_changes(ctx.case, Step.SIGN, ctx.now)

    def after(ctx: _Ctx) -> None:
        target = ctx.data.pop("target")
        case = ctx.case
        sign = step_deadline(level=case.owning_level, step=Step.SIGN, category=case.category, start=ctx.now)
        handle = step_deadline(level=case.owning_level, step=Step.HANDLE, category=case.category,
                               start=sign.due_date if sign else ctx.now)
        try:
            with transaction.atomic():
                ctx.result = CaseAssignment.objects.create(
                    case=case, assigned_by=ctx.actor, instructions=(instructions or "").strip(),
                    due_at=handle.due_at if handle else None, **target,
                )
        except IntegrityError:
            raise Conflict(_("该案件已交办，请刷新后重试"), code="stale") from None
        ctx.data.update(assignment_id=ctx.result.pk, department_id=ctx.result.department_id,
                        region_id=ctx.result.region_id)

    return _transition(
        actor=actor, case_id=case_id, action="dispatch", version=version, changes=changes, after=after,
        note=(instructions or "").strip(), recipients=lambda ctx: Recipients.of_assignment(ctx.result),
    ).case


def _close_assignment(ctx: _Ctx, *, expected: str, **values: Any) -> None:
    assignment = ctx.assignment
    if assignment is None or not CaseAssignment.objects.filter(pk=assignment.pk, status=expected).update(
        **values, updated_at=ctx.now
    ):
        raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    ctx.data["assignment_id"] = assignment.pk


@transaction.atomic
def case_sign(*, actor: User, case_id: int, version: int | None = None) -> Case:
    """签收: dispatched → in_progress; the handling time limit starts now."""
    def after(ctx: _Ctx) -> None:
        _close_assignment(ctx, expected=AssignmentStatus.PENDING, status=AssignmentStatus.SIGNED,
                          signed_by=ctx.actor, signed_at=ctx.now)

    return _transition(
        actor=actor, case_id=case_id, action="sign", version=version,
        changes=lambda ctx: step_changes(ctx.case, Step.HANDLE, ctx.now), after=after, recipients=_owning_center,
    ).case


@transaction.atomic
def case_return(*, actor: User, case_id: int, reason: str, version: int | None = None) -> Case:
    """退回: dispatched → accepted with a reason; the center must dispatch again."""
    reason = _required_text(reason, "reason", _("请填写退回理由"))

    def changes(ctx: _Ctx) -> dict[str, Any]:
        return {**step_changes(ctx.case, Step.ACCEPT, ctx.now), "return_count": ctx.case.return_count + 1}

    def after(ctx: _Ctx) -> None:
        _close_assignment(ctx, expected=AssignmentStatus.PENDING, status=AssignmentStatus.RETURNED,
                          return_reason=reason, closed_at=ctx.now)

    return _transition(
        actor=actor, case_id=case_id, action="return", version=version, changes=changes, after=after,
        note=reason, recipients=_owning_center,
    ).case


@transaction.atomic
def case_handle(*, actor: User, case_id: int, note: str = "", version: int | None = None) -> Case:
    """先行调解: accepted → in_progress, handled by the owning center itself."""
    return _transition(
        actor=actor, case_id=case_id, action="handle", version=version, note=(note or "").strip(),
        changes=lambda ctx: step_changes(ctx.case, Step.HANDLE, ctx.now),
    ).case


@transaction.atomic
def case_progress(*, actor: User, case_id: int, note: str) -> Case:
    """办理进展: a note on the timeline while in progress."""
    note = _required_text(note, "note", _("请填写办理进展"))
    return _transition(actor=actor, case_id=case_id, action="progress", note=note).case


@transaction.atomic
def case_resolve(*, actor: User, case_id: int, note: str, version: int | None = None) -> Case:
    """办结: in_progress → resolved; the center has the callback time limit to call back."""
    note = _required_text(note, "note", _("请填写办理结果"))

    def after(ctx: _Ctx) -> None:
        if ctx.assignment is not None:
            _close_assignment(ctx, expected=AssignmentStatus.SIGNED, status=AssignmentStatus.COMPLETED,
                              closed_at=ctx.now)

    return _transition(
        actor=actor, case_id=case_id, action="resolve", version=version, note=note, after=after,
        changes=lambda ctx: {**step_changes(ctx.case, Step.CALLBACK, ctx.now), "resolved_at": ctx.now},
        recipients=_owning_center,
    ).case


@transaction.atomic
def case_callback(*, actor: User, case_id: int, satisfied: bool, note: str, version: int | None = None) -> Case:
    """回访: resolved → closed when satisfied; otherwise → in_progress again (重办), with the
    last handling unit reassigned (history kept) and a fresh handling deadline."""
    note = _required_text(note, "note", _("请填写回访情况"))
    reopened: dict[str, CaseAssignment | None] = {}

    def changes(ctx: _Ctx) -> dict[str, Any]:
        if satisfied:
            return {**_clock_stopped(), "closed_at": ctx.now}
        reopened["last"] = (
            CaseAssignment.objects.filter(case_id=ctx.case.pk, status=AssignmentStatus.COMPLETED).order_by("-id").first()
        )
        return {**step_changes(ctx.case, Step.HANDLE, ctx.now), "redo_count": ctx.case.redo_count + 1,
                "resolved_at": None}

    def after(ctx: _Ctx) -> None:
        ctx.data["satisfied"] = bool(satisfied)
        last = reopened.get("last")
        if satisfied or last is None:
            return
        try:
            with transaction.atomic():
                ctx.result = CaseAssignment.objects.create(
                    case=ctx.case, department_id=last.department_id, region_id=last.region_id,
                    assigned_by=ctx.actor, status=AssignmentStatus.SIGNED, signed_at=ctx.now,
                    due_at=ctx.case.due_at, instructions=note,
                )
        except IntegrityError:
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale") from None
        ctx.data["assignment_id"] = ctx.result.pk

    return _transition(
        actor=actor, case_id=case_id, action="callback", version=version, note=note, changes=changes, after=after,
        to_state=CaseState.CLOSED if satisfied else CaseState.IN_PROGRESS,
        recipients=lambda ctx: Recipients.of_assignment(ctx.result),
    ).case


# --- Extensions, supervision, flags, links -----------------------------------------------------------

@transaction.atomic
def case_extend_request(*, actor: User, case_id: int, days: int, reason: str) -> ExtensionRequest:
    """延期申请 by the handler; one pending request per case (held by the database)."""
    reason = _required_text(reason, "reason", _("请填写延期理由"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        message = _("延期天数应在1至%(n)s个工作日之间") % {"n": MAX_EXTENSION_DAYS}
        raise InvalidInput(message, extra={"fields": {"days": message}})

    def after(ctx: _Ctx) -> None:
        try:
            with transaction.atomic():
                ctx.result = ExtensionRequest.objects.create(
                    case=ctx.case, days=days, reason=reason, requested_by=ctx.actor
                )
        except IntegrityError:
            raise Conflict(_("已有待审批的延期申请"), code="extension_pending") from None
        ctx.data.update(extension_id=ctx.result.pk, days=days)

    return _transition(
        actor=actor, case_id=case_id, action="extend", note=reason, after=after, recipients=_owning_center
    ).result


@transaction.atomic
def case_extend_decide(*, actor: User, case_id: int, approve: bool, note: str = "") -> Case:
    """延期审批 by the owning center: approved moves the deadline by the requested working
    days from the current due date."""
    pending: dict[str, ExtensionRequest] = {}

    def changes(ctx: _Ctx) -> dict[str, Any]:
        request = ExtensionRequest.objects.filter(case_id=ctx.case.pk, status=ExtensionStatus.PENDING).first()
        if request is None:
            raise Conflict(_("没有待审批的延期申请"), code="no_pending_extension")
        pending["request"] = request
        if not approve:
            return {}
        deadline = add_days(ctx.case.due_at or ctx.now, request.days, working=True)
        from disputes.escalation import step_yellow_at  # acyclic, as in step_changes

        yellow_at = step_yellow_at(
            level=ctx.case.owning_level, category_id=ctx.case.category_id,
            category_parent_id=ctx.case.category.parent_id, risk_grade_id=ctx.case.risk_grade_id,
            start=ctx.case.step_started_at, due=deadline.due_at)
        return {"due_at": deadline.due_at, "due_provisional": deadline.provisional,
                "warning_level": WarningLevel.NONE, "red_at": None, "yellow_at": yellow_at, "escalate_at": None}

    def after(ctx: _Ctx) -> None:
        request = pending["request"]
        status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        if not ExtensionRequest.objects.filter(pk=request.pk, status=ExtensionStatus.PENDING).update(
            status=status, decided_by=ctx.actor, decided_at=ctx.now, updated_at=ctx.now
        ):
            raise Conflict(_("延期申请已被处理"), code="stale")
        ctx.data.update(extension_id=request.pk, approved=bool(approve), days=request.days)
        ctx.result = request

    return _transition(
        actor=actor, case_id=case_id, action="extend_decide", note=(note or "").strip(), changes=changes, after=after,
        recipients=lambda ctx: Recipients(user_ids=(pending["request"].requested_by_id,)),
    ).case


def _supervision(*, actor: User, case_id: int, action: str, kind: str, level: str = "", note: str = "") -> Supervision:
    def after(ctx: _Ctx) -> None:
        ctx.result = Supervision.objects.create(case=ctx.case, kind=kind, level=level, note=note, by=ctx.actor)
        ctx.data.update(supervision_id=ctx.result.pk, level=level)

    return _transition(
        actor=actor, case_id=case_id, action=action, note=note, after=after,
        recipients=lambda ctx: _owning_center(ctx) | Recipients.of_assignment(ctx.assignment),
    ).result


@transaction.atomic
def case_supervise(*, actor: User, case_id: int, level: str, note: str = "") -> Supervision:
    """督办 (普通/黄牌/红牌) by an upper center or leader."""
    if level not in SupervisionLevel.values:
        raise InvalidInput(_("督办级别无效"), extra={"fields": {"level": _("督办级别无效")}})
    return _supervision(actor=actor, case_id=case_id, action="supervise", kind=SupervisionKind.SUPERVISE,
                        level=level, note=(note or "").strip())


@transaction.atomic
def case_urge(*, actor: User, case_id: int, note: str = "") -> Supervision:
    """催办 by an upper center or leader."""
    return _supervision(actor=actor, case_id=case_id, action="urge", kind=SupervisionKind.URGE,
                        note=(note or "").strip())


@transaction.atomic
def case_instruct(*, actor: User, case_id: int, note: str) -> Supervision:
    """批示 by a leader."""
    note = _required_text(note, "note", _("请填写批示内容"))
    return _supervision(actor=actor, case_id=case_id, action="instruct", kind=SupervisionKind.INSTRUCT, note=note)


@transaction.atomic
def case_set_urgent(*, actor: User, case_id: int, urgent: bool) -> Case:
    """加急 (or lift it) by a leader."""
    return _transition(
        actor=actor, case_id=case_id, action="urgent", changes={"urgent": bool(urgent)},
        data={"urgent": bool(urgent)},
        recipients=lambda ctx: _owning_center(ctx) | Recipients.of_assignment(ctx.assignment),
    ).case


@transaction.atomic
def case_link(*, actor: User, case_id: int, other_id: int, duplicate: bool = False) -> Case:
    """关联件 (a link) or 重复件 (this case duplicates `other_id`); both must be in scope."""
    def changes(ctx: _Ctx) -> dict[str, Any]:
        other = _load_case(ctx.scope, other_id)
        if other.pk == ctx.case.pk:
            raise InvalidInput(_("不能关联案件本身"), extra={"fields": {"other_id": _("不能关联案件本身")}})
        ctx.data.update(other_id=other.pk, duplicate=bool(duplicate))
        ctx.result = other
        return {"duplicate_of_id": other.pk} if duplicate else {}

    def after(ctx: _Ctx) -> None:
        if not duplicate:
            CaseLink.objects.get_or_create(case=ctx.case, other=ctx.result, defaults={"created_by": ctx.actor})

    return _transition(actor=actor, case_id=case_id, action="link", changes=changes, after=after).case


# --- Mediation and attachments -------------------------------------------------------------------------

@transaction.atomic
def mediation_record(*, actor: User, case_id: int, data: MediationInput) -> Mediation:
    """调解记录 (and the agreement when reached), by whoever is handling the case."""
    errors = {}
    if not (data.mediators or "").strip():
        errors["mediators"] = _("请填写调解员")
    if not isinstance(data.held_at, dt.datetime):
        errors["held_at"] = _("请填写调解时间")
    elif data.held_at > clock.now() + dt.timedelta(minutes=5):
        errors["held_at"] = _("调解时间不能晚于当前时间")
    if data.outcome not in MediationOutcome.values:
        errors["outcome"] = _("调解结果无效")
    if data.outcome == MediationOutcome.AGREEMENT and not (data.agreement_content or "").strip():
        errors["agreement_content"] = _("达成协议时请填写协议内容")
    if errors:
        raise InvalidInput(next(iter(errors.values())), extra={"fields": errors})

    def after(ctx: _Ctx) -> None:
        ctx.result = Mediation.objects.create(
            case=ctx.case, mediators=data.mediators.strip(), organisation=data.organisation.strip(),
            held_at=data.held_at, place=data.place.strip(), record=data.record, outcome=data.outcome,
            facts=data.facts, agreement_content=data.agreement_content, performance=data.performance,
            created_by=ctx.actor,
        )
        ctx.data.update(mediation_id=ctx.result.pk, outcome=data.outcome)

    return _transition(actor=actor, case_id=case_id, action="mediation", after=after).result


@transaction.atomic
def attachment_add(*, actor: User, case_id: int, uploaded_file) -> Attachment:
    """Attach a file; the type is decided by content (not the name), within the size limit."""
    size = uploaded_file.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        message = _("文件过大，最大%(mb)sMB") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        raise InvalidInput(message, extra={"fields": {"file": message}})
    uploaded_file.seek(0)
    kind = filetype.guess(uploaded_file.read(8192))
    uploaded_file.seek(0)
    if size == 0 or kind is None or kind.mime not in ALLOWED_ATTACHMENT_TYPES:
        message = _("不支持的文件类型，请上传图片、PDF、Word/Excel文档或音视频")
        raise InvalidInput(message, extra={"fields": {"file": message}})
    original_name = (getattr(uploaded_file, "name", "") or "")[-200:] or f"file.{kind.extension}"
    stored: list[Attachment] = []

    def after(ctx: _Ctx) -> None:
        uploaded_file.name = f"{uuid.uuid4().hex}.{kind.extension}"
        ctx.result = Attachment.objects.create(
            case=ctx.case, file=uploaded_file, original_name=original_name, content_type=kind.mime, size=size,
            uploaded_by=ctx.actor,
        )
        stored.append(ctx.result)
        ctx.data.update(attachment_id=ctx.result.pk, name=original_name)

    try:
        return _transition(actor=actor, case_id=case_id, action="attachment", after=after).result
    except BaseException:
        # The row rolls back with the transaction; the file written to storage does not.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


# --- Personal data -------------------------------------------------------------------------------------

@transaction.atomic
def party_reveal(*, actor: User, party_id: int, field: str, ip_address: str | None = None) -> str:
    """The full ID number or phone of a party, for roles that need it; every view is audited."""
    scope = scope_for(actor)
    party = (
        scope.filter(CaseParty.objects.select_related("case", "case__owning_region"), via="case")
        .filter(pk=_id(party_id, _("该当事人")))
        .first()
    )
    if party is None:
        raise NotFound(_("未找到该当事人"))
    if field not in ("id_number", "phone"):
        raise InvalidInput(_("只能查看证件号码或联系电话"), extra={"fields": {"field": _("无效字段")}})
    try:
        permissions.require_action(user=actor, case=party.case, action="reveal")
    except Forbidden:
        raise Forbidden(_("无权查看当事人完整信息"), extra={"action": "reveal"}) from None
    token = getattr(party, f"{field}_enc")
    if not token:
        raise NotFound(_("该当事人未登记此项信息"))
    value = party_data.decrypt(token)
    audit_record(
        actor=actor, action="party.reveal", target_type="disputes.caseparty", target_id=party.pk,
        region_id=party.case.village_id, ip_address=ip_address,
        detail={"field": field, "case_id": party.case_id, "case_number": party.case.number},
    )
    return value
