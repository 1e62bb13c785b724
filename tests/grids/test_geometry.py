"""Point in grid: the STRtree index, its cross-process version key, scope and the county test."""
from __future__ import annotations

import datetime as dt

import pytest

from governance.errors import InvalidInput
from governance.models import Role
from governance.scoping import scope_for
from grids import geometry
from grids.contract import grid_locate
from grids.models import Grid
from tests.factories import GridFactory, UserFactory
from tests.grids.geo import centre, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def grids(tree):
    """County A: A1's 云梦堤 at cells (0,0),(1,0); A2's 红旗 at (2,0). County B's 城关 at (10,10)."""
    return {
        "a1": GridFactory(region=tree.village_a1x, boundary=square(0, 0)),
        "a1b": GridFactory(region=tree.village_a1x, boundary=square(1, 0)),
        "a2": GridFactory(region=tree.village_a2x, boundary=square(2, 0)),
        "b1": GridFactory(region=tree.village_b1x, boundary=square(10, 10)),
    }


def test_point_finds_its_grid_and_a_shared_edge_goes_to_the_lower_code(grids):
    lng, lat = centre(1, 0)
    assert geometry.unscoped_grid_at_point(lng=lng, lat=lat).grid_id == grids["a1b"].pk
    shared = geometry.unscoped_grid_at_point(lng=108.91, lat=35.055)  # the edge between (0,0) and (1,0)
    assert shared.grid_id == min(grids["a1"], grids["a1b"], key=lambda g: g.code).pk
    assert geometry.unscoped_grid_at_point(lng=108.5, lat=35.5) is None


def test_scope_answers_only_its_own_grids(tree, grids):
    clerk_a1 = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    scope = scope_for(clerk_a1)
    assert grid_locate(scope=scope, lng=centre(0, 0)[0], lat=centre(0, 0)[1]).grid_id == grids["a1"].pk
    # A2's grid is in the same county: inside the county, but not A1's to see → None
    assert grid_locate(scope=scope, lng=centre(2, 0)[0], lat=centre(2, 0)[1]) is None


def test_outside_the_county_is_a_clear_error(tree, grids):
    scope = scope_for(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))
    lng, lat = centre(10, 10)  # county B's grid
    with pytest.raises(InvalidInput) as exc:
        grid_locate(scope=scope, lng=lng, lat=lat)
    assert exc.value.code == "outside_county"
    assert "不在本县(区)范围内" in exc.value.extra["fields"]["location"]
    for bad in (("abc", "35"), ("200", "35"), ("108.9", "NaN")):
        with pytest.raises(InvalidInput):
            grid_locate(scope=scope, lng=bad[0], lat=bad[1])


def test_city_scope_sees_every_county(tree, grids):
    scope = scope_for(UserFactory(role=Role.LEADER, region=tree.city))
    lng, lat = centre(10, 10)
    assert grid_locate(scope=scope, lng=lng, lat=lat).grid_id == grids["b1"].pk


def test_index_follows_the_database_across_processes(tree, grids, django_assert_num_queries, monkeypatch):
    lng, lat = centre(5, 0)
    assert geometry.unscoped_grid_at_point(lng=lng, lat=lat) is None
    # warm, inside the re-check window: no query at all
    with django_assert_num_queries(0):
        geometry.unscoped_grid_at_point(lng=lng, lat=lat)
    # this process adds a grid: its save resets the window, the next lookup sees it
    added = GridFactory(region=tree.village_a1y, boundary=square(5, 0))
    assert geometry.unscoped_grid_at_point(lng=lng, lat=lat).grid_id == added.pk
    # another process moves the boundary (no signal here): unseen inside the window ...
    moved = {"boundary": square(6, 0), "updated_at": added.updated_at + dt.timedelta(seconds=1)}
    Grid.objects.filter(pk=added.pk).update(**moved)
    assert geometry.unscoped_grid_at_point(lng=lng, lat=lat).grid_id == added.pk
    # ... and used once the window has passed: one query for the version, then the reload
    monkeypatch.setattr(geometry, "VERSION_RECHECK_SECONDS", 0)
    assert geometry.unscoped_grid_at_point(lng=lng, lat=lat) is None
    assert geometry.unscoped_grid_at_point(lng=centre(6, 0)[0], lat=centre(6, 0)[1]).grid_id == added.pk
    with django_assert_num_queries(1):
        geometry.unscoped_grid_at_point(lng=lng, lat=lat)
    # another process deactivates a grid (count changes): gone
    Grid.objects.filter(pk=grids["a1"].pk).update(is_active=False)
    assert geometry.unscoped_grid_at_point(lng=centre(0, 0)[0], lat=centre(0, 0)[1]) is None


def test_broken_boundaries_are_skipped(tree):
    GridFactory(region=tree.village_a1x, boundary={"type": "Point", "coordinates": [108.9, 35.05]})
    GridFactory(region=tree.village_a1x, boundary={"type": "Polygon", "coordinates": [[[1, 2]]]})
    bowtie = {"type": "Polygon", "coordinates": [[[108.9, 35.05], [108.91, 35.06], [108.91, 35.05],
                                                  [108.9, 35.06], [108.9, 35.05]]]}
    ok = GridFactory(region=tree.village_a1x, boundary=bowtie)
    assert geometry.unscoped_grid_at_point(lng=108.9025, lat=35.055).grid_id == ok.pk
