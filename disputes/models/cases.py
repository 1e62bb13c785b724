"""Cases (矛盾纠纷/事件) and everything that hangs off them.

State changes happen only in disputes/services/ (transitions, escalation) and disputes/sweep.py
(the deadline sweep); the timeline (`CaseEvent`) is append-only. See docs/case-lifecycle.md.
"""
from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.inputs import COUNT_MAX, validate_occurrence
from governance.models import BaseModel, Department, Region, RegionLevel, RegionPathModel
from grids.models import Grid


class CaseState(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已受理(待分流)")
    DISPATCHED = "dispatched", _("已交办(待签收)")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结(待回访)")
    CLOSED = "closed", _("已归档")
    REJECTED = "rejected", _("不予受理")


OPEN_STATES = frozenset(
    {CaseState.REGISTERED, CaseState.ACCEPTED, CaseState.DISPATCHED, CaseState.IN_PROGRESS, CaseState.RESOLVED}
)
CLOCK_STOPPED = frozenset({CaseState.CLOSED, CaseState.REJECTED})  # no step left (no 当前环节 to show)
# States whose clock can run out (a step with a deadline the center is waiting on).
TIMED_STATES = frozenset({CaseState.REGISTERED, CaseState.ACCEPTED, CaseState.DISPATCHED, CaseState.IN_PROGRESS})


class Channel(models.TextChoices):
    VISIT = "visit", _("来访")
    PHONE = "phone", _("来电")
    GRID = "grid", _("网格上报")
    ONLINE = "online", _("网上")
    HOTLINE = "hotline", _("12345转办")
    DEPARTMENT = "department", _("部门移交")
    SUPERIOR = "superior", _("上级交办")
    PETITION = "petition", _("信访")  # 信访事项: TimeLimitPolicy rows of this channel (信访工作条例)


class WarningLevel(models.TextChoices):
    NONE = "none", _("正常")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class DayKind(models.TextChoices):
    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


class Step(models.TextChoices):
    """The step a deadline belongs to (TimeLimitPolicy.step)."""

    ACCEPT = "accept", _("受理")
    SIGN = "sign", _("签收")
    HANDLE = "handle", _("办理")
    MEDIATE = "mediate", _("调解")  # the center's own 先行调解 (人民调解: normally within a month)
    CALLBACK = "callback", _("回访")
    # Not steps a case is in: the longest extension one request may ask for (延期上限), and
    # the time limits of a referral (转调/诉前调解) and of a court's 司法确认.
    EXTEND = "extend", _("延期上限")
    REFERRAL = "referral", _("转调办理")
    CONFIRMATION = "confirm", _("司法确认")


# Open cases carrying a yellow or red card (partial-index condition).
_CARDED = Q(state__in=sorted(s.value for s in OPEN_STATES)) & ~Q(warning_level="none")
_OPEN = Q(state__in=["registered", "accepted", "dispatched", "in_progress", "resolved"])  # partial-index condition


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def timed(self):
        return self.filter(state__in=TIMED_STATES)


class CategoryKind(models.TextChoices):
    """What a category describes. A dispute is between parties, so a case needs at least one;
    an incident or hazard (a broken street light, pollution) may have none (docs/field-reports.md)."""

    DISPUTE = "dispute", _("矛盾纠纷")
    INCIDENT = "incident", _("事件/隐患")


class Category(BaseModel):
    """Two-level dispute taxonomy (seeded from DOMAIN.md, editable by administrators).

    `standard_code` maps to GB/T 31000 code tables once they are available. `kind` decides
    whether a case of this category needs a party (a leaf's own kind counts).
    """

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    standard_code = models.CharField(_("标准代码映射"), max_length=20, blank=True)
    kind = models.CharField(_("性质"), max_length=16, choices=CategoryKind.choices, default=CategoryKind.DISPUTE)
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("纠纷类别")
        verbose_name_plural = _("纠纷类别")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class RiskGrade(BaseModel):
    """A risk grade of the locality's chosen scheme (红/橙/黄/蓝 or 高/中/低), as data."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    color = models.CharField(_("颜色"), max_length=20, default="blue")
    rank = models.PositiveSmallIntegerField(_("严重程度"), default=0, help_text=_("数值越大越严重"))
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-rank"]
        verbose_name = _("风险等级")
        verbose_name_plural = _("风险等级")

    def __str__(self) -> str:
        return self.name


class Case(RegionPathModel):
    """One dispute or incident, one number for its whole life (一案一码).

    The region path (city/county/township/village) is where it happened and decides who may
    see it; `owning_level`/`owning_region` is the center currently responsible, which moves
    up on escalation. `version` is bumped on every state change (optimistic concurrency).
    """

    number = models.CharField(_("案件编号"), max_length=30, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    narrative = models.TextField(_("事由"))
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    occurred_at = models.DateTimeField(_("发生时间"), validators=[validate_occurrence])
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    people_involved = models.PositiveIntegerField(_("涉及人数"), default=1, validators=[MaxValueValidator(COUNT_MAX)])
    amount_involved = models.DecimalField(_("涉及金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    risk_grade = models.ForeignKey(RiskGrade, verbose_name=_("风险等级"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    urgent = models.BooleanField(_("加急"), default=False)
    long_standing = models.BooleanField(_("历史遗留"), default=False)
    # 民转刑风险: the clerk's judgement that the dispute may turn into a crime (研判预警).
    criminal_risk = models.BooleanField(_("民转刑风险"), default=False, db_default=False)

    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=CaseState.REGISTERED)
    owning_level = models.CharField(_("责任层级"), max_length=10, choices=RegionLevel.choices)
    owning_region = models.ForeignKey(Region, verbose_name=_("责任中心"), on_delete=models.PROTECT, related_name="owned_cases")
    # The owning center at registration; it stays when the case moves up (谁受理谁回访, LoopPolicy).
    intake_region = models.ForeignKey(Region, verbose_name=_("受理中心"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    step = models.CharField(_("当前环节"), max_length=10, choices=Step.choices, default=Step.ACCEPT)
    step_started_at = models.DateTimeField(_("环节开始"), null=True, blank=True)
    due_at = models.DateTimeField(_("环节期限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限待定"), default=False, help_text=_("跨越尚未公布的节假日安排"))
    warning_level = models.CharField(_("预警"), max_length=10, choices=WarningLevel.choices, default=WarningLevel.NONE)
    red_at = models.DateTimeField(_("亮红牌时间"), null=True, blank=True)
    # Sweep thresholds, stamped when a step starts (yellow from the EscalationPolicy, the next
    # automatic 催办 from the LoopPolicy) and when the red card is set (escalation); see disputes.deadlines.
    yellow_at = models.DateTimeField(_("黄牌预警时间"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("超期上报时间"), null=True, blank=True)
    urge_at = models.DateTimeField(_("自动催办时间"), null=True, blank=True)

    return_count = models.PositiveIntegerField(_("退回次数"), default=0)
    redo_count = models.PositiveIntegerField(_("重办次数"), default=0)
    duplicate_of = models.ForeignKey("self", verbose_name=_("重复件"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")

    # Empty for a case a resident submitted online (PublicSubmission): nobody registered it.
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="registered_cases")
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Stamped for assessment (docs/assessment.md): when the case was accepted or rejected and
    # the acceptance deadline then in force (受理及时率), and the handling deadline in force
    # when it was resolved (按期办结率; approved extensions included). The step's own `due_at`
    # moves on to the next step, so these keep what the indicators are measured against.
    accept_decided_at = models.DateTimeField(_("受理决定时间"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("受理期限"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("办结时的办理期限"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Stamped by case_resolve / case_callback for the dashboard's rates (docs/dashboard.md).
    resolved_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    # A submit token from the intake form / API Idempotency-Key: one case per submit.
    submit_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # A transfer from another system (a 12345 hotline work order): its number there, unique per
    # channel (a second transfer of the same order returns this case), and the deadline that
    # system set, shown beside the platform's own step deadlines (which still apply).
    # db_default too: rows written by raw SQL or COPY (the benchmark's city) leave it empty.
    external_id = models.CharField(_("外部工单号"), max_length=64, blank=True, default="", db_default="")
    external_due_at = models.DateTimeField(_("来源方办结时限"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    # Not a column: case_register sets it on a case it returns for a repeated submit token or
    # work order (the API answers 200 for it, 201 for a case it created).
    replayed = False

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        indexes = [
            # Uses: township/county/city inbox and list filtered by state, sorted by due date.
            models.Index(fields=["township", "state", "due_at"], name="case_township_state_due"),
            models.Index(fields=["county", "state", "due_at"], name="case_county_state_due"),
            models.Index(fields=["city", "state", "due_at"], name="case_city_state_due"),
            models.Index(fields=["township", "created_at"], name="case_township_created"),
            models.Index(fields=["county", "created_at"], name="case_county_created"),
            # Uses: the deadline sweep (open, timed cases by due date).
            models.Index(fields=["due_at"], name="case_timed_due", condition=Q(state__in=[
                "registered", "accepted", "dispatched", "in_progress"])),
            # Uses: the deadline sweep, one partial index per card transition (an empty sweep
            # is three index probes): yellow due, red due (deadline passed), escalation due.
            models.Index(fields=["yellow_at"], name="case_sweep_yellow", condition=Q(state__in=[
                "registered", "accepted", "dispatched", "in_progress"], warning_level="none")),
            models.Index(fields=["due_at"], name="case_sweep_red", condition=Q(state__in=[
                "registered", "accepted", "dispatched", "in_progress"], warning_level__in=["none", "yellow"])),
            models.Index(fields=["escalate_at"], name="case_sweep_escalate", condition=Q(state__in=[
                "registered", "accepted", "dispatched", "in_progress"], warning_level="red")),
            # Uses: the sweep's automatic 催办 (urge_at passed).
            models.Index(fields=["urge_at"], name="case_sweep_urge", condition=Q(state__in=[
                "registered", "accepted", "dispatched", "in_progress"])),
            models.Index(fields=["owning_region", "state"], name="case_owner_state"),
            models.Index(fields=["village", "category", "created_at"], name="case_village_cat_created"),
            # Uses: dashboard red/yellow card list (disputes.stats), only carded open cases.
            models.Index(fields=["city", "warning_level", "due_at"], name="case_city_warning_due", condition=_CARDED),
            models.Index(fields=["county", "warning_level", "due_at"], name="case_county_warning_due",
                         condition=_CARDED),
            models.Index(fields=["township", "warning_level", "due_at"], name="case_township_warning_due",
                         condition=_CARDED),
            # Uses: dashboard counts per child region (index-only scans with Count("*")).
            models.Index(fields=["city", "county", "state", "warning_level"], name="case_city_dash"),
            models.Index(fields=["county", "township", "state", "warning_level"], name="case_county_dash"),
            models.Index(fields=["township", "village", "state", "warning_level"], name="case_township_dash"),
            # Uses: the 上报件/本中心 queues (a center's own open cases by deadline, covering on
            # PostgreSQL); the village heat table of a county or city (index-only).
            models.Index(fields=["owning_region", "due_at", "id"], name="case_owner_open_due", condition=_OPEN,
                         include=["state", "city", "county", "township"]),
            *(models.Index(fields=[lv, "village", "warning_level"], name=f"case_{lv}_open_village", condition=_OPEN)
              for lv in ("county", "city")),
            models.Index(fields=["city", "created_at"], name="case_city_created"),  # Uses: figures of a period
            # Uses: a period's 本期办结 with 按期办结, 本期回访 with 满意 (the dashboard's rates, counted
            # together; 统计分析 by child region): index-only on PostgreSQL, the flag and the child
            # region included (a county's month read 1,600 heap pages for 2,000 rows without).
            *(models.Index(fields=[level, col], name=f"case_{level}_{col[:-3]}", condition=Q(**{f"{col}__isnull": False}),
                           include=[flag, child])
              for level, child in (("city", "county"), ("county", "township"), ("township", "village"))
              for col, flag in (("resolved_at", "resolved_on_time"), ("callback_at", "callback_satisfied"))),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=[s.value for s in CaseState]), name="case_state_valid"),
            # governance/inputs.py: the bound forms, serializers and the intake service hold.
            models.CheckConstraint(condition=Q(people_involved__lte=COUNT_MAX), name="case_people_involved_max"),
            models.UniqueConstraint(fields=["channel", "external_id"], condition=~Q(external_id=""),
                                    name="case_external_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseLink(BaseModel):
    """关联件: two cases about the same matter (duplicates use Case.duplicate_of)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "other"], name="case_link_unique")]


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    SIGNED = "signed", _("已签收")
    RETURNED = "returned", _("已退回")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已收回")


OPEN_ASSIGNMENT_STATES = ("pending", "signed")


class AssignmentRole(models.TextChoices):
    """一揽子调处: one lead unit holds the case; assisting units each do their part."""

    LEAD = "lead", _("牵头单位")
    ASSIST = "assist", _("协办单位")


class CaseAssignment(BaseModel):
    """A dispatch (交办) to a department or to a lower region's center, as the lead unit (牵头,
    it holds the case and resolves it) or an assisting unit (协办, it signs, does its part and
    reports). At most one open lead assignment per case, and one open assignment per unit,
    held by the database."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments",
                               help_text=_("交办给下级综治中心时的区划"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    # The end of the 退回 window, stamped at dispatch (LoopPolicy); null: no window.
    return_by = models.DateTimeField(_("退回截止"), null=True, blank=True)
    instructions = models.TextField(_("交办意见"), blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    role = models.CharField(_("承办角色"), max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    result = models.TextField(_("协办反馈"), blank=True)
    # Set once each by the deadline sweep for an assisting unit (disputes.sweep_assists): its
    # yellow card when its deadline is near, its red card when the deadline passed.
    warned_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=OPEN_ASSIGNMENT_STATES, role="lead"),
                name="case_one_open_lead_assignment",
            ),
            models.UniqueConstraint(
                fields=["case", "department"], condition=Q(status__in=OPEN_ASSIGNMENT_STATES),
                name="case_unit_open_once",
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(region__isnull=False), name="assignment_has_target"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="assignment_dept_status"),
            # The sweep's probe for assisting units past their deadline.
            models.Index(fields=["due_at"], name="assignment_assist_due",
                         condition=Q(status__in=OPEN_ASSIGNMENT_STATES, role="assist", overdue_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department or self.region}"

    @property
    def is_lead(self) -> bool:
        return self.role == AssignmentRole.LEAD


class CaseEvent(models.Model):
    """Append-only timeline: who, when, from → to, note. Created only in services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("时间"), db_index=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("动作"), max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case_id", "created_at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("CaseEvent rows are append-only")
        super().save(*args, **kwargs)


# How a clerk separates several mediators typed into one line.
MEDIATOR_SEPARATORS = re.compile(r"[、，,;；/\s]+")


class MediationOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成协议")
    NO_AGREEMENT = "no_agreement", _("未达成协议")
    ONGOING = "ongoing", _("调解中")


class Mediation(BaseModel):
    """A mediation (人民调解法 arts. 27–33): record and, when reached, the agreement."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediations")
    mediators = models.CharField(_("调解员"), max_length=200)
    organisation = models.CharField(_("调解组织"), max_length=100, blank=True)
    # The 人民调解委员会 whose seal the agreement carries (人民调解法 art. 29), as its name at
    # the time of the mediation. A registry of committees can add a `committee` foreign key
    # later; this column then stays as the printed name (a document shows what was sealed).
    committee_name = models.CharField(_("人民调解委员会"), max_length=100, blank=True, default="", db_default="")
    held_at = models.DateTimeField(_("调解时间"), validators=[validate_occurrence])
    place = models.CharField(_("调解地点"), max_length=200, blank=True)
    record = models.TextField(_("调解笔录"), blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=MediationOutcome.choices, default=MediationOutcome.ONGOING)
    facts = models.TextField(_("主要事实、争议事项及各方责任"), blank=True)
    agreement_content = models.TextField(_("协议内容"), blank=True)
    performance = models.TextField(_("履行方式、期限"), blank=True)
    # The registered organisation that mediated (its seal goes on the agreement).
    mediated_by = models.ForeignKey("disputes.MediationOrganisation", verbose_name=_("调解组织(登记)"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="mediations")
    # 联合调解: the units whose people sat at the table (their mediators are named above).
    joint_units = models.ManyToManyField(Department, verbose_name=_("联合调解单位"), blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case_id", "held_at", "id"]
        verbose_name = _("调解")
        verbose_name_plural = _("调解")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_outcome_display()}"

    def mediator_names(self) -> list[str]:
        """The mediators one by one ("王明、李华" → ["王明", "李华"]): one signature line each."""
        return [name for name in MEDIATOR_SEPARATORS.split(self.mediators or "") if name]


class Attachment(BaseModel):
    """A file attached to a case; stored outside the static tree and served only through a
    permission-checked view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Empty for the photos a resident sent with an online submission.
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class EscalationReason(models.TextChoices):
    MANUAL = "manual", _("主动上报")
    OVERDUE = "overdue", _("超期自动升级")
    RULE = "rule", _("越级上报规则")


class Escalation(BaseModel):
    """One escalation of a case to a level; unique per (case, to_level)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    from_level = models.CharField(max_length=10, choices=RegionLevel.choices)
    to_level = models.CharField(max_length=10, choices=RegionLevel.choices)
    to_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=10, choices=EscalationReason.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        constraints = [models.UniqueConstraint(fields=["case", "to_level"], name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_level}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class ExtensionRequest(BaseModel):
    """延期: requested by the handler, approved by the owning center."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField(_("延长天数"))
    # How the days count: the day kind of the extension limit that applied (信访: natural days).
    day_kind = models.CharField(_("计日方式"), max_length=10, choices=DayKind.choices, default=DayKind.WORKING)
    reason = models.TextField(_("理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="extension_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class CaseNumberCounter(models.Model):
    """Per-township, per-day sequence for case numbers, incremented by one UPDATE."""

    township_code = models.CharField(max_length=12)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["township_code", "day"]
        constraints = [models.UniqueConstraint(fields=["township_code", "day"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.township_code} {self.day} #{self.last}"
