"""The assessment aggregates (grids.contract) and the scoped figures: exact definitions."""
import datetime as dt

import pytest

from governance.clock import frozen_at
from governance.models import RegionLevel, Role
from governance.periods import Period
from governance.scoping import scope_for
from grids.contract import (
    GridCoverage,
    ScreeningCompliance,
    WorkerPresence,
    unscoped_grid_coverage_by_region,
    unscoped_screening_compliance_by_region,
    unscoped_worker_presence_by_region,
)
from grids.models import GridWorkerAssignment, Screening
from grids.selectors.stats import grid_stats_by_region, worker_summary
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db
Q2 = Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def grid_at(moment, **kw):
    with frozen_at(moment):
        return GridFactory(**kw)


def screening(grid, user, month, filed_on, found=0):
    Screening(grid=grid, recorded_by=user, period_start=month, filed_on=filed_on, disputes_found=found,
              zero_report=found == 0, notes="" if not found else "x").save()


@pytest.fixture
def setup(tree):
    early = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    a = grid_at(early, region=tree.village_a1x)
    b = grid_at(early, region=tree.village_a1x)
    late = grid_at(dt.datetime(2026, 5, 20, tzinfo=dt.UTC), region=tree.village_a1y)  # exists from May
    retired = grid_at(early, region=tree.village_a2x, is_active=False, retired_on=dt.date(2026, 6, 30))
    grid_at(early, region=tree.village_b1x)
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    GridWorkerAssignment.objects.create(grid=a, worker=worker, started_on=dt.date(2026, 1, 1))
    GridWorkerAssignment.objects.create(grid=b, worker=worker, started_on=dt.date(2026, 1, 1),
                                        ended_on=dt.date(2026, 6, 30))  # last day in post = period end
    return a, b, late, retired, worker


def test_coverage_counts_villages_with_a_grid_existing_at_the_period_end(tree, setup):
    ids = [tree.town_a1.pk, tree.town_a2.pk, tree.town_b1.pk]
    cover = unscoped_grid_coverage_by_region(level=RegionLevel.TOWNSHIP, region_ids=ids, period=Q2)
    # 红旗社区's only grid was retired on the period's last day: not covered
    assert cover == {tree.town_a1.pk: GridCoverage(2, 2, 1.0), tree.town_a2.pk: GridCoverage(1, 0, 0.0),
                     tree.town_b1.pk: GridCoverage(1, 1, 1.0)}


def test_presence_counts_grids_with_a_worker_in_post_on_the_last_day(tree, setup):
    presence = unscoped_worker_presence_by_region(level=RegionLevel.COUNTY, region_ids=[tree.county_a.pk],
                                                  period=Q2)
    # a (open) and b (ended on the last day) are staffed; the May grid is vacant; the retired one is gone
    assert presence[tree.county_a.pk] == WorkerPresence(grids=3, staffed=2, rate=0.6667)
    assert presence[tree.county_a.pk].vacancies == 1


def test_screening_compliance_counts_on_time_filings_per_month(tree, setup):
    a, b, late, _, worker = setup
    screening(a, worker, dt.date(2026, 4, 1), dt.date(2026, 4, 28))           # on time, zero report
    screening(a, worker, dt.date(2026, 5, 1), dt.date(2026, 6, 2))            # late
    screening(b, worker, dt.date(2026, 5, 1), dt.date(2026, 5, 31), found=2)  # on time, not zero
    screening(late, worker, dt.date(2026, 6, 1), dt.date(2026, 6, 30))        # on time, zero report
    result = unscoped_screening_compliance_by_region(level=RegionLevel.TOWNSHIP, region_ids=[tree.town_a1.pk],
                                                     period=Q2)
    # due: April a,b; May a,b,late (created 20 May); June a,b,late → 8
    assert result[tree.town_a1.pk] == ScreeningCompliance(due=8, on_time=3, zero_reports=2, rate=0.375)


def test_regions_without_grids_get_empty_figures(tree):
    assert unscoped_worker_presence_by_region(level=RegionLevel.VILLAGE, region_ids=[tree.village_a1x.pk],
                                              period=Q2) == {tree.village_a1x.pk: WorkerPresence(0, 0, None)}
    assert unscoped_screening_compliance_by_region(level=RegionLevel.VILLAGE, region_ids=[tree.village_a1x.pk],
                                                   period=Q2)[tree.village_a1x.pk].rate is None


def test_scoped_stats_are_the_children_of_the_viewer_only(tree, setup):
    scope = scope_for(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))
    rows = grid_stats_by_region(scope=scope, period=Q2)
    assert [r.region_name for r in rows] == ["云梦堤社区", "青年路社区"]
    assert rows[0].presence == WorkerPresence(2, 2, 1.0)


def test_worker_summary_vacancies_tenure_and_leavers(tree, setup):
    a, b, late, _, worker = setup
    scope = scope_for(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))
    with frozen_at(dt.datetime(2026, 7, 10, tzinfo=dt.UTC)):
        summary = worker_summary(scope=scope, on=dt.date(2026, 7, 10))
    assert (summary.workers, summary.full_time, summary.grids, summary.vacancies) == (1, 1, 3, 2)
    # a: 1 Jan → 10 Jul = 191 days; b: 1 Jan → 30 Jun = 181 days
    assert summary.average_tenure_days == 186
    # the worker still holds a: not a leaver
    assert summary.leavers_this_year == 0
    GridWorkerAssignment.objects.filter(grid=a).update(ended_on=dt.date(2026, 7, 1))
    assert worker_summary(scope=scope, on=dt.date(2026, 7, 10)).leavers_this_year == 1
