"""RegionLevel arithmetic: rank, one step up or down, the levels above and below."""
import pytest

from governance.models import LEVEL_ORDER, RegionLevel

CITY, COUNTY, TOWNSHIP, VILLAGE = RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE


def test_rank_counts_from_the_city_down():
    assert [level.rank for level in LEVEL_ORDER] == [0, 1, 2, 3]
    assert RegionLevel("township").rank == 2  # a stored value converts first


@pytest.mark.parametrize(("level", "parent", "child"), [
    (CITY, None, COUNTY),
    (COUNTY, CITY, TOWNSHIP),
    (TOWNSHIP, COUNTY, VILLAGE),
    (VILLAGE, TOWNSHIP, None),
])
def test_parent_and_child_are_one_step_up_and_down(level, parent, child):
    assert level.parent is parent
    assert level.child is child


def test_levels_above_and_below_are_nearest_first():
    assert VILLAGE.above == (TOWNSHIP, COUNTY, CITY)
    assert TOWNSHIP.above == (COUNTY, CITY)
    assert CITY.above == ()
    assert COUNTY.below == (TOWNSHIP, VILLAGE)
    assert VILLAGE.below == ()


def test_is_above_compares_with_levels_and_stored_values():
    assert COUNTY.is_above(TOWNSHIP)
    assert COUNTY.is_above("village")
    assert not COUNTY.is_above(COUNTY)
    assert not TOWNSHIP.is_above(CITY)
    with pytest.raises(ValueError):
        COUNTY.is_above("province")


def test_the_helpers_are_not_choices():
    # the enum's members and choices stay the four levels (migrations and the schema see no change)
    assert RegionLevel.values == ["city", "county", "township", "village"]
    assert len(RegionLevel.choices) == 4
