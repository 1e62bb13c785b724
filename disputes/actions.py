"""The case actions, declared once.

Each `CaseAction` row says everything the platform needs to know about one thing a person
can do to a case: its label, the states it starts from and leads to, the roles that may take
it, the relation to the case they need, the inputs it takes (with their limits) and the
service that does it. From this one table come:

- `TRANSITIONS` (state machine, fail closed) and `ACTION_ROLES` (the permission map) here;
- the relation rules in `disputes.permissions`;
- the page forms (`disputes.action_forms.ACTION_FORMS`) and the dispatch of pages and API to
  the service (`disputes.services.action_perform`);
- the API input serializers (`disputes.serializers.ACTION_INPUT_SERIALIZERS`) and the API
  classes and routes (`disputes.api.CASE_ACTION_APIS`).

Adding an action: one row below plus its service (docs/how-to.md walks through it).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from disputes.models import (
    OPEN_STATES,
    CaseState,
    MediationOrganisation,
    MediationOutcome,
    ReferralKind,
    ReferralStatus,
    RiskGrade,
    Supervision,
    SupervisionKind,
    SupervisionLevel,
)
from governance.models import Department, Region, RegionLevel, Role

CENTER = frozenset({Role.WINDOW_STAFF, Role.DISPATCHER})
HANDLING = CENTER | {Role.HANDLER}
OVERSEERS = frozenset({Role.DISPATCHER, Role.LEADER})
# Bounds on a number of days typed into a form or sent to the API: a sanity bound against
# huge numbers. The real limit is policy data (TimeLimitPolicy, step "extend"), read by the
# service.
EXTENSION_DAYS_INPUT_MAX = 365


@dataclass(frozen=True)
class Transition:
    """What an action may do: the states it starts from and the state it leads to.

    `target` None means the state stays as it is (an event on the timeline, a flag, a
    deadline change). `alternates` are the other targets the service may choose (the
    callback's 重办 branch).
    """

    sources: frozenset[str]
    target: str | None = None
    alternates: frozenset[str] = frozenset()

    def allows(self, state: str) -> bool:
        return state in self.sources

    def leads_to(self, state: str | None) -> bool:
        return state == self.target or state in self.alternates


class Relation(StrEnum):
    """The actor's relation to the case an action needs (checked in disputes.permissions)."""

    NONE = "none"  # no case yet (register)
    CENTER = "center"  # staff of the owning center
    SIGNER = "signer"  # the holder of the pending assignment
    ASSIGNEE = "assignee"  # the holder of the open assignment; the owning center when there is none
    OVERSIGHT = "oversight"  # a center or leader above the owning level
    LEADER = "leader"  # a leader inside the jurisdiction
    CONTRIBUTOR = "contributor"  # the registrant, the owning center or the assignee
    CALLER = "caller"  # center staff in the jurisdiction, or the assignee (reveal personal data)
    ASSISTANT = "assistant"  # the holder of an open assisting assignment (协办单位)
    PUBLIC = "public"  # a resident without an account (disputes.services.public): no staff role acts so
    CALLBACK = "callback"  # staff of the center that took the case in or of the owning center (LoopPolicy)
    ISSUER = "issuer"  # who issued the 督办, or a leader over the issuer's center (checked on the row)


class Kind(StrEnum):
    TEXT = "text"  # multi-line text
    LINE = "line"  # one line of text
    INT = "int"
    BOOL = "bool"  # the page shows two labelled choices ("1"/"0")
    CHOICE = "choice"
    REF = "ref"  # the id of a row the actor may pick (`ref_choices(scope)`)
    REFS = "refs"  # several such ids (`name` ends in `_ids`; the page form names it without)
    DATETIME = "datetime"
    FILE = "file"


@dataclass(frozen=True)
class Input:
    """One input of an action: the service's keyword and the API field `name`; the page form
    names a REF `name` without its `_id` (a select of rows)."""

    name: str
    kind: Kind
    label: Promise
    required: bool = True
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: Any = None  # CHOICE: [(value, label)]; BOOL: ((true label), (false label))
    default: Any = None  # a value or a callable (the page's initial value and the API's default)
    help_text: str = ""
    textarea_rows: int = 2  # TEXT only
    hidden: bool = False  # a page field the user does not see (set by the page)
    radio: bool = False  # CHOICE/BOOL shown as radio buttons
    ref_model: str = ""  # REF: "app_label.Model"
    ref_choices: Callable[[Any], Any] | None = None  # REF: scope → queryset of choosable rows
    ref_label: Callable[[Any], str] | None = None  # REF: row → the label shown in the select
    placeholder: Promise | None = None  # LINE: the page's hint inside the box
    initial_from_case: Callable[[Any], Any] | None = None  # the page's value, from the case

    @property
    def form_name(self) -> str:
        if self.kind == Kind.REFS:
            return self.name.removesuffix("_ids") + "s"
        return self.name.removesuffix("_id") if self.kind == Kind.REF else self.name


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: Promise  # timeline, notifications, error messages (a noun: 办理进展)
    roles: frozenset[str]
    relation: Relation
    transition: Transition | None = None  # None: not a case transition (register, reveal)
    service: str = ""  # the function in disputes.services that performs it
    inputs: tuple[Input, ...] = ()
    verb: Promise | None = None  # the page's button and the API summary (a verb: 记录进展); default label
    versioned: bool = False  # carries the case version the actor saw (stale → 409)
    path: str = ""  # the API path segment (default the name)
    validate: Callable[[Mapping[str, Any]], Promise | None] | None = None  # cross-field check → message
    service_kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # inputs → service keywords
    creates: str = ""  # the output serializer of the record it creates (API 201); "" answers the case
    section: bool = False  # the detail page shows its form in its own card, not in the action list
    description: str = ""  # API description

    @property
    def button(self) -> Promise:
        return self.verb or self.label

    @property
    def api_path(self) -> str:
        return self.path or self.name

    @property
    def pascal(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))


def _version_note(text: Promise, *, required: bool = True) -> Input:
    return Input("note", Kind.TEXT, text, required=required)


# The most assisting units one dispatch may name.
ASSISTS_MAX = 10


def _dispatch_targets_exactly_one(data: Mapping[str, Any]) -> Promise | None:
    if (data.get("department_id") is None) == (data.get("region_id") is None):
        return _("请选择交办单位或下级综治中心（二选一）")
    assists = list(data.get("assist_department_ids") or [])
    if len(assists) != len(set(assists)) or (data.get("department_id") in assists):
        return _("协办单位不能重复，也不能是牵头单位")
    if len(assists) > ASSISTS_MAX:
        return _("协办单位最多%(n)s个") % {"n": ASSISTS_MAX}
    return None


def _dispatch_departments(scope):
    # Targets inside the jurisdiction; the service re-checks level and scope.
    return scope.filter(Department.objects.filter(is_active=True)).select_related("region")


def _dispatch_regions(scope):
    return scope.regions().exclude(pk=scope.region_id).filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])


def _referral_takers(scope):
    """Organisations a case of this jurisdiction may be referred to: those inside it, and those
    of the regions above it (the county court takes a township's cases)."""
    own = Region.objects.filter(pk=scope.region_id)  # subqueries: no query until the rows are read
    above = Q(region_id__in=own.values("city_id")) | Q(region_id__in=own.values("county_id")) | Q(
        region_id__in=own.values("township_id"))
    inside = Q(**{scope.column: scope.region_id})
    return MediationOrganisation.objects.filter(inside | above, is_active=True).order_by("kind", "name")


def _risk_grades(scope):
    return RiskGrade.objects.all()


def _home_committee(case) -> str:
    """The committee of the place where the case happened, as the form's first guess."""
    place = case.village or case.township
    return f"{place.name}人民调解委员会" if place else ""
def _active_supervisions(scope):
    # 督办 inside the jurisdiction not yet withdrawn; the service checks the case and the actor.
    return scope.filter(Supervision.objects.filter(kind=SupervisionKind.SUPERVISE, withdrawn_at__isnull=True),
                        via="case")


def _now_minute() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


# Where a case may be referred from its page (司法确认 goes from the agreement), and what may
# come back (named module-level: the OpenAPI schema names its enums after them).
REFER_KINDS = [(k.value, k.label) for k in ReferralKind if k != ReferralKind.JUDICIAL_CONFIRMATION]
REFERRAL_RESULTS = [(s.value, s.label) for s in ReferralStatus if s != ReferralStatus.OPEN]

_S = CaseState
_OPEN = frozenset(OPEN_STATES)
# A referral is made while the case is handled; 司法确认 also after it was resolved.
_REFERRABLE = frozenset({_S.ACCEPTED, _S.IN_PROGRESS, _S.RESOLVED})
# States in which assisting units work on their part.
_ASSISTED = frozenset({_S.DISPATCHED, _S.IN_PROGRESS})

ACTIONS: tuple[CaseAction, ...] = (
    CaseAction("register", _("登记"), CENTER | {Role.GRID_WORKER}, Relation.NONE),
    CaseAction(
        "accept", _("受理"), CENTER, Relation.CENTER, Transition(frozenset({_S.REGISTERED}), _S.ACCEPTED),
        service="case_accept", versioned=True, inputs=(
            Input("risk_grade_id", Kind.REF, _("风险等级(研判)"), required=False, ref_model="disputes.RiskGrade",
                  ref_choices=_risk_grades),
            Input("note", Kind.TEXT, _("受理意见"), required=False),
        )),
    CaseAction(
        # The same words name the state (不予受理 = "Rejected"); the action needs its own English.
        "reject", _("不予受理"), CENTER, Relation.CENTER, Transition(frozenset({_S.REGISTERED}), _S.REJECTED),
        service="case_reject", versioned=True, verb=pgettext_lazy("case action", "不予受理"), inputs=(
            Input("reason", Kind.TEXT, _("不予受理理由")),
            Input("referral", Kind.LINE, _("告知途径(引导至有权处理的机关)"), max_length=200,
                  help_text="应告知当事人的受理机关或途径"),
        )),
    CaseAction(
        "dispatch", _("交办"), CENTER, Relation.CENTER, Transition(frozenset({_S.ACCEPTED}), _S.DISPATCHED),
        service="case_dispatch", versioned=True, verb=_("交办"), validate=_dispatch_targets_exactly_one,
        description="交办（分流）给本辖区的部门，或下级综治中心", inputs=(
            Input("department_id", Kind.REF, _("交办单位"), required=False, ref_model="governance.Department",
                  ref_choices=_dispatch_departments, ref_label=lambda d: f"{d.region.name} · {d.name}"),
            Input("region_id", Kind.REF, _("或交办下级综治中心"), required=False, ref_model="governance.Region",
                  ref_choices=_dispatch_regions, help_text="交办给下级综治中心时填写区划；与 department_id 二选一"),
            Input("assist_department_ids", Kind.REFS, _("协办单位(一揽子调处)"), required=False,
                  ref_model="governance.Department", ref_choices=_dispatch_departments,
                  ref_label=lambda d: f"{d.region.name} · {d.name}",
                  help_text="联合调处：协办单位各自签收、办理并反馈，牵头单位在协办单位反馈后办结"),
            Input("instructions", Kind.TEXT, _("交办意见"), required=False),
        )),
    CaseAction(
        "sign", _("签收"), HANDLING, Relation.SIGNER, Transition(frozenset({_S.DISPATCHED}), _S.IN_PROGRESS),
        service="case_sign", versioned=True),
    CaseAction(
        "return", _("退回"), HANDLING, Relation.SIGNER, Transition(frozenset({_S.DISPATCHED}), _S.ACCEPTED),
        service="case_return", versioned=True, inputs=(Input("reason", Kind.TEXT, _("退回理由")),)),
    CaseAction(
        "assist_sign", _("协办签收"), HANDLING, Relation.ASSISTANT, Transition(_ASSISTED),
        service="case_assist_sign", verb=_("签收协办")),
    CaseAction(
        "assist_report", _("协办反馈"), HANDLING, Relation.ASSISTANT, Transition(_ASSISTED),
        service="case_assist_report", inputs=(Input("note", Kind.TEXT, _("协办情况")),)),
    CaseAction(
        # The owning center closes an assisting unit's part without its report (with a reason),
        # so the lead can resolve: the override the loop needs when a unit cannot report.
        "assist_withdraw", _("收回协办"), CENTER, Relation.CENTER, Transition(_ASSISTED),
        service="case_assist_withdraw", section=True, inputs=(
            Input("assignment_id", Kind.INT, _("协办交办"), min_value=1, hidden=True),
            Input("reason", Kind.TEXT, _("收回理由")),
        )),
    CaseAction(
        "handle", _("先行调解"), CENTER, Relation.CENTER,
        Transition(frozenset({_S.ACCEPTED}), _S.IN_PROGRESS),
        service="case_handle", versioned=True, inputs=(_version_note(_("办理说明"), required=False),)),
    CaseAction(
        "progress", _("办理进展"), HANDLING, Relation.ASSIGNEE, Transition(frozenset({_S.IN_PROGRESS})),
        service="case_progress", verb=_("记录进展"), inputs=(Input("note", Kind.TEXT, _("办理进展")),)),
    CaseAction(
        "resolve", _("办结"), HANDLING, Relation.ASSIGNEE, Transition(frozenset({_S.IN_PROGRESS}), _S.RESOLVED),
        service="case_resolve", versioned=True, inputs=(Input("note", Kind.TEXT, _("办结情况")),)),
    CaseAction(
        # Satisfied → closed; not satisfied → back to in_progress (重办): the last unit takes
        # it back at once, or the center that handled it itself mediates again.
        "callback", _("回访"), CENTER, Relation.CALLBACK,
        Transition(frozenset({_S.RESOLVED}), _S.CLOSED, frozenset({_S.IN_PROGRESS})),
        service="case_callback", versioned=True, inputs=(
            Input("satisfied", Kind.BOOL, _("回访结果"), choices=(_("满意，归档"), _("不满意，重办")), radio=True,
                  default=True, help_text="满意则归档；不满意则重办"),
            Input("note", Kind.TEXT, _("回访记录")),
        )),
    CaseAction(
        # Manual 上报: the owning level moves up, the state stays. The deadline sweep's
        # automatic escalation is a system change, not an actor's action.
        "escalate", _("上报"), CENTER, Relation.CENTER, Transition(frozenset({_S.ACCEPTED, _S.IN_PROGRESS})),
        service="case_escalate", versioned=True, verb=_("上报上级"), inputs=(Input("note", Kind.TEXT, _("上报理由")),)),
    CaseAction(
        "extend", _("申请延期"), HANDLING, Relation.ASSIGNEE, Transition(frozenset({_S.IN_PROGRESS})),
        service="case_extend_request", creates="ExtensionOutputSerializer", inputs=(
            Input("days", Kind.INT, _("延长天数"), min_value=1, max_value=EXTENSION_DAYS_INPUT_MAX,
                  help_text="不超过办理时限政策中的最长延期（默认30个工作日；信访件30个自然日）"),
            Input("reason", Kind.TEXT, _("延期理由")),
        )),
    CaseAction(
        "extend_decide", _("延期审批"), CENTER | {Role.LEADER}, Relation.CENTER, Transition(frozenset({_S.IN_PROGRESS})),
        service="case_extend_decide", inputs=(
            Input("approve", Kind.BOOL, _("审批结果"), choices=(_("批准"), _("不批准")), radio=True, default=True),
            Input("note", Kind.LINE, _("审批意见"), required=False),
        )),
    CaseAction(
        "supervise", _("督办"), OVERSEERS, Relation.OVERSIGHT, Transition(_OPEN),
        service="case_supervise", creates="SupervisionOutputSerializer", inputs=(
            Input("level", Kind.CHOICE, _("督办等级"), choices=SupervisionLevel.choices,
                  default=SupervisionLevel.NORMAL),
            Input("note", Kind.TEXT, _("督办意见"), required=False),
        )),
    CaseAction(
        # 撤销督办: the detail page offers it on each 督办 the actor may withdraw.
        "supervise_withdraw", _("撤销督办"), OVERSEERS, Relation.ISSUER, Transition(_OPEN),
        service="case_supervise_withdraw", section=True, inputs=(
            Input("supervision_id", Kind.REF, _("督办"), ref_model="disputes.Supervision",
                  ref_choices=_active_supervisions),
            Input("note", Kind.LINE, _("撤销理由"), required=False, max_length=200),
        )),
    CaseAction(
        "urge", _("催办"), OVERSEERS, Relation.OVERSIGHT, Transition(_OPEN),
        service="case_urge", creates="SupervisionOutputSerializer",
        inputs=(Input("note", Kind.LINE, _("催办说明"), required=False),)),
    CaseAction(
        "instruct", _("批示"), frozenset({Role.LEADER}), Relation.LEADER, Transition(_OPEN),
        service="case_instruct", creates="SupervisionOutputSerializer",
        inputs=(Input("note", Kind.TEXT, _("批示内容")),)),
    CaseAction(
        # The page sends the opposite of the case's flag (set by action_initial).
        "urgent", _("加急"), frozenset({Role.LEADER}), Relation.LEADER, Transition(_OPEN),
        service="case_set_urgent", inputs=(
            Input("urgent", Kind.BOOL, _("加急"), choices=(_("加急"), _("取消加急")), hidden=True,
                  initial_from_case=lambda case: "0" if case.urgent else "1"),)),
    CaseAction(
        # 关联件/重复件: a link between two cases (duplicate_of set for a 重复件). API only.
        "link", _("关联"), CENTER, Relation.CENTER, Transition(_OPEN), service="case_link", inputs=(
            Input("other_id", Kind.INT, _("关联案件"), min_value=1),
            Input("duplicate", Kind.BOOL, _("标记为重复件"), required=False, default=False,
                  help_text="true: 本案为 other_id 的重复件；false: 关联件"),
        )),
    CaseAction(
        "mediation", _("调解"), HANDLING, Relation.ASSIGNEE, Transition(frozenset({_S.ACCEPTED, _S.IN_PROGRESS})),
        service="mediation_record_fields", verb=_("调解记录"), creates="MediationOutputSerializer",
        section=True, inputs=(
            Input("mediators", Kind.LINE, _("调解员"), max_length=200, placeholder=_("多名调解员用顿号分隔"),
                  help_text="多名调解员用顿号、逗号或空格分隔；协议书上每人一条签名线"),
            Input("committee_name", Kind.LINE, _("人民调解委员会"), required=False, max_length=100,
                  initial_from_case=_home_committee,
                  help_text="调解协议书加盖其印章的人民调解委员会（人民调解法第二十九条）；达成协议时必填"),
            Input("organisation", Kind.LINE, _("参与调解单位"), required=False, max_length=100,
                  placeholder=_("如：七一路街道司法所（可不填）")),
            Input("held_at", Kind.DATETIME, _("调解时间"), default=_now_minute),
            Input("place", Kind.LINE, _("调解地点"), required=False, max_length=200),
            Input("outcome", Kind.CHOICE, _("结果"), choices=MediationOutcome.choices, required=False,
                  default=MediationOutcome.ONGOING),
            Input("record", Kind.TEXT, _("调解笔录"), required=False, textarea_rows=3),
            Input("facts", Kind.TEXT, _("主要事实、争议事项及各方责任"), required=False, textarea_rows=3),
            Input("agreement_content", Kind.TEXT, _("协议内容"), required=False, textarea_rows=3),
            Input("performance", Kind.TEXT, _("履行方式、期限"), required=False),
            Input("mediated_by_id", Kind.REF, _("调解组织(登记)"), required=False,
                  ref_model="disputes.MediationOrganisation",
                  ref_choices=lambda scope: _referral_takers(scope).exclude(kind__in=["court", "administrative"])),
            Input("joint_unit_ids", Kind.REFS, _("联合调解单位"), required=False, ref_model="governance.Department",
                  ref_choices=_dispatch_departments, ref_label=lambda d: f"{d.region.name} · {d.name}"),
        )),
    CaseAction(
        # 三调联动 / 诉调对接: to people's or administrative mediation, or the court's 诉前调解.
        "refer", _("转调"), HANDLING, Relation.ASSIGNEE, Transition(frozenset({_S.ACCEPTED, _S.IN_PROGRESS})),
        service="case_refer", verb=_("转调/诉调对接"), creates="ReferralOutputSerializer", inputs=(
            Input("kind", Kind.CHOICE, _("转调类型"), choices=REFER_KINDS),
            Input("organisation_id", Kind.REF, _("接收组织"), ref_model="disputes.MediationOrganisation",
                  ref_choices=_referral_takers),
            Input("note", Kind.TEXT, _("转办说明"), required=False),
        )),
    CaseAction(
        # 司法确认 of a mediation agreement: from the agreement's card on the detail page.
        "confirm_request", _("申请司法确认"), HANDLING, Relation.ASSIGNEE, Transition(_REFERRABLE),
        service="case_confirmation_request", creates="ReferralOutputSerializer", section=True, inputs=(
            Input("mediation_id", Kind.INT, _("调解协议"), min_value=1, hidden=True),
            Input("organisation_id", Kind.REF, _("人民法院"), ref_model="disputes.MediationOrganisation",
                  ref_choices=lambda scope: _referral_takers(scope).filter(kind="court")),
            Input("note", Kind.TEXT, _("申请说明"), required=False),
        )),
    CaseAction(
        "referral_result", _("转办结果"), HANDLING, Relation.ASSIGNEE, Transition(_REFERRABLE),
        service="case_referral_result", creates="ReferralOutputSerializer", section=True, inputs=(
            Input("outcome", Kind.CHOICE, _("结果"), choices=REFERRAL_RESULTS),
            Input("note", Kind.TEXT, _("结果说明")),
        )),
    CaseAction(
        "attachment", _("附件"), HANDLING | {Role.GRID_WORKER}, Relation.CONTRIBUTOR, Transition(_OPEN),
        service="attachment_add", verb=_("上传附件"), path="attachments", creates="AttachmentOutputSerializer",
        section=True, service_kwargs=lambda data: {"uploaded_file": data["file"]},
        inputs=(Input("file", Kind.FILE, _("附件"), help_text="multipart/form-data；类型按内容识别，大小受限"),)),
    CaseAction("reveal", _("查看完整信息"), HANDLING, Relation.CALLER),
    # The resident's own rating on the tracking page (/public/track/): a timeline label only; no
    # role, no page form, no API (disputes.services.public.case_rate_public).
    CaseAction("public_rating", _("群众评价"), frozenset(), Relation.PUBLIC),
)

ACTION_BY_NAME: dict[str, CaseAction] = {a.name: a for a in ACTIONS}
# The one transition table (DESIGN §4). Fail closed: an action not listed here, or a state
# not among an action's sources, is refused with Conflict by disputes.services.
TRANSITIONS: dict[str, Transition] = {a.name: a.transition for a in ACTIONS if a.transition is not None}
# action → roles (registered into governance.permissions as "disputes.<action>").
ACTION_ROLES: dict[str, frozenset[str]] = {a.name: a.roles for a in ACTIONS}
ACTION_LABELS: dict[str, Promise] = {a.name: a.label for a in ACTIONS}
# Timeline labels (pages and printed dossiers): the actions plus the sweep's card events.
EVENT_LABELS: dict[str, Promise] = {**ACTION_LABELS, "yellow": _("亮黄牌"), "red": _("亮红牌"),
                                     "assist_yellow": _("协办即将超期"), "assist_red": _("协办超期")}
# Actions with a page form and an API endpoint: those with a service.
PERFORMED: tuple[CaseAction, ...] = tuple(a for a in ACTIONS if a.service)
# Actions reached through a page form (link is API only: the intake page links cases).
PAGE_ACTIONS: tuple[CaseAction, ...] = tuple(a for a in PERFORMED if a.name != "link")


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def actions_with(relation: Relation) -> frozenset[str]:
    return frozenset(a.name for a in ACTIONS if a.relation == relation)
