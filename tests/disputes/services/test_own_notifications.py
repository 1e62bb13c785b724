"""An actor is never notified of what they did themselves — neither of their action nor of
what the system does inside it (越级上报 at acceptance) — while their colleagues are."""
import pytest

from disputes import services
from disputes.models import CaseEvent, CaseState, EscalationPolicy
from governance.models import Notification, RegionLevel

pytestmark = pytest.mark.django_db


def _own_notifications() -> list[tuple[str, str]]:
    """(recipient, event key) of every notification about an event its recipient made, or
    about a system event made in the same transaction as one of the recipient's."""
    events = {e.pk: e for e in CaseEvent.objects.all()}
    own = []
    for n in Notification.objects.select_related("recipient"):
        event = events[int(n.event_key.rsplit(":", 1)[1])]
        actors = {e.actor_id for e in events.values() if e.case_id == event.case_id and e.created_at == event.created_at}
        if n.recipient_id == event.actor_id or (event.actor_id is None and n.recipient_id in actors):
            own.append((n.recipient.username, n.event_key))
    return own


def test_the_accepting_clerk_is_not_told_of_the_rule_escalation_her_acceptance_made(world):
    # Given a 越级上报 rule: neighbour disputes at the township go straight to the county
    EscalationPolicy.objects.create(level=RegionLevel.TOWNSHIP, category=world.category.parent,
                                    yellow_ratio="0.80", direct_to_level=RegionLevel.COUNTY)
    case = world.register()
    Notification.objects.all().delete()

    # When the township clerk accepts it (and the rule sends it up in the same transaction)
    case = services.case_accept(actor=world.town_staff, case_id=case.pk)

    # Then the county and her colleague hear of the move, and she does not
    assert case.owning_level == RegionLevel.COUNTY
    told = set(Notification.objects.filter(event_key__contains=":escalate:").values_list("recipient_id", flat=True))
    assert world.town_staff.pk not in told
    assert {world.town_dispatcher.pk, world.county_staff.pk, world.county_dispatcher.pk} <= told
    assert _own_notifications() == []


def test_a_whole_loop_notifies_nobody_of_their_own_actions(world):
    # register, accept, dispatch, return, dispatch, sign, extend, decide, supervise, urge,
    # resolve, 重办, resolve, callback, and the township reporting another case up
    case = world.case_in(CaseState.DISPATCHED)
    services.case_return(actor=world.handler, case_id=case.pk, reason="不属于本单位职责")
    services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk)
    services.case_sign(actor=world.handler, case_id=case.pk)
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="需要鉴定")
    services.case_extend_decide(actor=world.town_dispatcher, case_id=case.pk, approve=True)
    services.case_supervise(actor=world.county_dispatcher, case_id=case.pk, level="normal", note="抓紧")
    services.case_urge(actor=world.county_dispatcher, case_id=case.pk, note="请尽快")
    services.case_resolve(actor=world.handler, case_id=case.pk, note="已调解")
    services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=False, note="不满意")
    services.case_resolve(actor=world.handler, case_id=case.pk, note="重新调解")
    services.case_callback(actor=world.town_dispatcher, case_id=case.pk, satisfied=True, note="满意")
    other = world.case_in(CaseState.ACCEPTED)
    services.case_escalate(actor=world.town_staff, case_id=other.pk, note="乡镇无法化解")

    assert Notification.objects.exists()
    assert _own_notifications() == []
