"""Policy data: time limits per level, step and category, and escalation policies."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Category, RiskGrade, Step
from governance.models import BaseModel, Department, RegionLevel


class DayKind(models.TextChoices):
    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


class TimeLimitPolicy(BaseModel):
    """Time limit for one step at one level, optionally per category (null = any)."""

    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(_("环节"), max_length=10, choices=Step.choices)
    days = models.PositiveIntegerField(_("时限(天)"))
    day_kind = models.CharField(_("计日方式"), max_length=10, choices=DayKind.choices, default=DayKind.WORKING)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["level", "step", "category_id"]
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.UniqueConstraint(fields=["level", "step", "category"], name="time_limit_unique"),
            models.UniqueConstraint(fields=["level", "step"], condition=Q(category__isnull=True), name="time_limit_unique_default"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_step_display()} {self.days}{self.get_day_kind_display()}"


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
