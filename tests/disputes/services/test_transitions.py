"""The transition table, action by action and state by state: what is listed succeeds,
everything else is a Conflict (fail closed)."""
import pytest

from disputes import services
from disputes.actions import TRANSITIONS
from disputes.models import CaseEvent, CaseState
from governance.errors import Conflict
from tests.disputes.services.conftest import SERVICE_ACTIONS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_every_state_action_pair(world, settings, tmp_path, action, state):
    settings.MEDIA_ROOT = tmp_path
    # given a case in `state`
    case = world.case_in(state)
    events_before = CaseEvent.objects.filter(case=case).count()
    transition = TRANSITIONS[action]
    if transition.allows(state):
        # when the listed action is taken, then it succeeds and lands where the table says
        world.perform(action, case)
        case.refresh_from_db()
        expected = transition.target or state
        assert case.state == expected
        assert CaseEvent.objects.filter(case=case).count() > events_before
        assert CaseEvent.objects.filter(case=case).latest("id").action == action
    else:
        # when any other action is tried, then it is a conflict and nothing changes
        with pytest.raises(Conflict) as exc:
            world.perform(action, case)
        assert exc.value.code == "invalid_state"
        assert str(CaseState(state).label) in exc.value.message
        case.refresh_from_db()
        assert case.state == state


def test_every_transition_writes_exactly_one_event(world):
    case = world.register()
    steps = [
        lambda: services.case_accept(actor=world.town_staff, case_id=case.pk),
        lambda: services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk),
        lambda: services.case_sign(actor=world.handler, case_id=case.pk),
        lambda: services.case_resolve(actor=world.handler, case_id=case.pk, note="已调解"),
        lambda: services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=True, note="满意"),
    ]
    for n, step in enumerate(steps, start=2):
        step()
        assert CaseEvent.objects.filter(case=case).count() == n
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "register", "accept", "dispatch", "sign", "resolve", "callback"]
