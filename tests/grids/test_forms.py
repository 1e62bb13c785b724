"""grids.forms.grid_queryset: the grid select of other apps' forms, inside the scope."""
import pytest

from governance.models import Role
from governance.scoping import scope_for
from grids.forms import grid_queryset
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
