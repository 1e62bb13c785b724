"""The case indicators of the responsibility assessment (综治考核), defined once.

Each indicator is a pair of conditions on a case — its numerator and its denominator — for
one unit (a region of a level) and one period (`governance.periods.Period`, Shanghai days).
The same conditions drive the aggregate published to assessment
(`unscoped_case_indicators_by_region`) and the case list's drill-down filter
(`case_list(filters={"indicator": …, "part": …, "region": …, "period_from": …})`), so the
list a leader reaches from a score has exactly as many rows as the score's figure.
Definitions in words: docs/assessment.md.

Every figure counts cases (a case with two callbacks in a period counts once), and a case
belongs to a unit when it happened in the unit's region and the center holding it (owning
level) is the unit's or one below it; the intake figures (受理及时率, completeness) use the
center that took the case in instead, and 越级 the place alone.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseState,
    CategoryKind,
    Mediation,
    MediationOutcome,
    Step,
    Supervision,
    SupervisionKind,
    SupervisionLevel,
)
from governance.errors import InvalidInput
from governance.models import RegionLevel
from governance.periods import Period

PARTS = ("num", "den", "miss")


@dataclass(frozen=True)
class CaseIndicator:
    key: str
    label: str
    attribution: str  # "owner", "intake" or "place"
    rate: bool  # a rate (numerator / denominator) or a count


CASE_INDICATORS = {
    i.key: i for i in (
        CaseIndicator("accept_timely", gettext_lazy("受理及时率"), "intake", True),
        CaseIndicator("resolve_on_time", gettext_lazy("按期办结率"), "owner", True),
        CaseIndicator("resolve_rate", gettext_lazy("办结率"), "owner", True),
        CaseIndicator("mediation_success", gettext_lazy("化解成功率"), "owner", True),
        CaseIndicator("satisfaction", gettext_lazy("群众满意率"), "owner", True),
        CaseIndicator("redo_rate", gettext_lazy("重办率"), "owner", True),
        CaseIndicator("return_rate", gettext_lazy("退回率"), "owner", True),
        CaseIndicator("overdue", gettext_lazy("逾期件数"), "owner", False),
        CaseIndicator("supervision", gettext_lazy("督办件数"), "owner", False),
        CaseIndicator("skip_level", gettext_lazy("越级上访/上报件数"), "place", False),
        CaseIndicator("completeness", gettext_lazy("案件信息完整率"), "intake", True),
    )
}


@dataclass(frozen=True)
class IndicatorCount:
    """One indicator of one unit: numerator, denominator (None for a count) and the extra
    figures a formula may use (督办: `yellow`, `red`, `normal` supervisions)."""

    numerator: int = 0
    denominator: int | None = None
    extra: dict[str, int] = field(default_factory=dict)


def _levels_at_or_below(level: str) -> list[str]:
    rank = RegionLevel(level).rank
    return [lv.value for lv in RegionLevel if lv.rank >= rank]


def _levels_above(level: str) -> list[str]:
    rank = RegionLevel(level).rank
    return [lv.value for lv in RegionLevel if lv.rank < rank]


def _in(name: str, period: Period) -> Q:
    return Q(**{f"{name}__gte": period.starts_at, f"{name}__lt": period.ends_before})


def _event(action: str, period: Period, **extra) -> Exists:
    # Uses index: case_event_case_time (case_id, created_at)
    return Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), action=action, created_at__gte=period.starts_at,
                                           created_at__lt=period.ends_before, **extra))


def _mediation(period: Period, outcomes: Sequence[str]) -> Exists:
    return Exists(Mediation.objects.filter(case_id=OuterRef("pk"), outcome__in=list(outcomes),
                                           held_at__gte=period.starts_at, held_at__lt=period.ends_before))


def _supervised(period: Period) -> Exists:
    return Exists(Supervision.objects.filter(case_id=OuterRef("pk"), kind=SupervisionKind.SUPERVISE,
                                             withdrawn_at__isnull=True, created_at__gte=period.starts_at,
                                             created_at__lt=period.ends_before))


def _parts(key: str, period: Period, level: str) -> tuple[Q, Q | None]:
    """(numerator, denominator) conditions of indicator `key` (the unit condition aside)."""
    end = period.ends_before
    if key == "accept_timely":
        due_in = _in("accept_due_at", period) | (Q(state=CaseState.REGISTERED) & _in("due_at", period))
        den = _in("accept_decided_at", period) | due_in
        on_time = Q(accept_decided_at__isnull=False) & (
            Q(accept_due_at__isnull=True) | Q(accept_decided_at__lte=F("accept_due_at")))
        return den & on_time, den
    if key == "resolve_on_time":
        resolved = _in("resolved_at", period)
        num = resolved & (Q(resolve_due_at__isnull=True) | Q(resolved_at__lte=F("resolve_due_at")))
        late = (
            (resolved & Q(resolve_due_at__isnull=False, resolved_at__gt=F("resolve_due_at")))
            | (Q(resolved_at__gte=end) & _in("resolve_due_at", period))
            | (Q(resolved_at__isnull=True, state=CaseState.IN_PROGRESS, step__in=[Step.HANDLE, Step.MEDIATE])
               & _in("due_at", period))
        )
        return num, num | late
    if key == "resolve_rate":
        den = _in("accepted_at", period)
        return den & Q(resolved_at__lt=end), den
    if key == "mediation_success":
        concluded = Q(_mediation(period, (MediationOutcome.AGREEMENT, MediationOutcome.NO_AGREEMENT)))
        return Q(_mediation(period, (MediationOutcome.AGREEMENT,))), concluded
    if key == "satisfaction":
        return Q(_event("callback", period, data__satisfied=True)), Q(_event("callback", period))
    if key == "redo_rate":
        return Q(_event("callback", period, data__satisfied=False)), Q(_event("callback", period))
    if key == "return_rate":
        return Q(_event("return", period)), Q(_event("dispatch", period))
    if key == "overdue":
        return Q(_event("red", period)), None
    if key == "supervision":
        return Q(_supervised(period)), None
    if key == "skip_level":
        return _in("created_at", period) & Q(intake_region__level__in=_levels_above(level)), None
    if key == "completeness":
        den = _in("created_at", period)
        complete = ~Q(address="") & Q(grid__isnull=False) & (
            Q(category__kind=CategoryKind.INCIDENT) | Q(Exists(CaseParty.objects.filter(case_id=OuterRef("pk")))))
        return den & complete, den
    raise InvalidInput(_("考核指标无效"), extra={"fields": {"indicator": _("考核指标无效")}})


def _unit(key: str, level: str) -> Q:
    """The condition that a case of the unit's region belongs to the unit (see the module)."""
    attribution = CASE_INDICATORS[key].attribution
    if attribution == "owner":
        return Q(owning_level__in=_levels_at_or_below(level))
    if attribution == "intake":
        # A case without a recorded intake center (older rows) was taken in by its owner.
        below = _levels_at_or_below(level)
        return Q(intake_region__level__in=below) | Q(intake_region__isnull=True, owning_level__in=below)
    return Q()


def indicator_q(*, key: str, part: str, level: str, period: Period) -> Q:
    """The cases counted in `part` ("num", "den" or "miss": counted in the denominator but not
    the numerator, e.g. the late ones of 按期办结率) of indicator `key`, for a unit of
    `level` (the caller adds the unit's region column)."""
    if key not in CASE_INDICATORS:
        raise InvalidInput(_("考核指标无效"), extra={"fields": {"indicator": _("考核指标无效")}})
    if part not in PARTS:
        raise InvalidInput(_("考核指标口径无效"), extra={"fields": {"part": _("考核指标口径无效")}})
    num, den = _parts(key, period, level)
    if part == "num":
        chosen = num
    elif den is None:
        raise InvalidInput(_("该指标没有分母"), extra={"fields": {"part": _("该指标没有分母")}})
    else:
        chosen = den if part == "den" else den & ~num
    return _unit(key, level) & chosen


# Indicators counted from the period's rows of another table (one GROUP BY each over the
# period's events, mediations and supervisions) rather than by an EXISTS probe per case: the
# same cases, counted the way that reads each table once (docs/performance.md).
EVENT_KEYS = ("satisfaction", "redo_rate", "return_rate", "overdue")
SIDE_KEYS = (*EVENT_KEYS, "mediation_success", "supervision")


def _side_counts(*, level: str, column: str, ids: list[int], period: Period) -> dict[int, dict[str, int]]:
    """Distinct cases per region for the indicators counted from events, mediations and
    supervisions (numerators and denominators), and supervisions per level."""
    owner = _levels_at_or_below(level)
    window = {"created_at__gte": period.starts_at, "created_at__lt": period.ends_before}
    cases = {f"case__{column}__in": ids, "case__owning_level__in": owner}
    group = f"case__{column}"
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}

    def distinct(**condition) -> Count:
        return Count("case_id", distinct=True, filter=Q(**condition))

    # Uses: the period's events (a range of created_at), joined to their cases.
    events = (CaseEvent.objects.filter(action__in=["callback", "return", "dispatch", "red"], **window, **cases)
              .values(group).annotate(
                  callbacks=distinct(action="callback"), satisfied=distinct(action="callback", data__satisfied=True),
                  unsatisfied=distinct(action="callback", data__satisfied=False), returned=distinct(action="return"),
                  dispatched=distinct(action="dispatch"), red=distinct(action="red")).order_by())
    for row in events:
        figures = counts[row[group]]
        figures.update(satisfaction__n=row["satisfied"], satisfaction__d=row["callbacks"],
                       redo_rate__n=row["unsatisfied"], redo_rate__d=row["callbacks"],
                       return_rate__n=row["returned"], return_rate__d=row["dispatched"], overdue__n=row["red"])
    mediations = (Mediation.objects.filter(held_at__gte=period.starts_at, held_at__lt=period.ends_before, **cases)
                  .values(group).annotate(
                      concluded=distinct(outcome__in=[MediationOutcome.AGREEMENT, MediationOutcome.NO_AGREEMENT]),
                      agreed=distinct(outcome=MediationOutcome.AGREEMENT)).order_by())
    for row in mediations:
        counts[row[group]].update(mediation_success__n=row["agreed"], mediation_success__d=row["concluded"])
    supervisions = (Supervision.objects.filter(kind=SupervisionKind.SUPERVISE, withdrawn_at__isnull=True, **window,
                                               **cases)
                    .values(group).annotate(supervised=Count("case_id", distinct=True),
                                            **{lv: Count("id", filter=Q(level=lv)) for lv in SupervisionLevel.values})
                    .order_by())
    for row in supervisions:
        counts[row[group]].update(supervision__n=row["supervised"], **{lv: row[lv] for lv in SupervisionLevel.values})
    return counts


def unscoped_case_indicators_by_region(*, level: str, region_ids: Sequence[int],
                                       period: Period) -> dict[int, dict[str, IndicatorCount]]:
    """Every case indicator for each region of `level` in `region_ids` (every id answered).

    Unscoped by name: assessment asks for the units it ranks and gets counts, never rows.
    One GROUP BY over the regions' cases created before the period's end for the indicators
    read from the case row, and one each over the period's events, mediations and 督办
    (`_side_counts`). # Uses index: case_<level>_created (region column leads).
    """
    column = f"{RegionLevel(level).value}_id"
    ids = list(region_ids)
    annotations = {}
    for key, spec in CASE_INDICATORS.items():
        if key in SIDE_KEYS:
            continue
        num, den = _parts(key, period, level)
        unit = _unit(key, level)
        annotations[f"{key}__n"] = Count("id", filter=unit & num)
        if spec.rate:
            annotations[f"{key}__d"] = Count("id", filter=unit & den)
    # Only rows some condition can count: touched on or after the period's start by one of the
    # dates the conditions read, or still waiting (已登记 / 办理中: a deadline may fall inside).
    start = period.starts_at
    relevant = (Q(created_at__gte=start) | Q(accepted_at__gte=start) | Q(accept_decided_at__gte=start)
                | Q(accept_due_at__gte=start) | Q(resolved_at__gte=start) | Q(resolve_due_at__gte=start)
                | Q(state__in=[CaseState.REGISTERED, CaseState.IN_PROGRESS]))
    rows = (Case.objects.filter(relevant, **{f"{column}__in": ids, "created_at__lt": period.ends_before})
            .values(column).annotate(**annotations).order_by())
    found = {row[column]: row for row in rows}
    side = _side_counts(level=level, column=column, ids=ids, period=period)
    result: dict[int, dict[str, IndicatorCount]] = {}
    for pk in ids:
        row = {**found.get(pk, {}), **side[pk]}
        figures = {}
        for key, spec in CASE_INDICATORS.items():
            extra = {lv: row.get(lv, 0) for lv in SupervisionLevel.values} if key == "supervision" else {}
            figures[key] = IndicatorCount(row.get(f"{key}__n", 0), row.get(f"{key}__d", 0) if spec.rate else None,
                                          extra)
        result[pk] = figures
    return result
