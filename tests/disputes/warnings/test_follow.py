"""Notifications on new warnings, and a dispatcher's acknowledge / assign by compare-and-set."""
from __future__ import annotations

import datetime as dt

import pytest

from disputes.models import EarlyWarning, WarningKind, WarningState
from disputes.services import warning_follow
from disputes.services.warnings import warnings_evaluate_all, warnings_evaluate_case
from governance import clock
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Notification
from tests.disputes.warnings.conftest import NOW, case_at

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def warning(people, only_rule, category) -> EarlyWarning:
    only_rule(WarningKind.GROUP, min_people=5)
    case = case_at(NOW - DAY, people.tree.village_a1x, category, people_involved=8)
    with clock.frozen_at(NOW):
        warnings_evaluate_case(case_id=case.pk, actor_id=people.town_dispatcher.pk)
    return EarlyWarning.objects.get()


def test_new_warning_notifies_the_township_and_county_dispatchers_but_not_the_actor(people, warning):
    notified = set(Notification.objects.filter(event_key=f"warning:{warning.pk}:raised")
                   .values_list("recipient_id", flat=True))
    # The actor (the township dispatcher who registered it) hears nothing of their own doing;
    # window staff, another township and another county are not told.
    assert notified == {people.county_dispatcher.pk}


def test_periodic_run_notifies_every_dispatcher_over_the_warning(people, only_rule, category):
    only_rule(WarningKind.GROUP, min_people=5)
    case_at(NOW - DAY, people.tree.village_a1x, category, people_involved=8)
    with clock.frozen_at(NOW):
        warnings_evaluate_all()
        warnings_evaluate_all()
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [people.town_dispatcher.pk, people.county_dispatcher.pk])


def test_acknowledge_moves_to_history_once(people, warning):
    done = warning_follow.warning_acknowledge(actor=people.county_dispatcher, warning_id=warning.pk, note="已核实")
    assert (done.state, done.handled_by_id, done.note) == (WarningState.ACKNOWLEDGED, people.county_dispatcher.pk,
                                                           "已核实")
    with pytest.raises(Conflict):
        warning_follow.warning_acknowledge(actor=people.town_dispatcher, warning_id=warning.pk)


def test_concurrent_acknowledgements_one_wins_the_other_conflicts(people, warning, monkeypatch):
    # Both dispatchers read the warning while it was open
    seen = EarlyWarning.objects.get(pk=warning.pk)
    warning_follow.warning_acknowledge(actor=people.county_dispatcher, warning_id=warning.pk)
    monkeypatch.setattr(warning_follow, "warning_get", lambda **kwargs: seen)

    # The second compare-and-set finds the state changed under it
    with pytest.raises(Conflict) as raised:
        warning_follow.warning_acknowledge(actor=people.town_dispatcher, warning_id=warning.pk)
    assert raised.value.code == "stale"
    assert EarlyWarning.objects.get(pk=warning.pk).handled_by_id == people.county_dispatcher.pk


def test_assign_follow_up_notifies_the_assignee(people, warning):
    done = warning_follow.warning_assign(actor=people.county_dispatcher, warning_id=warning.pk,
                                         assignee_id=people.town_staff.pk, note="请入户核实")
    assert (done.state, done.assignee_id) == (WarningState.FOLLOWING, people.town_staff.pk)
    assert Notification.objects.filter(recipient=people.town_staff, event_key__startswith=f"warning:{warning.pk}:assign")\
        .exists()
    # Following up can still be acknowledged afterwards
    warning_follow.warning_acknowledge(actor=people.county_dispatcher, warning_id=warning.pk)


def test_assign_refuses_people_outside_the_jurisdiction_and_an_empty_note(people, warning):
    with pytest.raises(NotFound):
        warning_follow.warning_assign(actor=people.town_dispatcher, warning_id=warning.pk,
                                      assignee_id=people.county_dispatcher.pk, note="核实")
    with pytest.raises(NotFound):
        warning_follow.warning_assign(actor=people.town_dispatcher, warning_id=warning.pk, assignee_id="x", note="核实")
    with pytest.raises(InvalidInput):
        warning_follow.warning_assign(actor=people.town_dispatcher, warning_id=warning.pk,
                                      assignee_id=people.town_staff.pk, note="  ")


def test_window_staff_may_not_handle_and_outsiders_do_not_see(people, warning):
    with pytest.raises(Forbidden):
        warning_follow.warning_acknowledge(actor=people.town_staff, warning_id=warning.pk)
    with pytest.raises(NotFound):
        warning_follow.warning_acknowledge(actor=people.other_town_dispatcher, warning_id=warning.pk)
    with pytest.raises(NotFound):
        warning_follow.warning_acknowledge(actor=people.far_dispatcher, warning_id=warning.pk)
