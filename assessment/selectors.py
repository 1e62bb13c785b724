"""Every assessment read, scope first. The rule of who sees what (docs/assessment.md):

- a city leader sees the ranking of the city's counties, and of the townships of any of its
  counties, and every unit's detail;
- a county leader sees the ranking of the county's townships and each one's detail;
- a township leader sees the ranking of the townships of their county (the peers' rank,
  total, grade and veto mark) and only their own township's detail.

Details are `UnitScore` rows read through `scope.filter` (outside → NotFound); the peers'
ranking of a township leader is the one read across the jurisdiction, named here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from assessment.metrics import METRICS
from assessment.models import (
    Adjustment,
    AssessmentPeriod,
    IndicatorScore,
    ItemKind,
    ManualScore,
    PeriodKind,
    PeriodState,
    ResponsibilityLetter,
    Rubric,
    RubricItem,
    UnitScore,
    Veto,
)
from disputes.contract import case_indicator_query, indicator_cases
from governance.errors import NotFound
from governance.models import Region, RegionLevel
from governance.periods import Period
from governance.scoping import Scope


def scope_city_id(scope: Scope) -> int:
    region = Region.objects.filter(pk=scope.region_id).values_list("city_id", flat=True).first()
    if region is None:
        raise NotFound(_("未找到该区划"))
    return region


def period_list(*, scope: Scope) -> QuerySet[AssessmentPeriod]:
    """The periods of the viewer's city, newest first."""
    return AssessmentPeriod.objects.filter(region_id=scope_city_id(scope)).order_by("-end", "kind")


def period_get(*, scope: Scope, period_id: Any) -> AssessmentPeriod:
    try:
        return period_list(scope=scope).get(pk=int(period_id))
    except (AssessmentPeriod.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("未找到该考核期")) from None


def period_default(*, scope: Scope) -> AssessmentPeriod | None:
    """The latest period with scores (published first), else the latest period."""
    periods = period_list(scope=scope)
    return (periods.filter(state__in=[PeriodState.PUBLISHED, PeriodState.LOCKED]).first()
            or periods.filter(state=PeriodState.COMPUTED).first() or periods.first())


def period_previous(period: AssessmentPeriod) -> AssessmentPeriod | None:
    # Uses index: period_unique_number (region, kind, year, number)
    return (AssessmentPeriod.objects.filter(region_id=period.region_id, kind=period.kind, end__lt=period.start)
            .order_by("-end").first())


def ranking_levels(scope: Scope) -> list[str]:
    """The levels whose ranking the viewer may open."""
    if scope.level == RegionLevel.CITY:
        return [RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    if scope.level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        return [RegionLevel.TOWNSHIP]
    return []


def ranking_default_level(*, scope: Scope, period: AssessmentPeriod) -> str | None:
    """The first level the viewer may see that has scores in the period (a city without a
    county rubric opens on its townships)."""
    levels = ranking_levels(scope)
    present = set(UnitScore.objects.filter(period=period, level__in=levels).values_list("level", flat=True)
                  .distinct().order_by())
    return next((level for level in levels if level in present), levels[0] if levels else None)


def ranking_parents(*, scope: Scope, level: str) -> list[Region]:
    """The groups a ranking of `level` can be of, for the viewer (a city's counties for the
    townships' ranking; the viewer's own county or city otherwise)."""
    if level not in ranking_levels(scope):
        raise NotFound(_("无权查看该层级的排名"))
    if level == RegionLevel.COUNTY:
        return list(Region.objects.filter(pk=scope.region_id))
    if scope.level == RegionLevel.CITY:
        return list(scope.regions().filter(level=RegionLevel.COUNTY).order_by("code"))
    county_id = Region.objects.filter(pk=scope.region_id).values_list("county_id", flat=True).first()
    return list(Region.objects.filter(pk=county_id))


@dataclass(frozen=True)
class RankingRow:
    score: UnitScore
    name: str
    change_rank: int | None  # positive: moved up
    change_total: Decimal | None
    detail: bool  # the viewer may open the unit's detail
    target: Decimal | None  # the 责任书's target total


@dataclass(frozen=True)
class Ranking:
    period: AssessmentPeriod
    level: str
    parent: Region
    rows: list[RankingRow]
    previous: AssessmentPeriod | None


def ranking(*, scope: Scope, period: AssessmentPeriod, level: str, parent_id: Any = None) -> Ranking:
    """The ranking of the units of `level` under one parent (see the module for who may see
    which); four queries whatever the number of units."""
    parents = ranking_parents(scope=scope, level=level)
    parent = parents[0] if parent_id in (None, "") else next(
        (p for p in parents if str(p.pk) == str(parent_id)), None)
    if parent is None:
        raise NotFound(_("未找到该区划"))
    # Peers of a township leader are read across the jurisdiction here, by the rule above;
    # # Uses index: unit_score_ranking (period, parent, rank)
    scores = list(UnitScore.objects.filter(period=period, level=level, parent=parent)
                  .select_related("unit").order_by("rank", "unit__code"))
    previous = period_previous(period)
    before = {}
    if previous is not None:
        before = {s.unit_id: s for s in UnitScore.objects.filter(period=previous, unit_id__in=[s.unit_id for s in scores])}
    targets = {letter.unit_id: letter.targets.get("total") for letter in ResponsibilityLetter.objects.filter(
        year=period.year, unit_id__in=[s.unit_id for s in scores])}
    rows = []
    for score in scores:
        old = before.get(score.unit_id)
        target = targets.get(score.unit_id)
        rows.append(RankingRow(
            score=score, name=score.unit.name,
            change_rank=(old.rank - score.rank) if old else None,
            change_total=(score.total - old.total) if old else None,
            detail=scope.covers(score), target=Decimal(str(target)) if target not in (None, "") else None))
    return Ranking(period=period, level=level, parent=parent, rows=rows, previous=previous)


@dataclass(frozen=True)
class DetailLine:
    item: RubricItem
    line: IndicatorScore | None
    group_points: Decimal | None
    label: str  # the metric's name
    rate: bool
    links: dict[str, str]  # part → case list query string (automatic case metrics)
    target: Any


@dataclass(frozen=True)
class UnitDetail:
    score: UnitScore
    period: AssessmentPeriod
    lines: list[DetailLine]
    vetoes: list[Veto]
    letter: ResponsibilityLetter | None
    review: str
    adjustments: list[Adjustment]


def unit_score_get(*, scope: Scope, period: AssessmentPeriod, unit_id: Any) -> UnitScore:
    """One unit's score, inside the viewer's scope only (peers' details are NotFound)."""
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise NotFound(_("未找到该单位")) from None
    score = scope.filter(UnitScore.objects.select_related("unit", "parent")).filter(period=period, unit_id=pk).first()
    if score is None:
        raise NotFound(_("未找到该单位"))
    return score


def unit_detail(*, scope: Scope, period: AssessmentPeriod, unit_id: Any) -> UnitDetail:
    score = unit_score_get(scope=scope, period=period, unit_id=unit_id)
    rubric = Rubric.objects.filter(region_id=period.region_id, level=score.level, year=period.year).first()
    items = list(rubric.items.order_by("sort", "code")) if rubric else []
    lines = {line.item_id: line for line in IndicatorScore.objects.filter(unit_score=score)}
    letter = ResponsibilityLetter.objects.filter(unit_id=score.unit_id, year=period.year).first()
    targets = letter.targets if letter else {}
    span = Period(period.start, period.end)
    groups = _group_points(items, lines)
    result = []
    for item in items:
        metric = METRICS.get(item.metric) if item.metric else None
        links = {}
        if metric is not None and metric.cases:
            parts = ("num", "den", "miss") if metric.rate else ("num",)
            links = {part: case_indicator_query(key=item.metric, part=part, region_id=score.unit_id, period=span)
                     for part in parts}
            links["lost"] = links[metric.lost_part]
        result.append(DetailLine(
            item=item, line=lines.get(item.pk), group_points=groups.get(item.pk),
            label=str(metric.label) if metric else "", rate=bool(metric and metric.rate), links=links,
            target=targets.get(item.code, item.target)))
    vetoes = list(Veto.objects.filter(unit_id=score.unit_id, state="approved", starts_on__lte=period.end,
                                      ends_on__gte=period.start))
    review = letter.reviews.filter(period=period).values_list("text", flat=True).first() if letter else None
    adjustments = list(score.adjustments.select_related("proposed_by", "approved_by").order_by("id"))
    return UnitDetail(score=score, period=period, lines=result, vetoes=vetoes, letter=letter, review=review or "",
                      adjustments=adjustments)


def _group_points(items: Sequence[RubricItem], lines: dict[int, IndicatorScore]) -> dict[int, Decimal]:
    children: dict[int | None, list[RubricItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def points(item: RubricItem) -> Decimal:
        if item.kind != ItemKind.GROUP:
            return lines[item.pk].points if item.pk in lines else Decimal(0)
        value = sum((points(c) for c in children.get(item.pk, [])), Decimal(0))
        result[item.pk] = value
        return value

    result: dict[int, Decimal] = {}
    for item in children.get(None, []):
        points(item)
    return result


@dataclass(frozen=True)
class TrendPoint:
    label: str
    total: float
    rank: int


def unit_trend(*, scope: Scope, unit_id: int, kind: str = PeriodKind.MONTH, year: int | None = None) -> list[TrendPoint]:
    """The unit's totals and ranks over the periods of one kind (oldest first), in scope."""
    scores = scope.filter(UnitScore.objects.select_related("period")).filter(
        unit_id=unit_id, period__kind=kind).exclude(period__state=PeriodState.OPEN)
    if year:
        scores = scores.filter(period__year=year)
    return [TrendPoint(s.period.label, float(s.total), s.rank) for s in scores.order_by("period__start")]


def manual_scores_for(*, scope: Scope, period: AssessmentPeriod) -> QuerySet[ManualScore]:
    """Manual scores of the viewer's department's lines, for units in the scope or, for a
    city or county department, the units below it."""
    return scope.filter(ManualScore.objects.filter(period=period, item__department_id=scope.department_id)
                        .select_related("unit", "item", "entered_by", "approved_by"))


def indicator_list(*, scope: Scope, year: int | None = None) -> QuerySet[RubricItem]:
    """The rubric lines of the viewer's city (a year's, or every year's), catalogue order."""
    items = RubricItem.objects.filter(rubric__region_id=scope_city_id(scope)).select_related("rubric", "department")
    if year:
        items = items.filter(rubric__year=year)
    return items.order_by("-rubric__year", "rubric__level", "sort", "code")


def veto_list(*, scope: Scope) -> QuerySet[Veto]:
    """一票否决 of units inside the scope, newest first."""
    return scope.filter(Veto.objects.select_related("unit", "proposed_by", "decided_by")).order_by("-starts_on", "-id")


def veto_units(*, scope: Scope) -> QuerySet[Region]:
    """The units the viewer may propose a veto for (townships and counties in the scope)."""
    return scope.regions().filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.COUNTY]).order_by("code")


@dataclass(frozen=True)
class ScoringRow:
    item: RubricItem
    unit: Region
    score: ManualScore | None


def scoring_sheet(*, scope: Scope, period: AssessmentPeriod) -> list[ScoringRow]:
    """The assessor's sheet: every manual line of their department × every unit of the
    line's level inside their jurisdiction, with the score entered so far. Empty for a
    user without a department (they assess nothing)."""
    if not scope.department_id:
        return []
    items = list(RubricItem.objects.filter(
        rubric__region_id=period.region_id, rubric__year=period.year, department_id=scope.department_id,
        kind__in=[ItemKind.MANUAL, ItemKind.BONUS, ItemKind.DEDUCTION], metric="").order_by("sort", "code")
        .select_related("rubric"))
    levels = {item.rubric.level for item in items}
    units = list(scope.regions().filter(level__in=levels).order_by("code"))
    scores = {(s.item_id, s.unit_id): s for s in manual_scores_for(scope=scope, period=period)}
    return [ScoringRow(item, unit, scores.get((item.pk, unit.pk)))
            for item in items for unit in units if unit.level == item.rubric.level]


@dataclass(frozen=True)
class LostPoints:
    line: DetailLine
    lost: Decimal
    cases: list[tuple[int, str, str]]


def unit_report(*, scope: Scope, detail: UnitDetail) -> list[LostPoints]:
    """The printed 讲评/督查 report: each scored line that lost points, with the cases that
    cost them (case indicators; one query per such line, at most 50 cases each)."""
    span = Period(detail.period.start, detail.period.end)
    report = []
    for d in detail.lines:
        if d.line is None or d.item.kind == ItemKind.GROUP:
            continue
        full = d.item.cap if d.item.kind in (ItemKind.BONUS, ItemKind.DEDUCTION) and d.item.cap else d.item.max_points
        lost = full - d.line.points if d.item.kind != ItemKind.BONUS else Decimal(0)
        if lost <= 0:
            continue
        metric = METRICS.get(d.item.metric) if d.item.metric else None
        cases = indicator_cases(scope=scope, key=d.item.metric, part=metric.lost_part,
                                region_id=detail.score.unit_id, period=span) if metric and metric.cases else []
        report.append(LostPoints(d, lost, cases))
    return report


def letter_list(*, scope: Scope, year: int) -> QuerySet[ResponsibilityLetter]:
    """综治责任书 of units inside the scope for a year, with their reviews."""
    return (scope.filter(ResponsibilityLetter.objects.filter(year=year)).select_related("unit")
            .prefetch_related("reviews__period").order_by("unit__code"))
