"""Inbox boxes per role, and counts in one query equal to the boxes' lengths."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes import selectors, services
from disputes.models import Case, CaseState, Escalation, WarningLevel
from governance.errors import NotFound
from governance.models import RegionLevel
from governance.scoping import scope_for

pytestmark = pytest.mark.django_db


def _box(user, box):
    return {c.pk for c in selectors.case_inbox(scope=scope_for(user), user=user, box=box)}


@pytest.fixture
def cases(world):
    made = {state: world.case_in(state) for state in
            (CaseState.REGISTERED, CaseState.ACCEPTED, CaseState.DISPATCHED, CaseState.IN_PROGRESS,
             CaseState.RESOLVED, CaseState.CLOSED)}
    handled = world.case_in(CaseState.ACCEPTED)
    made["handled"] = services.case_handle(actor=world.town_staff, case_id=handled.pk)
    Case.objects.filter(pk__in=[made[CaseState.DISPATCHED].pk, made["handled"].pk]).update(
        warning_level=WarningLevel.RED)
    return made


def test_window_staff_boxes(world, cases):
    staff = world.town_staff
    assert _box(staff, "to_accept") == {cases[CaseState.REGISTERED].pk}
    assert _box(staff, "to_dispatch") == {cases[CaseState.ACCEPTED].pk}
    assert _box(staff, "to_callback") == {cases[CaseState.RESOLVED].pk}
    # the center's own 先行调解 case is in its in-progress box; the one at the 司法所 is not
    assert _box(staff, "in_progress") == {cases["handled"].pk}
    assert _box(staff, "to_sign") == set()
    assert _box(staff, "overdue") == {cases["handled"].pk}
    # another township's staff have nothing
    for box in selectors.BOXES:
        assert _box(world.other_town_staff, box) == set()


def test_handler_boxes(world, cases):
    assert _box(world.handler, "to_sign") == {cases[CaseState.DISPATCHED].pk}
    assert _box(world.handler, "in_progress") == {cases[CaseState.IN_PROGRESS].pk}
    assert _box(world.handler, "overdue") == {cases[CaseState.DISPATCHED].pk}
    assert _box(world.handler, "to_accept") == set()
    assert _box(world.other_handler, "to_sign") == set()


def test_county_sees_township_cases_in_lists_but_not_in_its_boxes_until_escalated(world, cases):
    dispatcher = world.county_dispatcher
    assert _box(dispatcher, "to_accept") == set()
    # when a case is escalated to the county and owned there
    case = cases[CaseState.ACCEPTED]
    Case.objects.filter(pk=case.pk).update(owning_region=world.tree.county_a, owning_level=RegionLevel.COUNTY)
    Escalation.objects.create(case=case, from_level="township", to_level="county", to_region=world.tree.county_a,
                              reason="manual", actor=world.town_staff)
    assert _box(dispatcher, "escalated") == {case.pk}
    assert _box(dispatcher, "to_dispatch") == {case.pk}
    assert _box(world.town_staff, "to_dispatch") == set()


@pytest.mark.parametrize("who", ["town_staff", "handler", "county_dispatcher", "county_leader", "grid_worker"])
def test_counts_equal_box_lengths_in_one_query(world, cases, who):
    user = getattr(world, who)
    scope = scope_for(user)
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.case_inbox_counts(scope=scope, user=user)
    assert len(queries) == 1
    assert set(counts) == set(selectors.BOXES)
    for box in selectors.BOXES:
        assert counts[box] == selectors.case_inbox(scope=scope, user=user, box=box).count() == len(_box(user, box))


def test_unknown_box_is_not_found(world):
    with pytest.raises(NotFound):
        selectors.case_inbox(scope=scope_for(world.town_staff), user=world.town_staff, box="everything")
