"""case_list / case_get / case_events: scope first, filters, constant query count."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes import selectors, services
from disputes.models import Case, CaseState, Channel, WarningLevel
from governance.errors import InvalidInput, NotFound
from governance.scoping import scope_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _list_page(qs):
    """What a list page/API touches for each row (case_rows.html, CaseListOutputSerializer).
    The grid, risk grade and category path are detail fields (case_get): list joins are kept
    to what a row shows, since every join adds PostgreSQL planning time to each request."""
    return [(c.number, c.category.name, c.category.code, c.owning_region.name, c.township.name, c.village.name)
            for c in qs]


def test_each_level_lists_exactly_its_subtree(world):
    a1 = world.register()
    a2 = world.register(actor=world.other_town_staff, village_id=world.tree.village_a2x.pk)
    assert set(selectors.case_list(scope=scope_for(world.town_staff))) == {a1}
    assert set(selectors.case_list(scope=scope_for(world.county_dispatcher))) == {a1, a2}
    assert set(selectors.case_list(scope=scope_for(world.far_handler))) == set()


def test_filters(world):
    first = world.register(title="宅基地边界争议")
    second = world.register(category_id=world.contract.pk, channel=Channel.PHONE)
    services.case_accept(actor=world.town_staff, case_id=second.pk)
    Case.objects.filter(pk=first.pk).update(warning_level=WarningLevel.RED)
    scope = scope_for(world.town_staff)

    def ids(**filters):
        return {c.pk for c in selectors.case_list(scope=scope, filters=filters)}

    assert ids(state="accepted") == {second.pk}
    assert ids(state=["registered", "accepted"]) == {first.pk, second.pk}
    assert ids(category=world.contract.pk) == {second.pk}
    assert ids(category=world.category.parent_id) == {first.pk}  # a top level covers its children
    assert ids(channel="phone") == {second.pk}
    assert ids(warning_level="red") == {first.pk}
    assert ids(q="宅基地") == {first.pk}
    assert ids(q=second.number) == {second.pk}
    assert ids(region=world.tree.village_a1x.pk) == {first.pk, second.pk}
    assert ids(region=world.tree.village_a1y.pk) == set()
    today = first.created_at.astimezone(dt.UTC).date()
    assert ids(created_from=today - dt.timedelta(days=2), created_to=today + dt.timedelta(days=2)) == {
        first.pk, second.pk}
    assert ids(created_from=(today + dt.timedelta(days=2)).isoformat()) == set()
    ordered = [c.pk for c in selectors.case_list(scope=scope, filters={"ordering": "created_at"})]
    assert ordered == [first.pk, second.pk]


@pytest.mark.parametrize("filters", [
    {"state": "lost"}, {"channel": "fax"}, {"warning_level": "purple"}, {"ordering": "password"},
    {"created_from": "yesterday"}, {"category": "x"},
])
def test_bad_filters_are_invalid_input(world, filters):
    with pytest.raises(InvalidInput):
        list(selectors.case_list(scope=scope_for(world.town_staff), filters=filters))


def test_region_outside_the_scope_is_not_found_not_empty(world):
    with pytest.raises(NotFound):
        selectors.case_list(scope=scope_for(world.town_staff), filters={"region": world.tree.town_a2.pk})


def test_case_get_and_events(world):
    case = world.case_in(CaseState.DISPATCHED)
    scope = scope_for(world.county_leader)
    assert selectors.case_get(scope=scope, case_id=str(case.pk)) == case
    assert [e.action for e in selectors.case_events(scope=scope, case_id=case.pk)] == [
        "register", "accept", "dispatch"]
    for missing in (999999, "abc", None):
        with pytest.raises(NotFound):
            selectors.case_get(scope=scope, case_id=missing)


def test_list_query_count_is_constant(world):
    from tests.factories import GridFactory

    grid = GridFactory(region=world.tree.village_a1y)

    def make(n):
        for _ in range(n):
            CaseFactory(village=world.tree.village_a1y, category=world.category, grid=grid, registered_by=world.town_staff)

    scope = scope_for(world.town_staff)
    make(2)
    with CaptureQueriesContext(connection) as two:
        assert len(_list_page(selectors.case_list(scope=scope))) == 2
    make(8)
    with CaptureQueriesContext(connection) as ten:
        assert len(_list_page(selectors.case_list(scope=scope))) == 10
    assert len(two) == len(ten) == 1


def test_case_get_loads_what_the_detail_shows_in_one_query(world):
    from tests.factories import GridFactory

    grid = GridFactory(region=world.tree.village_a1y)
    case = CaseFactory(village=world.tree.village_a1y, category=world.category, grid=grid,
                       registered_by=world.town_staff)
    with CaptureQueriesContext(connection) as ctx:
        got = selectors.case_get(scope=scope_for(world.town_staff), case_id=case.pk)
        shown = (str(got.category), got.owning_region.name, got.township.name, got.village.name, got.grid.name,
                 got.risk_grade and got.risk_grade.name, str(got.registered_by), got.duplicate_of_id)
    assert shown[4] == grid.name
    assert len(ctx) == 1
