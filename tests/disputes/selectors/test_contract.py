"""disputes.contract: what other apps may read of cases — typed values, scoped or aggregated."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes import contract
from disputes.models import Case, CaseState, WarningLevel
from governance.models import RegionLevel, Role
from governance.periods import Period
from governance.scoping import scope_for
from governance.workdays import SHANGHAI
from grids.contract import GridCase, grid_case_reader
from tests.factories import CaseFactory, GridFactory, UserFactory

pytestmark = pytest.mark.django_db
NOV = Period.month(2026, 11)


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


def stamp(case: Case, **values) -> None:
    Case.objects.filter(pk=case.pk).update(**values)


def test_case_counts_by_township_follow_their_written_definitions(tree):
    # given cases of 七一路街道 registered in November, one before it, one rejected, and
    # resolutions and closures dated inside and outside the period
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    inside = CaseFactory(village=tree.village_a1x, registered_by=clerk)
    rejected = CaseFactory(village=tree.village_a1y, state=CaseState.REJECTED, registered_by=clerk)
    before = CaseFactory(village=tree.village_a1x, state=CaseState.IN_PROGRESS, registered_by=clerk)
    stamp(inside, created_at=at(1, 0), resolved_at=at(30, 23), state=CaseState.RESOLVED)
    stamp(rejected, created_at=at(15))
    stamp(before, created_at=dt.datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI), warning_level=WarningLevel.RED)
    closed = CaseFactory(village=tree.village_a1x, state=CaseState.CLOSED, registered_by=clerk)
    stamp(closed, created_at=at(2), resolved_at=dt.datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI), closed_at=at(20))
    other = CaseFactory(village=tree.village_b1x, registered_by=clerk)
    stamp(other, created_at=at(3))

    # when assessment asks for two townships, one of them with no cases
    counts = contract.unscoped_case_counts_by_region(
        level=RegionLevel.TOWNSHIP, region_ids=[tree.town_a1.pk, tree.town_a2.pk], period=NOV)

    # then every asked region is answered, with plain values, by the period in Shanghai time
    assert counts[tree.town_a2.pk] == contract.CaseCounts()
    assert counts[tree.town_a1.pk] == contract.CaseCounts(registered=3, rejected=1, resolved=1, closed=1, open_red=1)
    assert tree.town_b1.pk not in counts


def test_grid_cases_are_scoped_typed_values_newest_first(tree):
    grid = GridFactory(region=tree.village_a1x)
    far_grid = GridFactory(region=tree.village_b1x)
    registrar = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    old = CaseFactory(village=tree.village_a1x, grid=grid, registered_by=registrar, title="旧")
    new = CaseFactory(village=tree.village_a1x, grid=grid, registered_by=registrar, title="新")
    stamp(old, created_at=at(1))
    stamp(new, created_at=at(2))
    CaseFactory(village=tree.village_b1x, grid=far_grid, registered_by=registrar)
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)

    with CaptureQueriesContext(connection) as queries:
        rows = grid_case_reader()(scope=scope_for(worker), grid_ids=[grid.pk, far_grid.pk], limit=10)

    # the reader the grids app calls is the published one, it answers values, not model rows
    assert grid_case_reader() is contract.grid_cases
    assert [type(r) for r in rows] == [GridCase, GridCase]
    assert [r.title for r in rows] == ["新", "旧"]
    assert rows[0].detail_url == f"/cases/{new.pk}/" and rows[0].state_label == "已登记"
    assert len(queries) == 1
    assert grid_case_reader()(scope=scope_for(worker), grid_ids=[grid.pk], limit=1)[0].id == new.pk


def test_period_bounds_are_shanghai_days():
    assert NOV.starts_at == dt.datetime(2026, 11, 1, tzinfo=SHANGHAI)
    assert NOV.ends_before == dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert Period.month(2026, 12).end == dt.date(2026, 12, 31)
    assert Period.year(2027) == Period(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    with pytest.raises(ValueError):
        Period(dt.date(2026, 2, 1), dt.date(2026, 1, 31))
