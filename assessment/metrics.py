"""The figures behind the automatic indicators, read only through the other apps' contracts
(disputes, grids, partybuilding): one call per source for all the units of a level.

`METRICS` names every automatic metric a rubric line may use, with its label and whether it
is a rate (numerator / denominator) or a count, and whether the case list can show the
cases behind it (the drill-down).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from disputes.contract import CASE_INDICATORS, unscoped_case_counts_by_region, unscoped_case_indicators_by_region
from governance.periods import Period
from grids.contract import (
    unscoped_screening_compliance_by_region,
    unscoped_worker_presence_by_region,
)
from partybuilding.contract import unscoped_group_coverage_by_region, unscoped_mediation_activities_by_region


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    rate: bool
    cases: bool  # the figure counts cases: the case list can show them

    @property
    def lost_part(self) -> str:
        """The part of the figure whose cases cost the unit points: the numerator of a count
        or of a rate where lower is better (重办率, 退回率), else those that missed."""
        return "num" if not self.rate or self.key in LOWER_IS_BETTER else "miss"


LOWER_IS_BETTER = frozenset({"redo_rate", "return_rate"})


METRICS: dict[str, Metric] = {
    **{key: Metric(key, spec.label, spec.rate, True) for key, spec in CASE_INDICATORS.items()},
    "grid_presence": Metric("grid_presence", _("网格员在岗率"), True, False),
    "screening": Metric("screening", _("排查零报告按时率"), True, False),
    "group_coverage": Metric("group_coverage", _("网格党小组覆盖率"), True, False),
    "party_mediation": Metric("party_mediation", _("党员参与化解件数"), False, False),
}


@dataclass(frozen=True)
class Figure:
    numerator: int = 0
    denominator: int | None = None
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        if not self.denominator:
            return None
        return self.numerator * 100.0 / self.denominator


def unit_figures(*, level: str, unit_ids: Sequence[int], period: Period) -> dict[int, dict[str, Figure]]:
    """Every metric of every unit (every id answered)."""
    ids = list(unit_ids)
    cases = unscoped_case_indicators_by_region(level=level, region_ids=ids, period=period)
    presence = unscoped_worker_presence_by_region(level=level, region_ids=ids, period=period)
    screening = unscoped_screening_compliance_by_region(level=level, region_ids=ids, period=period)
    coverage = unscoped_group_coverage_by_region(level=level, region_ids=ids, period=period)
    party = unscoped_mediation_activities_by_region(level=level, region_ids=ids, period=period)
    figures: dict[int, dict[str, Figure]] = {}
    for pk in ids:
        row = {key: Figure(count.numerator, count.denominator, dict(count.extra)) for key, count in cases[pk].items()}
        row["grid_presence"] = Figure(presence[pk].staffed, presence[pk].grids)
        row["screening"] = Figure(screening[pk].on_time, screening[pk].due)
        row["group_coverage"] = Figure(coverage[pk].grids_with_group, coverage[pk].grids)
        row["party_mediation"] = Figure(party[pk])
        figures[pk] = row
    return figures


def unit_volumes(*, level: str, unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Cases registered in the period per unit (the volume tiering's measure)."""
    counts = unscoped_case_counts_by_region(level=level, region_ids=list(unit_ids), period=period)
    return {pk: c.registered for pk, c in counts.items()}


def volume_tiers(volumes: dict[int, int]) -> dict[int, int]:
    """Tier coefficients 1:2:2 by volume (DOMAIN.md): the busiest fifth of the units gets
    coefficient 1, the next two fifths 2, the rest 3 (ties keep the order of their ids)."""
    ordered = sorted(volumes, key=lambda pk: (-volumes[pk], pk))
    count = len(ordered)
    first = round(count / 5) if count >= 5 else min(1, count)
    second = first + round(count * 2 / 5)
    return {pk: 1 if i < first else 2 if i < second else 3 for i, pk in enumerate(ordered)}
