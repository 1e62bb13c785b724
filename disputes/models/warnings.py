"""研判预警 and 研判报告: early-warning rules (data an administrator edits), the warnings they
raise with the cases behind them, and the monthly analysis report archived per region and
month. Writes happen in disputes/services/warnings.py, warning_follow.py and reports.py;
reads in disputes/selectors/warnings.py and reports.py. See docs/warnings.md.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case, Category
from governance.models import BaseModel, Region, RegionPathModel

# Sanity bounds of a rule's numbers (the real values are the locality's data).
RULE_COUNT_MAX = 10_000
RULE_WINDOW_DAYS_MAX = 366
RULE_AMOUNT_MAX = Decimal("999999999999.99")


class WarningKind(models.TextChoices):
    CLUSTER = "cluster", _("类案聚集")
    GROUP = "group", _("群体性纠纷")
    REPEAT_PARTY = "repeat_party", _("重复当事人")
    AMOUNT = "amount", _("涉及金额较大")
    RISK_GRADE = "risk_grade", _("高风险等级")
    CRIMINAL_RISK = "criminal_risk", _("民转刑风险")


# Which numbers each kind of rule needs (the rest must stay empty).
KIND_FIELDS: dict[str, frozenset[str]] = {
    WarningKind.CLUSTER: frozenset({"min_cases", "window_days"}),
    WarningKind.GROUP: frozenset({"min_people"}),
    WarningKind.REPEAT_PARTY: frozenset({"min_cases", "window_days"}),
    WarningKind.AMOUNT: frozenset({"min_amount"}),
    WarningKind.RISK_GRADE: frozenset({"min_risk_rank"}),
    WarningKind.CRIMINAL_RISK: frozenset(),
}
RULE_NUMBERS = ("min_cases", "window_days", "min_people", "min_amount", "min_risk_rank")
# Kinds whose subject is one case (the others: a village + category, or a person).
CASE_KINDS = frozenset({WarningKind.GROUP, WarningKind.AMOUNT, WarningKind.RISK_GRADE, WarningKind.CRIMINAL_RISK})


class WarningRule(BaseModel):
    """One early-warning rule. Its kind decides which numbers it reads (`KIND_FIELDS`):

    - 类案聚集: at least `min_cases` cases of one category in one village registered within
      `window_days` days (optionally only the categories under `category`);
    - 群体性纠纷: a case with `people_involved` ≥ `min_people`;
    - 重复当事人: one person (the keyed hash of their ID number) in at least `min_cases`
      cases registered within `window_days` days;
    - 涉及金额较大: a case with `amount_involved` ≥ `min_amount`;
    - 高风险等级: a case whose risk grade's rank is ≥ `min_risk_rank`;
    - 民转刑风险: a case flagged `criminal_risk`.
    """

    name = models.CharField(_("规则名称"), max_length=100)
    kind = models.CharField(_("预警类型"), max_length=20, choices=WarningKind.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    min_cases = models.PositiveIntegerField(
        _("案件数下限(件)"), null=True, blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(RULE_COUNT_MAX)])
    window_days = models.PositiveIntegerField(
        _("时间窗口(天)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(RULE_WINDOW_DAYS_MAX)])
    min_people = models.PositiveIntegerField(
        _("涉及人数下限(人)"), null=True, blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(RULE_COUNT_MAX)])
    min_amount = models.DecimalField(
        _("涉及金额下限(元)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(RULE_AMOUNT_MAX)])
    min_risk_rank = models.PositiveSmallIntegerField(
        _("风险等级严重程度下限"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("风险等级的「严重程度」数值不低于此值时预警"))
    category = models.ForeignKey(
        Category, verbose_name=_("限定类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("仅类案聚集：只统计该类别（含其下级类别）的案件；不填则统计全部类别"))
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        # A NULL number would make a condition unknown, which a CHECK lets pass: say NOT NULL.
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in WarningKind]), name="warning_rule_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind__in=["cluster", "repeat_party"]) | Q(
                    min_cases__isnull=False, min_cases__gte=2, window_days__isnull=False, window_days__gte=1),
                name="warning_rule_window_complete"),
            models.CheckConstraint(condition=~Q(kind="group") | Q(min_people__isnull=False, min_people__gte=2),
                                   name="warning_rule_people_set"),
            models.CheckConstraint(condition=~Q(kind="amount") | Q(min_amount__isnull=False, min_amount__gt=0),
                                   name="warning_rule_amount_set"),
            models.CheckConstraint(
                condition=~Q(kind="risk_grade") | Q(min_risk_rank__isnull=False, min_risk_rank__gte=1),
                name="warning_rule_rank_set"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Each kind needs its own numbers and no others (the admin form shows the errors)."""
        needed = KIND_FIELDS.get(self.kind)
        if needed is None:
            raise ValidationError({"kind": _("预警类型无效")})
        errors = {}
        for name in RULE_NUMBERS:
            value = getattr(self, name)
            if name in needed and value is None:
                errors[name] = _("该类型的规则必须填写此项")
            elif name not in needed and value is not None:
                errors[name] = _("该类型的规则不使用此项，请留空")
        if self.category_id and self.kind != WarningKind.CLUSTER:
            errors["category"] = _("只有类案聚集规则可以限定类别")
        if errors:
            raise ValidationError(errors)


class WarningState(models.TextChoices):
    OPEN = "open", _("待处置")
    FOLLOWING = "following", _("跟进中")
    ACKNOWLEDGED = "acknowledged", _("已确认")


# state → the states a dispatcher may move it to (fail closed: unlisted is forbidden).
WARNING_TRANSITIONS: dict[str, frozenset[str]] = {
    WarningState.OPEN: frozenset({WarningState.FOLLOWING, WarningState.ACKNOWLEDGED}),
    WarningState.FOLLOWING: frozenset({WarningState.FOLLOWING, WarningState.ACKNOWLEDGED}),
    WarningState.ACKNOWLEDGED: frozenset(),
}


class EarlyWarning(RegionPathModel):
    """One warning a rule raised about one subject (a case, a village + category, a person).

    `key` (rule + subject + window anchor) is unique, so a re-run or two overlapping
    evaluations raise a cluster once. The region path is the deepest region all its cases
    share: a cluster sits in its village, a repeat party seen in two townships sits in their
    county (so only the county sees it). The state changes by compare-and-set.
    """

    rule = models.ForeignKey(WarningRule, verbose_name=_("预警规则"), on_delete=models.PROTECT, related_name="warnings")
    kind = models.CharField(_("预警类型"), max_length=20, choices=WarningKind.choices)
    key = models.CharField(max_length=160, unique=True)
    # The subject as a key ("case:12", "cluster:<village>:<category>", "party:<keyed hash>")
    # and as shown (a party's ID number masked, never the hash).
    subject = models.CharField(max_length=120)
    label = models.CharField(_("预警对象"), max_length=200)
    window_start = models.DateTimeField(_("窗口开始"), null=True, blank=True)
    window_end = models.DateTimeField(_("最近案件时间"), null=True, blank=True)
    case_count = models.PositiveIntegerField(_("涉及案件数"), default=0)
    cases = models.ManyToManyField(Case, through="EarlyWarningCase", related_name="early_warnings")
    state = models.CharField(_("状态"), max_length=20, choices=WarningState.choices, default=WarningState.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("跟进人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("处置意见"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("研判预警")
        verbose_name_plural = _("研判预警")
        indexes = [
            # Uses: the warnings page per level, newest first, filtered by state.
            models.Index(fields=["county", "state", "created_at"], name="warning_county_state"),
            models.Index(fields=["township", "state", "created_at"], name="warning_township_state"),
            models.Index(fields=["city", "state", "created_at"], name="warning_city_state"),
            # Uses: the evaluation's "still running" probe per rule and subject.
            models.Index(fields=["rule", "subject", "window_end"], name="warning_rule_subject"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=[s.value for s in WarningState]), name="warning_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"


class EarlyWarningCase(models.Model):
    """A case behind a warning; unique per pair, so re-evaluation adds nothing twice."""

    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="warning_links")

    class Meta:
        ordering = ["warning_id", "case_id"]
        constraints = [models.UniqueConstraint(fields=["warning", "case"], name="warning_case_unique")]

    def __str__(self) -> str:
        return f"{self.warning_id} ← {self.case_id}"


class ReportState(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class AnalysisReport(RegionPathModel):
    """研判报告: the monthly analysis report of one region, archived per (region, month).

    Regenerating replaces the files and bumps `version`; `history` keeps who generated each
    earlier version and when. The region path is the report region's own path.
    """

    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.PENDING)
    version = models.PositiveIntegerField(_("版本"), default=0)
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    docx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    history = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-month", "region_id"]
        verbose_name = _("研判报告")
        verbose_name_plural = _("研判报告")
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="report_region_month_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"
