"""Aggregates of cases per region for other apps (assessment), published by
disputes.contract. Unscoped by name: the caller chooses the regions (assessment asks only
for regions inside the ranking viewer's jurisdiction) and gets counts, never rows."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from disputes.models import OPEN_STATES, Case, CaseState, WarningLevel
from governance.models import RegionLevel
from governance.periods import Period


@dataclass(frozen=True)
class CaseCounts:
    """Counts for one region and period (docs/architecture.md, the read contract):

    - registered: cases registered (created) in the period, rejected ones included (登记量);
    - rejected: of those, cases not accepted (不予受理);
    - resolved: cases whose handling ended (办结) in the period, by `resolved_at`;
    - closed: cases archived after a satisfied callback in the period, by `closed_at`;
    - open_red: open cases carrying a red card now (not period-bound).
    """

    registered: int = 0
    rejected: int = 0
    resolved: int = 0
    closed: int = 0
    open_red: int = 0


def unscoped_case_counts_by_region(*, level: str, region_ids: Sequence[int],
                                   period: Period) -> dict[int, CaseCounts]:
    """CaseCounts per region of `level` among `region_ids` (every id is in the answer).

    One GROUP BY over the regions' cases. # Uses index: case_<level>_state_due (the region
    column leads).
    """
    column = f"{RegionLevel(level).value}_id"
    ids = list(region_ids)
    start, end = period.starts_at, period.ends_before
    created = Q(created_at__gte=start, created_at__lt=end)
    rows = (
        Case.objects.filter(**{f"{column}__in": ids})
        .values(column)
        .annotate(
            registered=Count("id", filter=created),
            rejected=Count("id", filter=created & Q(state=CaseState.REJECTED)),
            resolved=Count("id", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
            closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end)),
            open_red=Count("id", filter=Q(state__in=list(OPEN_STATES), warning_level=WarningLevel.RED)),
        )
        .order_by()
    )
    counts = {region_id: CaseCounts() for region_id in ids}
    for row in rows:
        counts[row[column]] = CaseCounts(row["registered"], row["rejected"], row["resolved"], row["closed"],
                                         row["open_red"])
    return counts
