"""Party-building statistics for a jurisdiction (the statistics page, its Excel export and
`/api/v1/party-stats/`). Every figure is read through the scope; definitions in
docs/partybuilding.md."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _

from governance import clock
from governance.errors import InvalidInput
from governance.models import Region, RegionLevel
from governance.scoping import Scope
from partybuilding.models import (
    Activity,
    ActivityKind,
    ExpenseState,
    MemberKind,
    PartTimeMember,
    PartyFund,
    PartyGroup,
    PartyGroupKind,
    PartyMember,
)
from partybuilding.selectors import scoped_grids

GroupGrid = PartyGroup.grids.through
Attendance = Activity.attendees.through


@dataclass(frozen=True)
class CoverageRow:
    region_id: int
    region_name: str
    grids: int
    covered: int
    members: int

    @property
    def rate(self) -> float | None:
        """Covered share of the active grids (None without grids)."""
        return round(self.covered / self.grids, 4) if self.grids else None

    @property
    def members_per_grid(self) -> float | None:
        return round(self.members / self.grids, 2) if self.grids else None


@dataclass(frozen=True)
class FundRow:
    region_id: int
    region_name: str
    amount: Decimal
    approved: Decimal
    pending: Decimal

    @property
    def balance(self) -> Decimal:
        return self.amount - self.approved - self.pending


@dataclass
class PartyStats:
    year: int
    level: str
    coverage: list[CoverageRow]
    groups_single: int
    groups_joint: int
    reported_by_community: list[tuple[str, int]]
    part_time_by_community: list[tuple[str, int]]
    activities_by_month: dict[str, list[int]]  # kind label → 12 monthly counts
    volunteer_hours: Decimal
    funds: list[FundRow] = field(default_factory=list)

    @property
    def grids(self) -> int:
        return sum(row.grids for row in self.coverage)

    @property
    def covered(self) -> int:
        return sum(row.covered for row in self.coverage)

    @property
    def rate(self) -> float | None:
        return round(self.covered / self.grids, 4) if self.grids else None


def stats_levels(scope: Scope) -> list[str]:
    """The levels a scope may break its figures down by (its own and those below, to 村)."""
    own = RegionLevel(scope.level)
    return [level.value for level in (own, *own.below) if level != RegionLevel.CITY]


def _names(ids) -> dict[int, str]:
    return dict(Region.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def coverage_rows(*, scope: Scope, level: str) -> list[CoverageRow]:
    """Per region of `level` inside the scope: active grids, those in an active group's grids,
    and active members serving in a grid."""
    if level not in stats_levels(scope):
        raise InvalidInput(_("统计层级无效"))
    column = f"{level}_id"
    in_group = GroupGrid.objects.filter(grid_id=OuterRef("pk"), partygroup__is_active=True)
    grids = scoped_grids(scope).values(column).annotate(
        grids=Count("id"), covered=Count("id", filter=Exists(in_group))).order_by()
    members = dict(scope.filter(PartyMember.objects.filter(is_active=True, grid__isnull=False))
                   .values(f"grid__{column}").annotate(n=Count("id")).order_by()
                   .values_list(f"grid__{column}", "n"))
    rows = {row[column]: row for row in grids if row[column] is not None}
    names = _names(rows)
    return sorted((CoverageRow(pk, names.get(pk, ""), row["grids"], row["covered"], members.get(pk, 0))
                   for pk, row in rows.items()), key=lambda row: row.region_name)


def _by_community(pairs) -> list[tuple[str, int]]:
    pairs = [(pk, n) for pk, n in pairs if pk is not None]
    names = _names(pk for pk, _n in pairs)
    return sorted(((names.get(pk, ""), n) for pk, n in pairs), key=lambda pair: pair[0])


def party_stats(*, scope: Scope, year: int, level: str | None = None) -> PartyStats:
    level = level or stats_levels(scope)[min(1, len(stats_levels(scope)) - 1)]
    today = clock.localdate()
    groups = dict(scope.filter(PartyGroup.objects.filter(is_active=True)).values("kind")
                  .annotate(n=Count("id")).order_by().values_list("kind", "n"))
    reported = (scope.filter(PartyMember.objects.filter(is_active=True, kind=MemberKind.REPORTED))
                .values("reported_community_id").annotate(n=Count("id")).order_by()
                .values_list("reported_community_id", "n"))
    part_time = (scope.filter(PartTimeMember.objects.filter(term_start__lte=today, term_end__gte=today))
                 .values("organisation__region_id").annotate(n=Count("id")).order_by()
                 .values_list("organisation__region_id", "n"))
    labels = dict(ActivityKind.choices)
    monthly = {str(label): [0] * 12 for label in labels.values()}
    for kind, month, n in (scope.filter(Activity.objects.filter(held_on__year=year))
                           .annotate(month=ExtractMonth("held_on")).values("kind", "month")
                           .annotate(n=Count("id")).order_by().values_list("kind", "month", "n")):
        monthly[str(labels[kind])][month - 1] = n
    hours = scope.filter(Attendance.objects.filter(
        activity__kind=ActivityKind.VOLUNTEER, activity__held_on__year=year), via="activity",
    ).aggregate(total=Sum("activity__hours"))["total"] or Decimal("0")
    return PartyStats(
        year=year, level=level, coverage=coverage_rows(scope=scope, level=level),
        groups_single=groups.get(PartyGroupKind.SINGLE, 0), groups_joint=groups.get(PartyGroupKind.JOINT, 0),
        reported_by_community=_by_community(reported), part_time_by_community=_by_community(part_time),
        activities_by_month=monthly, volunteer_hours=hours, funds=fund_rows(scope=scope, year=year),
    )


def fund_rows(*, scope: Scope, year: int) -> list[FundRow]:
    """Each community's fund of `year` inside the scope: amount, approved and pending spending."""
    funds = (scope.filter(PartyFund.objects.filter(year=year)).select_related("region")
             .annotate(approved=Sum("expenses__amount", filter=Q(expenses__state=ExpenseState.APPROVED)),
                       pending=Sum("expenses__amount", filter=Q(expenses__state=ExpenseState.PENDING)))
             .order_by("region__code"))
    return [FundRow(f.region_id, f.region.name, f.amount, f.approved or Decimal("0"), f.pending or Decimal("0"))
            for f in funds]


def default_year() -> int:
    return clock.localdate().year


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)
