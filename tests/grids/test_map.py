"""The grid map and its GeoJSON: only grids in the jurisdiction, coloured by open and overdue
cases counted in the same jurisdiction, a region outside it is 404, constant queries."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.models import CaseState, WarningLevel
from governance.models import Role
from tests.factories import CaseFactory, GridFactory, UserFactory
from tests.grids.geo import square

pytestmark = pytest.mark.django_db
DATA = reverse("grids:map_data")
PAGE = reverse("grids:map")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tree):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    a1x = GridFactory(region=tree.village_a1x, name="云梦堤一网格", boundary=square(0, 0))
    a1y = GridFactory(region=tree.village_a1y, name="青年路一网格", boundary=square(1, 0))
    centre_only = GridFactory(region=tree.village_a1y, name="只有中心点", centre_lng="108.925", centre_lat="35.055")
    unmapped = GridFactory(region=tree.village_a1y, name="未绘制")
    a2 = GridFactory(region=tree.village_a2x, name="红旗一网格", boundary=square(2, 0))
    b1 = GridFactory(region=tree.village_b1x, name="城关一网格", boundary=square(9, 9))
    CaseFactory(village=tree.village_a1x, grid=a1x, registered_by=clerk, state=CaseState.IN_PROGRESS)
    CaseFactory(village=tree.village_a1x, grid=a1x, registered_by=clerk, state=CaseState.ACCEPTED,
                warning_level=WarningLevel.RED)
    CaseFactory(village=tree.village_a1x, grid=a1x, registered_by=clerk, state=CaseState.CLOSED)
    CaseFactory(village=tree.village_a1y, grid=a1y, registered_by=clerk, state=CaseState.REGISTERED)
    CaseFactory(village=tree.village_a2x, grid=a2, registered_by=clerk, state=CaseState.REGISTERED,
                warning_level=WarningLevel.RED)
    return {"clerk": clerk, "a1x": a1x, "a1y": a1y, "centre_only": centre_only, "unmapped": unmapped, "a2": a2,
            "b1": b1}


def test_township_sees_only_its_grids_and_their_counts(tree, world):
    body = signed_in(world["clerk"]).get(DATA).json()
    by_name = {f["properties"]["name"]: f for f in body["features"]}
    assert set(by_name) == {"云梦堤一网格", "青年路一网格", "只有中心点"}
    assert (by_name["云梦堤一网格"]["properties"]["open"], by_name["云梦堤一网格"]["properties"]["overdue"]) == (2, 1)
    assert by_name["云梦堤一网格"]["properties"]["status"] == "overdue"
    assert by_name["青年路一网格"]["properties"]["status"] == "open"
    assert by_name["只有中心点"]["geometry"] == {"type": "Point", "coordinates": [108.925, 35.055]}
    assert by_name["只有中心点"]["properties"]["status"] == "clear"
    assert by_name["云梦堤一网格"]["properties"]["url"] == reverse("grids:detail", args=[world["a1x"].pk])
    assert (body["grids"], body["unmapped"], body["open"], body["overdue"]) == (4, 1, 3, 1)


def test_county_and_region_filter(tree, world):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    body = signed_in(dispatcher).get(DATA).json()
    names = {f["properties"]["name"] for f in body["features"]}
    assert "红旗一网格" in names and "城关一网格" not in names
    body = signed_in(dispatcher).get(DATA, {"region": tree.town_a2.pk}).json()
    assert [f["properties"]["name"] for f in body["features"]] == ["红旗一网格"]
    assert body["overdue"] == 1


def test_a_region_outside_the_jurisdiction_is_404(tree, world):
    client = signed_in(world["clerk"])
    for region in (tree.town_a2, tree.village_b1x, tree.county_a):
        assert client.get(DATA, {"region": region.pk}).status_code == 404
        assert client.get(PAGE, {"region": region.pk}).status_code == 404
    assert client.get(DATA, {"region": "99999999999999999999"}).status_code == 404


def test_data_in_constant_queries(tree, world):
    client = signed_in(world["clerk"])
    client.get(DATA)
    with CaptureQueriesContext(connection) as few:
        client.get(DATA)
    for n in range(5):
        grid = GridFactory(region=tree.village_a1x, boundary=square(3 + n, 1))
        CaseFactory(village=tree.village_a1x, grid=grid, registered_by=world["clerk"], state=CaseState.REGISTERED)
    with CaptureQueriesContext(connection) as many:
        body = client.get(DATA).json()
    assert len(body["features"]) == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_page_has_no_base_map_unless_configured(tree, world, settings):
    client = signed_in(world["clerk"])
    html = client.get(PAGE).content.decode()
    assert 'data-tiles=""' in html and f'data-url="{DATA}"' in html
    assert "vendor/leaflet/leaflet.js" in html and tree.village_a1x.name in html
    assert tree.village_b1x.name not in html  # the region filter offers only the jurisdiction
    settings.MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    assert 'data-tiles="/tiles/{z}/{x}/{y}.png"' in client.get(PAGE).content.decode()
    assert Client().get(PAGE).status_code == 302 and Client().get(DATA).status_code == 302
