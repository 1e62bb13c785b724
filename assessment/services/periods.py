"""Periods and their scores: the rhythm (月/季/半年/年), computing an open period, publishing
(a frozen snapshot), locking, and recorded adjustments of a published period.

Computing takes the period's row lock first (`select_for_update`; SQLite serialises writers
anyway), so two computations at once run one after the other, and the second rewrites the
same rows with the same values: `UnitScore` is unique per (period, unit) and
`IndicatorScore` per (unit score, line).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from assessment.metrics import unit_figures, unit_volumes, volume_tiers
from assessment.models import (
    Adjustment,
    AdjustmentState,
    AssessmentPeriod,
    IndicatorScore,
    ManualScore,
    ManualState,
    PeriodKind,
    PeriodState,
    Rubric,
    RubricItem,
    UnitScore,
    Veto,
    VetoState,
)
from assessment.scoring import grade_for, line_score, ranks, unit_total
from governance import clock
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Region, RegionLevel, User
from governance.periods import Period
from governance.permissions import require
from governance.scoping import scope_for

COUNTS = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.HALF: 2, PeriodKind.YEAR: 1}
MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
LEVELS = (RegionLevel.TOWNSHIP, RegionLevel.COUNTY)


def period_range(kind: str, year: int, number: int) -> Period:
    if kind not in COUNTS or not 1 <= number <= COUNTS[kind]:
        raise InvalidInput(_("考核期序号无效"), extra={"fields": {"number": _("考核期序号无效")}})
    months = MONTHS[kind]
    first = dt.date(year, (number - 1) * months + 1, 1)
    last_month = number * months
    following = dt.date(year + (last_month == 12), last_month % 12 + 1, 1)
    return Period(first, following - dt.timedelta(days=1))


def periods_ensure(*, region: Region, year: int, kinds: tuple[str, ...] = tuple(COUNTS)) -> list[AssessmentPeriod]:
    """The year's periods of a city (created when missing; existing ones untouched)."""
    if region.level != RegionLevel.CITY:
        raise InvalidInput(_("考核期由市级设置"), extra={"fields": {"region": _("考核期由市级设置")}})
    periods = []
    for kind in kinds:
        for number in range(1, COUNTS[kind] + 1):
            span = period_range(kind, year, number)
            period, _created = AssessmentPeriod.objects.get_or_create(
                region=region, kind=kind, year=year, number=number, defaults={"start": span.start, "end": span.end})
            periods.append(period)
    return periods


def period_for_update(period_id: Any) -> AssessmentPeriod:
    try:
        return AssessmentPeriod.objects.select_for_update().get(pk=int(period_id))
    except (AssessmentPeriod.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("未找到该考核期")) from None


def frozen_conflict(period: AssessmentPeriod) -> Conflict:
    return Conflict(_("考核期「%(period)s」%(state)s，成绩已固定，不能修改；如需更正请走得分调整") % {
        "period": period.label, "state": period.get_state_display()}, code="period_frozen")


def vetoes_in_force(*, unit_ids: list[int], start: dt.date, end: dt.date) -> set[int]:
    """Units under an approved 一票否决 on any day of [start, end]."""
    # Uses index: veto_unit_state
    return set(Veto.objects.filter(unit_id__in=unit_ids, state=VetoState.APPROVED, starts_on__lte=end,
                                   ends_on__gte=start).values_list("unit_id", flat=True))


def _compute_level(period: AssessmentPeriod, rubric: Rubric, now: dt.datetime) -> int:
    level = rubric.level
    parent_level = RegionLevel(level).parent
    units = list(Region.objects.filter(level=level, city_id=period.region_id).order_by("code"))
    if not units:
        return 0
    ids = [u.pk for u in units]
    span = Period(period.start, period.end)
    items = list(rubric.items.order_by("sort", "code"))
    scored = [i for i in items if i.scored]
    figures = unit_figures(level=level, unit_ids=ids, period=span)
    volumes = unit_volumes(level=level, unit_ids=ids, period=span)
    tiers = volume_tiers(volumes) if rubric.volume_tiering else dict.fromkeys(ids, 1)
    manual = {(m.unit_id, m.item_id): m.points for m in ManualScore.objects.filter(
        period=period, unit_id__in=ids, state=ManualState.APPROVED)}
    vetoed = vetoes_in_force(unit_ids=ids, start=period.start, end=period.end)
    existing = {s.unit_id: s for s in UnitScore.objects.filter(period=period, unit_id__in=ids)}
    adjustments = dict(Adjustment.objects.filter(unit_score__period=period, unit_score__unit_id__in=ids,
                                                 state=AdjustmentState.APPROVED)
                       .values_list("unit_score__unit_id").annotate(s=Sum("points")).order_by())
    results = {}
    for unit in units:
        lines = {i.pk: line_score(i, figure=figures[unit.pk].get(i.metric), manual=manual.get((unit.pk, i.pk)),
                                  coef=tiers[unit.pk]) for i in scored}
        computed, _groups = unit_total(items, lines)
        results[unit.pk] = (computed, lines)
    by_parent: dict[int, list[tuple[int, Decimal, bool]]] = {}
    for unit in units:
        total = results[unit.pk][0] + (adjustments.get(unit.pk) or Decimal(0))
        by_parent.setdefault(getattr(unit, f"{parent_level}_id"), []).append((unit.pk, total, unit.pk in vetoed))
    ranked = {}
    for entries in by_parent.values():
        ranked.update(ranks(entries))
    lines_to_write = []
    for unit in units:
        computed, lines = results[unit.pk]
        adjustment = adjustments.get(unit.pk) or Decimal(0)
        total = computed + adjustment
        values = {
            "level": level, "parent_id": getattr(unit, f"{parent_level}_id"), "computed_total": computed,
            "adjustment": adjustment, "total": total, "rank": ranked[unit.pk], "vetoed": unit.pk in vetoed,
            "grade": grade_for(total, vetoed=unit.pk in vetoed, excellent=rubric.excellent_from,
                               good=rubric.good_from, passing=rubric.pass_from),
            "volume": volumes.get(unit.pk, 0), "coef": tiers[unit.pk],
        }
        score = existing.get(unit.pk)
        if score is None:
            score = UnitScore(period=period, unit=unit, **values)
            score.set_region(unit)
            score.save()
        else:
            for key, value in values.items():
                setattr(score, key, value)
            score.save(update_fields=[*values, "updated_at"])
        lines_to_write.extend(
            IndicatorScore(unit_score=score, item_id=line.item_id, numerator=line.numerator,
                           denominator=line.denominator, value=line.value, points=line.points, note=line.note,
                           created_at=now, updated_at=now)
            for line in lines.values())
    IndicatorScore.objects.filter(unit_score__period=period, unit_score__unit_id__in=ids).delete()
    IndicatorScore.objects.bulk_create(lines_to_write, batch_size=1000)
    return len(units)


@transaction.atomic
def period_compute(*, period_id: int, progress: Callable[[int], None] | None = None) -> AssessmentPeriod:
    """Compute (or recompute) an open or computed period: every unit of every level the city
    has a rubric for. Idempotent; refused for a published or locked period."""
    period = period_for_update(period_id)
    if period.frozen:
        raise frozen_conflict(period)
    now = clock.now()
    rubrics = list(Rubric.objects.filter(region_id=period.region_id, year=period.year, level__in=LEVELS))
    if not rubrics:
        raise Conflict(_("%(year)s年度尚未制定考核细则") % {"year": period.year}, code="no_rubric")
    for index, rubric in enumerate(rubrics, start=1):
        _compute_level(period, rubric, now)
        if progress is not None:
            progress(int(index * 100 / len(rubrics)))
    period.state, period.computed_at, period.progress = PeriodState.COMPUTED, now, 100
    period.save(update_fields=["state", "computed_at", "progress", "updated_at"])
    return period


def _require_city_staff(actor: User, period: AssessmentPeriod, action: str) -> None:
    scope = scope_for(actor)
    require(scope, action)
    if scope.level != RegionLevel.CITY or scope.region_id != period.region_id:
        raise Forbidden(_("只有本市考核办可以发布或锁定考核期"))


@transaction.atomic
def period_publish(*, actor: User, period_id: int) -> AssessmentPeriod:
    """Publish a computed period: its scores become a frozen snapshot."""
    period = period_for_update(period_id)
    _require_city_staff(actor, period, "assessment.publish")
    if period.state != PeriodState.COMPUTED:
        raise Conflict(_("只有已计算的考核期可以发布（当前：%(state)s）") % {"state": period.get_state_display()},
                       code="invalid_state")
    period.state, period.published_at, period.published_by = PeriodState.PUBLISHED, clock.now(), actor
    period.save(update_fields=["state", "published_at", "published_by", "updated_at"])
    return period


@transaction.atomic
def period_lock(*, actor: User, period_id: int) -> AssessmentPeriod:
    """Lock a published period: no adjustment any more."""
    period = period_for_update(period_id)
    _require_city_staff(actor, period, "assessment.publish")
    if period.state != PeriodState.PUBLISHED:
        raise Conflict(_("只有已发布的考核期可以锁定"), code="invalid_state")
    period.state = PeriodState.LOCKED
    period.save(update_fields=["state", "updated_at"])
    return period


def _published_period(period_id: int) -> AssessmentPeriod:
    period = period_for_update(period_id)
    if period.state != PeriodState.PUBLISHED:
        message = _("考核期已锁定，不能再调整") if period.state == PeriodState.LOCKED else \
            _("考核期尚未发布，请直接重新计算")
        raise Conflict(message, code="period_state")
    return period


@transaction.atomic
def adjustment_propose(*, actor: User, unit_score_id: int, points: Any, reason: str) -> Adjustment:
    """Propose a correction of a published period's score (核增/核减) with its reason; it
    counts once another person approves it (`adjustment_decide`)."""
    scope = scope_for(actor)
    require(scope, "assessment.adjust")
    score = scope.filter(UnitScore.objects.all()).filter(pk=unit_score_id).first()
    if score is None:
        raise NotFound(_("未找到该单位得分"))
    _published_period(score.period_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写调整理由"), extra={"fields": {"reason": _("请填写调整理由")}})
    try:
        value = Decimal(str(points)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("调整分值必须是数字"), extra={"fields": {"points": _("调整分值必须是数字")}}) from None
    if value == 0 or abs(value) > 1000:
        raise InvalidInput(_("调整分值须在-1000到1000之间且不为0"), extra={"fields": {"points": _("调整分值无效")}})
    return Adjustment.objects.create(unit_score=score, points=value, reason=reason, proposed_by=actor)


@transaction.atomic
def adjustment_decide(*, actor: User, adjustment_id: int, approve: bool) -> Adjustment:
    """Approve (or send back) a proposed adjustment: a different person with jurisdiction over
    the unit; on approval the unit's total and grade and its peers' ranks follow."""
    scope = scope_for(actor)
    require(scope, "assessment.adjust")
    adjustment = (scope.filter(Adjustment.objects.select_for_update().select_related("unit_score"),
                               via="unit_score").filter(pk=adjustment_id).first())
    if adjustment is None:
        raise NotFound(_("未找到该得分调整"))
    period = _published_period(adjustment.unit_score.period_id)
    if adjustment.proposed_by_id == actor.pk:
        raise InvalidInput(_("得分调整须由另一人审核"), code="second_person")
    if adjustment.state != AdjustmentState.PENDING:
        raise Conflict(_("该得分调整已审核"), code="invalid_state")
    adjustment.state = AdjustmentState.APPROVED if approve else AdjustmentState.REJECTED
    adjustment.approved_by, adjustment.decided_at = actor, clock.now()
    adjustment.save(update_fields=["state", "approved_by", "decided_at", "updated_at"])
    if approve:
        _adjustment_apply(period, adjustment.unit_score, adjustment.points)
    return adjustment


def _adjustment_apply(period: AssessmentPeriod, score: UnitScore, points: Decimal) -> None:
    score.adjustment += points
    score.total = score.computed_total + score.adjustment
    rubric = Rubric.objects.get(region_id=period.region_id, level=score.level, year=period.year)
    score.grade = grade_for(score.total, vetoed=score.vetoed, excellent=rubric.excellent_from,
                            good=rubric.good_from, passing=rubric.pass_from)
    score.save(update_fields=["adjustment", "total", "grade", "updated_at"])
    peers = list(UnitScore.objects.filter(period=period, parent_id=score.parent_id))
    new_ranks = ranks((p.unit_id, p.total, p.vetoed) for p in peers)
    for peer in peers:
        if peer.rank != new_ranks[peer.unit_id]:
            UnitScore.objects.filter(pk=peer.pk).update(rank=new_ranks[peer.unit_id])


def period_progress_set(*, period_id: int, pct: int) -> None:
    """The recompute button's progress (a plain UPDATE, seen by the polling page)."""
    AssessmentPeriod.objects.filter(pk=period_id).update(progress=max(0, min(100, int(pct))))


def open_periods_due(*, today: dt.date) -> list[int]:
    """Open or computed periods that have started (the nightly recompute's work)."""
    return list(AssessmentPeriod.objects.filter(Q(state=PeriodState.OPEN) | Q(state=PeriodState.COMPUTED),
                                                start__lte=today).order_by("start").values_list("pk", flat=True))


def line_items(rubric: Rubric) -> list[RubricItem]:
    return list(rubric.items.order_by("sort", "code"))
