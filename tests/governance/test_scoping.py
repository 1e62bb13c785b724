"""The jurisdiction helper at every level: each user sees exactly their subtree."""
import pytest

from governance.errors import NotFound
from governance.models import Role
from governance.scoping import NoJurisdiction, scope_for
from grids.models import Grid
from tests.factories import GridFactory, UserFactory


@pytest.fixture
def grids(tree):
    return {
        v: GridFactory(region=getattr(tree, v))
        for v in ("village_a1x", "village_a1y", "village_a2x", "village_b1x")
    }


@pytest.mark.parametrize(
    ("region_attr", "expected"),
    [
        ("village_a1x", {"village_a1x"}),
        ("town_a1", {"village_a1x", "village_a1y"}),
        ("county_a", {"village_a1x", "village_a1y", "village_a2x"}),
        ("city", {"village_a1x", "village_a1y", "village_a2x", "village_b1x"}),
    ],
)
def test_each_level_sees_exactly_its_subtree(tree, grids, region_attr, expected):
    # given a user at this level
    user = UserFactory(role=Role.WINDOW_STAFF, region=getattr(tree, region_attr))
    # when the scope filters all grids
    visible = set(scope_for(user).filter(Grid.objects.all()).values_list("pk", flat=True))
    # then exactly the grids of the subtree are visible
    assert visible == {grids[v].pk for v in expected}


def test_region_subtree_and_requested_region_outside_is_not_found(tree):
    scope = scope_for(UserFactory(region=tree.town_a1))
    assert set(scope.regions()) == {tree.town_a1, tree.village_a1x, tree.village_a1y}
    assert scope.region_in_scope(tree.village_a1x.pk) == tree.village_a1x
    with pytest.raises(NotFound):
        scope.region_in_scope(tree.village_a2x.pk)
    with pytest.raises(NotFound):
        scope.region_in_scope("not-a-number")


def test_require_raises_not_found_outside(tree, grids):
    scope = scope_for(UserFactory(region=tree.town_a1))
    assert scope.require(grids["village_a1x"]) == grids["village_a1x"]
    with pytest.raises(NotFound):
        scope.require(grids["village_b1x"])


def test_user_without_region_has_no_scope(db):
    with pytest.raises(NoJurisdiction):
        scope_for(UserFactory(region=None))
