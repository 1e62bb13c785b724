"""Unscoped aggregates per region for assessment (published through partybuilding.contract):
they count for the regions the caller chose (assessment asks only for regions inside the
ranking leader's jurisdiction). Plain frozen dataclasses, never model instances."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from governance.models import RegionLevel
from governance.periods import Period
from grids.contract import unscoped_grid_counts_by_region
from partybuilding.models import Activity, ActivityKind, PartyGroup, PartyMember

GroupGrid = PartyGroup.grids.through


@dataclass(frozen=True)
class GroupCoverage:
    """网格党小组覆盖率 = grids_with_group / grids."""

    grids: int
    grids_with_group: int


@dataclass(frozen=True)
class MemberParticipation:
    """Active members on the period's last day, and those who attended an activity in it."""

    members: int
    participating: int


def unscoped_group_coverage_by_region(*, level: str, region_ids: Sequence[int],
                                      period: Period) -> dict[int, GroupCoverage]:
    """Per region: active grids (grids.contract) and those covered by an active group
    established on or before the period's end."""
    column = f"{RegionLevel(level).value}_id"
    ids = list(region_ids)
    grids = unscoped_grid_counts_by_region(level=level, region_ids=ids, period=period)
    covered = dict(
        GroupGrid.objects.filter(partygroup__is_active=True, partygroup__established_on__lte=period.end,
                                 grid__is_active=True, **{f"grid__{column}__in": ids})
        .values(f"grid__{column}").annotate(n=Count("grid_id", distinct=True)).order_by()
        .values_list(f"grid__{column}", "n"))
    return {pk: GroupCoverage(grids[pk].grids, covered.get(pk, 0)) for pk in ids}


def unscoped_member_participation_by_region(*, level: str, region_ids: Sequence[int],
                                            period: Period) -> dict[int, MemberParticipation]:
    """Per region (the community each member serves): active members who had joined by the
    period's end, and how many of them attended at least one activity held in the period."""
    column = f"{RegionLevel(level).value}_id"
    ids = list(region_ids)
    attended = Q(activities__held_on__gte=period.start, activities__held_on__lte=period.end)
    rows = (PartyMember.objects.filter(is_active=True, **{f"{column}__in": ids})
            .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=period.end))
            .values(column).annotate(members=Count("id", distinct=True),
                                     participating=Count("id", filter=attended, distinct=True))
            .order_by())
    counts = {pk: MemberParticipation(0, 0) for pk in ids}
    for row in rows:
        counts[row[column]] = MemberParticipation(row["members"], row["participating"])
    return counts


def unscoped_mediation_activities_by_region(*, level: str, region_ids: Sequence[int],
                                           period: Period) -> dict[int, int]:
    """党员参与化解件数 per region: 矛盾调解 activities held in the period with at least one
    party member attending (the region the activity is recorded for)."""
    column = f"{RegionLevel(level).value}_id"
    ids = list(region_ids)
    rows = (Activity.objects.filter(kind=ActivityKind.MEDIATION, held_on__gte=period.start, held_on__lte=period.end,
                                    attendees__isnull=False, **{f"{column}__in": ids})
            .values(column).annotate(n=Count("id", distinct=True)).order_by())
    counts = dict.fromkeys(ids, 0)
    for row in rows:
        counts[row[column]] = row["n"]
    return counts


__all__ = ["GroupCoverage", "MemberParticipation", "unscoped_group_coverage_by_region",
           "unscoped_mediation_activities_by_region", "unscoped_member_participation_by_region"]
