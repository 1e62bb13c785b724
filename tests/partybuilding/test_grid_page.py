"""The grid page shows the party groups covering the grid (grids' GridPartyReader port),
scoped, and only to roles that read party building."""
import datetime as dt

import pytest
from django.urls import reverse

from governance.models import Role
from partybuilding.models import PartyGroup, PartyGroupKind
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_with_group(tree):
    grid = GridFactory(region=tree.village_a1x, name="云梦堤第一网格")
    group = PartyGroup.objects.create(name="云梦堤第一网格党小组", kind=PartyGroupKind.SINGLE, region=tree.village_a1x,
                                      established_on=dt.date(2025, 3, 1))
    group.grids.set([grid])
    other = PartyGroup.objects.create(name="别处党小组", kind=PartyGroupKind.SINGLE, region=tree.village_a1y,
                                      established_on=dt.date(2025, 3, 1))
    other.grids.set([GridFactory(region=tree.village_a1y)])
    return grid, group


def test_a_township_dispatcher_sees_the_grids_party_group_with_a_link(client, tree, grid_with_group):
    grid, group = grid_with_group
    client.force_login(UserFactory(role=Role.DISPATCHER, region=tree.town_a1))

    body = client.get(reverse("grids:manage_detail", args=[grid.pk])).content.decode()

    assert 'data-testid="grid-party"' in body
    assert group.name in body and reverse("partybuilding:group", args=[group.pk]) in body
    assert "别处党小组" not in body


def test_a_role_that_does_not_read_party_building_sees_no_party_section(client, tree, grid_with_group):
    grid, group = grid_with_group
    client.force_login(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))

    response = client.get(reverse("grids:manage_detail", args=[grid.pk]))

    assert response.status_code == 200
    assert 'data-testid="grid-party"' not in response.content.decode()
    assert group.name not in response.content.decode()
