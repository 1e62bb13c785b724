"""Cases (矛盾纠纷/事件) and everything that hangs off them.

State changes happen only in disputes/services/ (transitions, escalation) and disputes/sweep.py
(the deadline sweep); the timeline (`CaseEvent`) is append-only. See docs/case-lifecycle.md.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class Step(models.TextChoices):
    """The step a deadline belongs to (TimeLimitPolicy.step)."""

    ACCEPT = "accept", _("受理")
    SIGN = "sign", _("签收")
    HANDLE = "handle", _("办理")
    MEDIATE = "mediate", _("调解")  # the center's own 先行调解 (人民调解: normally within a month)
    CALLBACK = "callback", _("回访")
    # Not a step a case is in: the longest extension one request may ask for (延期上限).
    EXTEND = "extend", _("延期上限")


# Open cases carrying a yellow or red card (partial-index condition).
_CARDED = Q(state__in=sorted(s.value for s in OPEN_STATES)) & ~Q(warning_level="none")


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def timed(self):
        return self.filter(state__in=TIMED_STATES)


class Category(BaseModel):
    """Two-level dispute taxonomy (seeded from DOMAIN.md, editable by administrators).

    `standard_code` maps to GB/T 31000 code tables once they are available.
    """

    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    standard_code = models.CharField(_("标准代码映射"), max_length=20, blank=True)
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
    occurred_at = models.DateTimeField(_("发生时间"))
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    people_involved = models.PositiveIntegerField(_("涉及人数"), default=1)
    amount_involved = models.DecimalField(_("涉及金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    risk_grade = models.ForeignKey(RiskGrade, verbose_name=_("风险等级"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    urgent = models.BooleanField(_("加急"), default=False)
    long_standing = models.BooleanField(_("历史遗留"), default=False)

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

    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_cases")
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A submit token from the intake form / API Idempotency-Key: one case per submit.
    submit_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = CaseQuerySet.as_manager()

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
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=[s.value for s in CaseState]), name="case_state_valid"),
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


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD = "third", _("第三人")


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("单位")


class CaseParty(BaseModel):
    """A party (当事人). ID number and phone are stored encrypted (SM4), matched by keyed
    hash (HMAC-SHA256) and shown masked unless the role needs the full value (audited)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("当事人类型"), max_length=20, choices=PartyRole.choices)
    kind = models.CharField(_("主体类型"), max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_number_enc = models.BinaryField(null=True, blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=32, blank=True)
    phone_enc = models.BinaryField(null=True, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return self.name


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    SIGNED = "signed", _("已签收")
    RETURNED = "returned", _("已退回")
    COMPLETED = "completed", _("已办结")
    WITHDRAWN = "withdrawn", _("已收回")


OPEN_ASSIGNMENT_STATES = ("pending", "signed")


class CaseAssignment(BaseModel):
    """A dispatch (交办) to a department or to a lower region's center. At most one open
    assignment per case, held by the database."""

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

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=OPEN_ASSIGNMENT_STATES), name="case_one_open_assignment"
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(region__isnull=False), name="assignment_has_target"
            ),
        ]
        indexes = [models.Index(fields=["department", "status"], name="assignment_dept_status")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department or self.region}"


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


class MediationOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成协议")
    NO_AGREEMENT = "no_agreement", _("未达成协议")
    ONGOING = "ongoing", _("调解中")


class Mediation(BaseModel):
    """A mediation (人民调解法 arts. 27–33): record and, when reached, the agreement."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediations")
    mediators = models.CharField(_("调解员"), max_length=200)
    organisation = models.CharField(_("调解组织"), max_length=100, blank=True)
    held_at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("调解地点"), max_length=200, blank=True)
    record = models.TextField(_("调解笔录"), blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=MediationOutcome.choices, default=MediationOutcome.ONGOING)
    facts = models.TextField(_("主要事实、争议事项及各方责任"), blank=True)
    agreement_content = models.TextField(_("协议内容"), blank=True)
    performance = models.TextField(_("履行方式、期限"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case_id", "held_at", "id"]
        verbose_name = _("调解")
        verbose_name_plural = _("调解")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_outcome_display()}"


class Attachment(BaseModel):
    """A file attached to a case; stored outside the static tree and served only through a
    permission-checked view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class DayKind(models.TextChoices):
    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


class TimeLimitPolicy(BaseModel):
    """Time limit for one step at one level, optionally per category (null = any) and per
    channel (blank = any; the 信访 channel has the limits of 信访工作条例)."""

    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices, blank=True, default="", help_text=_("留空适用于所有渠道"))
    step = models.CharField(_("环节"), max_length=10, choices=Step.choices)
    days = models.PositiveIntegerField(_("时限(天)"))
    day_kind = models.CharField(_("计日方式"), max_length=10, choices=DayKind.choices, default=DayKind.WORKING)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["level", "step", "category_id"]
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.UniqueConstraint(fields=["level", "step", "category", "channel"], name="time_limit_unique_channel"),
            models.UniqueConstraint(fields=["level", "step", "channel"], condition=Q(category__isnull=True), name="time_limit_unique_channel_default"),
        ]

    def __str__(self) -> str:
        channel = f"{self.get_channel_display()} " if self.channel else ""
        return f"{self.get_level_display()} {channel}{self.get_step_display()} {self.days}{self.get_day_kind_display()}"


class EscalationPolicy(BaseModel):
    """When cards show and cases move up, per owning level and optionally category/risk.

    Yellow: `yellow_ratio` of the step's allowed time used, or `yellow_hours_before` the
    deadline (whichever the row sets). Red: the deadline passed. Escalation one level up
    `escalate_after_hours` after red. `direct_to_level` (越级上报) sends matching cases
    straight to a higher level at acceptance, copying `copy_departments`.
    """

    level = models.CharField(_("责任层级"), max_length=10, choices=RegionLevel.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    risk_grade = models.ForeignKey(RiskGrade, verbose_name=_("风险等级"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    yellow_ratio = models.DecimalField(_("黄牌:已用时限比例"), max_digits=4, decimal_places=2, null=True, blank=True)
    yellow_hours_before = models.PositiveIntegerField(_("黄牌:到期前小时数"), null=True, blank=True)
    escalate_after_hours = models.PositiveIntegerField(_("红牌后多少小时上报"), default=0)
    direct_to_level = models.CharField(_("越级上报至"), max_length=10, choices=RegionLevel.choices, blank=True)
    copy_departments = models.ManyToManyField(Department, verbose_name=_("抄送单位"), blank=True, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["level", "category_id", "risk_grade_id"]
        verbose_name = _("预警升级策略")
        verbose_name_plural = _("预警升级策略")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.category or '全部类别'}"


class CallbackBy(models.TextChoices):
    INTAKE_OR_OWNER = "intake_or_owner", _("受理中心或责任中心")
    INTAKE = "intake", _("仅受理中心(谁受理谁回访)")
    OWNER = "owner", _("仅责任中心")


class UrgeWhen(models.TextChoices):
    OVERDUE = "overdue", _("超期后")
    DUE_SOON = "due_soon", _("临期(亮黄牌)起")
    NEVER = "never", _("不自动催办")


class LoopPolicy(BaseModel):
    """The closed loop's rules per owning level, optionally per category (disputes.policies):
    who calls back, the return window, the most extensions (the longest one is TimeLimitPolicy
    step "extend"), the sweep's own 催办 and its cool-down. An empty field sets no limit."""

    level = models.CharField(_("责任层级"), max_length=10, choices=RegionLevel.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    callback_by = models.CharField(_("回访责任"), max_length=20, choices=CallbackBy.choices, default=CallbackBy.INTAKE_OR_OWNER)
    return_window_working_days = models.PositiveSmallIntegerField(
        _("退回时限(工作日)"), null=True, blank=True, help_text=_("交办后多少个工作日内可以退回；留空为不限"))
    max_extensions = models.PositiveSmallIntegerField(
        _("延期次数上限"), null=True, blank=True, help_text=_("每案最多批准的延期次数；留空为不限"))
    urge_when = models.CharField(_("自动催办"), max_length=10, choices=UrgeWhen.choices, default=UrgeWhen.OVERDUE)
    urge_cooldown_hours = models.PositiveIntegerField(
        _("催办间隔(小时)"), default=24, help_text=_("同一案件两次自动催办之间至少间隔的小时数"))
    source = models.TextField(_("依据"), blank=True)

    class Meta:
        ordering = ["level", "category_id"]
        verbose_name = _("闭环规则")
        verbose_name_plural = _("闭环规则")
        constraints = [
            models.UniqueConstraint(fields=["level", "category"], name="loop_policy_unique"),
            models.UniqueConstraint(fields=["level"], condition=Q(category__isnull=True), name="loop_policy_unique_default"),
            models.CheckConstraint(condition=Q(urge_cooldown_hours__gte=1), name="loop_policy_cooldown_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.category or _('全部类别')}"


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


class SupervisionKind(models.TextChoices):
    SUPERVISE = "supervise", _("督办")
    URGE = "urge", _("催办")
    INSTRUCT = "instruct", _("批示")


class SupervisionLevel(models.TextChoices):
    NORMAL = "normal", _("普通")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Supervision(BaseModel):
    """督办 / 催办 / 批示 by an upper center or a leader, or 催办 by the system (`by` empty:
    the deadline sweep, LoopPolicy.urge_when). 督办 can be withdrawn."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField(max_length=10, choices=SupervisionKind.choices)
    level = models.CharField(max_length=10, choices=SupervisionLevel.choices, blank=True)
    note = models.TextField(_("意见"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # 撤销督办: by the issuer or a leader over the issuer's center (case_supervise_withdraw).
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdraw_note = models.CharField(_("撤销理由"), max_length=200, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("督办催办")
        verbose_name_plural = _("督办催办")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


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
