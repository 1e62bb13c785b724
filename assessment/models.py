"""Responsibility assessment (综治责任考核): the rubric as data, periods and their scores,
manual scores, adjustments, 一票否决 and responsibility letters (docs/assessment.md).

Writes happen in assessment/services/; a published period's `UnitScore` and `IndicatorScore`
rows are its frozen snapshot, changed afterwards only by a recorded `Adjustment`.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import BaseModel, Department, Region, RegionLevel, RegionPathModel


class Rubric(BaseModel):
    """The indicator catalogue a city applies to the units of one level (its townships or its
    counties) in one year. Totals and grade thresholds are data."""

    region = models.ForeignKey(Region, verbose_name=_("考核主体"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("发布考核细则的市"))
    level = models.CharField(_("被考核层级"), max_length=10, choices=RegionLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    total_points = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=1000)
    excellent_from = models.DecimalField(_("优秀线"), max_digits=7, decimal_places=2, default=900)
    good_from = models.DecimalField(_("良好线"), max_digits=7, decimal_places=2, default=800)
    pass_from = models.DecimalField(_("合格线"), max_digits=7, decimal_places=2, default=600)
    # Volume fairness (DOMAIN.md): units tiered 1:2:2 by case volume, coefficient 1/2/3 by tier
    # for the formulas that use `coef`.
    volume_tiering = models.BooleanField(_("按案件量分档"), default=False)

    class Meta:
        ordering = ["-year", "region_id", "level"]
        verbose_name = _("考核细则")
        verbose_name_plural = _("考核细则")
        constraints = [models.UniqueConstraint(fields=["region", "level", "year"], name="rubric_unique_year")]

    def __str__(self) -> str:
        return self.name


class ItemDepth(models.IntegerChoices):
    CATALOGUE = 1, _("考核类别")
    ITEM = 2, _("考核项目")
    SUB_ITEM = 3, _("考核细项")


class ItemKind(models.TextChoices):
    GROUP = "group", _("分类汇总")
    AUTOMATIC = "automatic", _("自动计算")
    MANUAL = "manual", _("人工评分")
    BONUS = "bonus", _("加分")
    DEDUCTION = "deduction", _("扣分")


class RubricItem(BaseModel):
    """One line of the rubric: a catalogue (落实综治领导责任制 100), an item or a sub-item.

    A scored line (not a group) turns its figures into points with `formula`, evaluated by
    simpleeval (never `eval`), then clamps to [0, max_points] (bonus and deduction: [0, cap]).
    Variables: `n`, `d`, `rate` (percent, n/d×100), `full` (max points), `coef` (volume tier),
    `score` (a manual score), and a metric's extras (督办: `yellow`, `red`, `normal`).
    """

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    depth = models.PositiveSmallIntegerField(_("层级"), choices=ItemDepth.choices, default=ItemDepth.CATALOGUE)
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=ItemKind.choices, default=ItemKind.GROUP)
    metric = models.CharField(_("自动指标"), max_length=30, blank=True)
    max_points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, default=0)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    formula = models.CharField(_("计分公式"), max_length=300, blank=True)
    cap = models.DecimalField(_("封顶"), max_digits=7, decimal_places=2, null=True, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("考核部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(_("目标值"), max_digits=7, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("考核内容"), max_length=300, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["rubric_id", "sort", "code"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="rubric_item_unique_code"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="rubric_item_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def scored(self) -> bool:
        return self.kind != ItemKind.GROUP


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年度")


class PeriodState(models.TextChoices):
    OPEN = "open", _("进行中")
    COMPUTED = "computed", _("已计算")
    PUBLISHED = "published", _("已发布")
    LOCKED = "locked", _("已锁定")


class AssessmentPeriod(BaseModel):
    """A period of a city's assessment (月调度、季讲评、半年督查、年终考核)."""

    region = models.ForeignKey(Region, verbose_name=_("考核主体"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("周期"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("序号"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    state = models.CharField(_("状态"), max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # The administrator's recompute button: what the running task has done (idempotent).
    progress = models.PositiveSmallIntegerField(_("计算进度"), default=0)

    class Meta:
        ordering = ["-start", "kind"]
        verbose_name = _("考核期")
        verbose_name_plural = _("考核期")
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "year", "number"], name="period_unique_number"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(year)s年%(n)s月") % {"year": self.year, "n": self.number}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s年第%(n)s季度") % {"year": self.year, "n": self.number}
        if self.kind == PeriodKind.HALF:
            return _("%(year)s年上半年") % {"year": self.year} if self.number == 1 else \
                _("%(year)s年下半年") % {"year": self.year}
        return _("%(year)s年度") % {"year": self.year}

    @property
    def frozen(self) -> bool:
        return self.state in (PeriodState.PUBLISHED, PeriodState.LOCKED)


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class UnitScore(RegionPathModel):
    """One unit's result in one period: the snapshot the ranking shows. Scoped by the unit's
    region path; `rank` among the units of the same parent (townships of a county, counties
    of a city), ties share a rank, vetoed units last."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(Region, verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    computed_total = models.DecimalField(_("计算得分"), max_digits=8, decimal_places=2, default=0)
    adjustment = models.DecimalField(_("核减核增"), max_digits=8, decimal_places=2, default=0)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, default=0)
    rank = models.PositiveIntegerField(_("排名"), default=0)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, default=Grade.FAIL)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    volume = models.PositiveIntegerField(_("案件量"), default=0)
    coef = models.PositiveSmallIntegerField(_("分档系数"), default=1)

    class Meta:
        ordering = ["period_id", "parent_id", "rank", "unit_id"]
        verbose_name = _("单位得分")
        verbose_name_plural = _("单位得分")
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="unit_score_once")]
        indexes = [models.Index(fields=["period", "parent", "rank"], name="unit_score_ranking")]

    def __str__(self) -> str:
        return f"{self.period_id} {self.unit_id} {self.total}"


class IndicatorScore(BaseModel):
    """One scored line of the rubric for one unit and period: the figures and the points."""

    unit_score = models.ForeignKey(UnitScore, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    numerator = models.IntegerField(_("分子"), null=True, blank=True)
    denominator = models.IntegerField(_("分母"), null=True, blank=True)
    value = models.DecimalField(_("指标值"), max_digits=9, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["unit_score_id", "item__sort", "item_id"]
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["unit_score", "item"], name="indicator_score_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


class ManualState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")


class ManualScore(RegionPathModel):
    """A manual indicator scored by its assessing department, with evidence; counts once a
    second person of the department (or a leader) approves it."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="manual_scores")
    unit = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    note = models.TextField(_("评分说明"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/evidence/%Y/", blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=ManualState.choices, default=ManualState.SUBMITTED)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period_id", "unit_id", "item_id"]
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [models.UniqueConstraint(fields=["period", "unit", "item"], name="manual_score_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.item_id} {self.points}"


class AdjustmentState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")


class Adjustment(BaseModel):
    """A recorded correction of a published period's score (核增/核减): proposed with its
    points and reason, counted once a different person with jurisdiction approves it."""

    unit_score = models.ForeignKey(UnitScore, on_delete=models.CASCADE, related_name="adjustments")
    points = models.DecimalField(_("调整分值"), max_digits=8, decimal_places=2)
    reason = models.TextField(_("调整理由"))
    state = models.CharField(_("状态"), max_length=10, choices=AdjustmentState.choices,
                             default=AdjustmentState.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["unit_score_id", "id"]
        verbose_name = _("得分调整")
        verbose_name_plural = _("得分调整")
        constraints = [models.CheckConstraint(condition=~Q(proposed_by=models.F("approved_by")),
                                              name="adjustment_second_person")]

    def __str__(self) -> str:
        return f"{self.unit_score_id} {self.points}"


class VetoState(models.TextChoices):
    PROPOSED = "proposed", _("待决定")
    APPROVED = "approved", _("已否决")
    REJECTED = "rejected", _("不予否决")


class Veto(RegionPathModel):
    """一票否决 of a unit: proposed by a township or a department, decided at county level or
    above; in force from `starts_on` to `ends_on` (one year by default)."""

    unit = models.ForeignKey(Region, verbose_name=_("被否决单位"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("否决事由"))
    effect = models.CharField(_("否决后果"), max_length=200, default=_("取消年度综合性评优资格，排名列末位"))
    cases = models.ManyToManyField("disputes.Case", verbose_name=_("关联案件"), blank=True, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=VetoState.choices, default=VetoState.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    starts_on = models.DateField(_("生效日期"))
    ends_on = models.DateField(_("截止日期"))

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("一票否决")
        verbose_name_plural = _("一票否决")
        indexes = [models.Index(fields=["unit", "state", "starts_on"], name="veto_unit_state")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.get_state_display()}"


class ResponsibilityLetter(RegionPathModel):
    """综治责任书 of a unit for a year: signatories, targets per indicator, the signed scan."""

    unit = models.ForeignKey(Region, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    party_head = models.CharField(_("党委(党组)负责人"), max_length=50)
    government_head = models.CharField(_("行政负责人"), max_length=50)
    issuer = models.CharField(_("发放单位负责人"), max_length=50)
    targets = models.JSONField(_("目标值"), default=dict, blank=True, help_text=_("指标编号 → 目标值"))
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    scan = models.FileField(_("签字扫描件"), upload_to="assessment/letters/%Y/", blank=True)

    class Meta:
        ordering = ["-year", "unit_id"]
        verbose_name = _("综治责任书")
        verbose_name_plural = _("综治责任书")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="letter_once_a_year")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"


class LetterReview(BaseModel):
    """履责点评: the assessor's written review of a letter for one period."""

    letter = models.ForeignKey(ResponsibilityLetter, on_delete=models.CASCADE, related_name="reviews")
    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("履责点评"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["letter_id", "period_id"]
        verbose_name = _("履责点评")
        verbose_name_plural = _("履责点评")
        constraints = [models.UniqueConstraint(fields=["letter", "period"], name="letter_review_once")]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.period_id}"
