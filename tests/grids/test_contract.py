"""grids.contract.grid_queryset: the grid select of other apps' forms, inside the scope."""
import pytest

from governance.models import Role
from governance.scoping import scope_for
from grids.contract import grid_queryset
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_grid_queryset_holds_active_grids_inside_the_scope(tree):
    # given grids in two villages of 七一路街道, an inactive one, and one in another county
    x1 = GridFactory(region=tree.village_a1x)
    y1 = GridFactory(region=tree.village_a1y)
    GridFactory(region=tree.village_a1x, is_active=False)
    GridFactory(region=tree.village_b1x)
    scope = scope_for(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))

    # then the scope's active grids are offered, narrowed to one village when it is known
    assert set(grid_queryset(scope, None)) == {x1, y1}
    assert list(grid_queryset(scope, tree.village_a1x.pk)) == [x1]
    # a village outside the scope yields nothing rather than its grids
    assert list(grid_queryset(scope, tree.village_b1x.pk)) == []


def test_grid_counts_by_village_count_workers_in_post_at_the_period_end(tree):
    import datetime as dt

    from governance.models import RegionLevel
    from governance.periods import Period
    from grids.contract import GridCounts, unscoped_grid_counts_by_region
    from grids.models import GridWorkerAssignment

    # given three grids in 云梦堤社区: one staffed through November, one whose worker left
    # in November, one never staffed; and an inactive grid
    staffed = GridFactory(region=tree.village_a1x, households=100, population=300)
    left = GridFactory(region=tree.village_a1x, households=50, population=120)
    GridFactory(region=tree.village_a1x, households=10, population=20)
    GridFactory(region=tree.village_a1x, is_active=False, households=999)
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    GridWorkerAssignment.objects.create(grid=staffed, worker=worker, started_on=dt.date(2025, 1, 1))
    GridWorkerAssignment.objects.create(grid=left, worker=worker, started_on=dt.date(2025, 1, 1),
                                        ended_on=dt.date(2026, 11, 15))

    counts = unscoped_grid_counts_by_region(level=RegionLevel.VILLAGE, region_ids=[tree.village_a1x.pk,
                                            tree.village_a1y.pk], period=Period.month(2026, 11))

    assert counts[tree.village_a1x.pk] == GridCounts(grids=3, grids_with_worker=1, households=160, population=440)
    assert counts[tree.village_a1y.pk] == GridCounts(0, 0, 0, 0)
