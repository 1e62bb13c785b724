"""Policy data: time limits per level, step and category, and escalation policies."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Category, Channel, DayKind, RiskGrade, Step
from governance.models import BaseModel, Department, RegionLevel


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
