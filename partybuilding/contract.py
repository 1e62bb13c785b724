"""What partybuilding publishes to the apps above it (assessment): the only partybuilding
module they import, besides `partybuilding.models` for foreign keys (tests/test_project.py).

- `unscoped_group_coverage_by_region(*, level, region_ids, period)` → `GroupCoverage` per
  region (网格党小组覆盖率: grids covered by an active group / active grids);
- `unscoped_member_participation_by_region(*, level, region_ids, period)` →
  `MemberParticipation` per region (active members, those who attended an activity);
- `unscoped_mediation_activities_by_region(*, level, region_ids, period)` → int per region
  (党员参与化解件数: 矛盾调解 activities with party members attending);
- `party_stats(*, scope, year, level)`: the scoped statistics of the statistics page.
"""
from __future__ import annotations

from partybuilding.selectors.aggregates import (
    GroupCoverage,
    MemberParticipation,
    unscoped_group_coverage_by_region,
    unscoped_mediation_activities_by_region,
    unscoped_member_participation_by_region,
)
from partybuilding.selectors.stats import PartyStats, party_stats

__all__ = [
    "GroupCoverage", "MemberParticipation", "PartyStats", "party_stats", "unscoped_group_coverage_by_region",
    "unscoped_mediation_activities_by_region", "unscoped_member_participation_by_region",
]
