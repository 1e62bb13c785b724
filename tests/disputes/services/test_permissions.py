"""Every action × role: the declared map plus the object rules (owning center, assignee,
upper level). Out of jurisdiction is NotFound for every service and selector."""
import pytest

from disputes import permissions, selectors, services
from disputes.actions import TRANSITIONS
from disputes.models import CaseState, ExtensionRequest
from governance.errors import Forbidden, NotFound
from governance.models import Role
from governance.permissions import roles_for
from governance.scoping import scope_for
from tests.disputes.services.conftest import SERVICE_ACTIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The state each action is tried in (one its transition allows).
STATE_FOR = {
    "accept": CaseState.REGISTERED, "reject": CaseState.REGISTERED,
    "dispatch": CaseState.ACCEPTED, "handle": CaseState.ACCEPTED,
    "sign": CaseState.DISPATCHED, "return": CaseState.DISPATCHED,
    "callback": CaseState.RESOLVED,
}
# Who succeeds in the world (a township A1 case dispatched to the township 司法所): the
# township window staff for the center's own actions, the assigned handler, a county
# dispatcher/leader above the township for oversight, the leader for 批示/加急.
SUCCEEDS = {
    "accept": {Role.WINDOW_STAFF}, "reject": {Role.WINDOW_STAFF}, "dispatch": {Role.WINDOW_STAFF},
    "handle": {Role.WINDOW_STAFF}, "callback": {Role.WINDOW_STAFF}, "extend_decide": {Role.WINDOW_STAFF},
    "link": {Role.WINDOW_STAFF},
    "sign": {Role.HANDLER}, "return": {Role.HANDLER}, "progress": {Role.HANDLER}, "resolve": {Role.HANDLER},
    "extend": {Role.HANDLER}, "mediation": {Role.HANDLER},
    "refer": {Role.HANDLER}, "confirm_request": {Role.HANDLER}, "referral_result": {Role.HANDLER},
    "attachment": {Role.WINDOW_STAFF, Role.HANDLER},
    "supervise": {Role.DISPATCHER, Role.LEADER}, "urge": {Role.DISPATCHER, Role.LEADER},
    # the county dispatcher issued the 督办; the county's leader is over the issuer's center
    "supervise_withdraw": {Role.DISPATCHER, Role.LEADER},
    "instruct": {Role.LEADER}, "urgent": {Role.LEADER},
}


def _actor(world, role):
    if role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        # 三员分立 (issue 15): the security and audit administrators, at the city like the
        # system administrator, may do no case action either.
        return UserFactory(role=role, region=world.administrator.region)
    return {
        Role.WINDOW_STAFF: world.town_staff, Role.DISPATCHER: world.county_dispatcher, Role.HANDLER: world.handler,
        Role.GRID_WORKER: world.grid_worker, Role.LEADER: world.county_leader, Role.ADMINISTRATOR: world.administrator,
    }[role]


def test_the_map_is_registered_with_the_kernel():
    for action, roles in permissions.ACTIONS.items():
        assert roles_for(f"disputes.{action}") == roles
    assert set(SERVICE_ACTIONS) <= set(permissions.ACTIONS)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_every_action_by_every_role(world, settings, tmp_path, action, role):
    settings.MEDIA_ROOT = tmp_path
    case = world.case_in(STATE_FOR.get(action, CaseState.IN_PROGRESS))
    actor = _actor(world, role)
    assert scope_for(actor).covers(case)  # every actor here can see the case
    if role in SUCCEEDS[action]:
        world.perform(action, case, actor=actor)
        assert case.events.latest("id").action == action
    else:
        with pytest.raises(Forbidden):
            world.perform(action, case, actor=actor)


@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_available_actions_match_what_the_services_allow(world, action):
    case = world.case_in(STATE_FOR.get(action, CaseState.IN_PROGRESS))
    if action == "extend_decide":
        ExtensionRequest.objects.create(case=case, days=3, reason="x", requested_by=world.handler)
    if action == "supervise_withdraw":
        services.case_supervise(actor=world.county_dispatcher, case_id=case.pk, level="normal")
    for role in Role:
        actor = _actor(world, role)
        available = permissions.case_available_actions(user=actor, case=case)
        assert (action in available) == (role in SUCCEEDS[action]), (action, role, available)


def test_county_sees_a_township_case_but_does_not_act_for_the_township(world):
    case = world.register()
    with pytest.raises(Forbidden) as exc:
        services.case_accept(actor=world.county_staff, case_id=case.pk)
    assert "七一路街道" in exc.value.message
    assert selectors.case_get(scope=scope_for(world.county_staff), case_id=case.pk) == case


def test_an_unassigned_department_cannot_sign_or_resolve(world):
    case = world.case_in(CaseState.DISPATCHED)
    for actor in (world.other_handler, world.county_handler):
        with pytest.raises(Forbidden):
            services.case_sign(actor=actor, case_id=case.pk)
    services.case_sign(actor=world.handler, case_id=case.pk)
    with pytest.raises(Forbidden):
        services.case_resolve(actor=world.other_handler, case_id=case.pk, note="x")
    # the owning center does not resolve on the department's behalf while it holds the case
    with pytest.raises(Forbidden):
        services.case_resolve(actor=world.town_staff, case_id=case.pk, note="x")


def test_township_cannot_supervise_its_own_case_city_can(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    with pytest.raises(Forbidden):
        services.case_urge(actor=world.town_dispatcher, case_id=case.pk)
    services.case_supervise(actor=world.city_dispatcher, case_id=case.pk, level="red")


def test_lower_center_dispatched_by_the_county_signs_and_resolves(world):
    # given a case the county window registered (owned at county) and dispatched to township A1
    case = world.register(actor=world.county_staff)
    services.case_accept(actor=world.county_staff, case_id=case.pk)
    services.case_dispatch(actor=world.county_staff, case_id=case.pk, region_id=world.tree.town_a1.pk)
    # then the township center signs and resolves it, the other township cannot
    with pytest.raises(NotFound):
        services.case_sign(actor=world.other_town_staff, case_id=case.pk)
    services.case_sign(actor=world.town_staff, case_id=case.pk)
    case = services.case_resolve(actor=world.town_staff, case_id=case.pk, note="已化解")
    assert case.state == CaseState.RESOLVED
    # and the callback belongs to the owning county center
    with pytest.raises(Forbidden):
        services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=True, note="满意")
    assert services.case_callback(actor=world.county_staff, case_id=case.pk, satisfied=True, note="满意").state == "closed"


# --- Jurisdiction: outside is NotFound, for every service and selector ---------------------------

@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_every_service_outside_the_jurisdiction_is_not_found(world, action):
    case = world.case_in(STATE_FOR.get(action, CaseState.IN_PROGRESS))
    outsiders = [world.other_town_staff, world.far_handler,
                 UserFactory(role=Role.LEADER, region=world.tree.county_b),
                 UserFactory(role=Role.DISPATCHER, region=world.tree.county_b)]
    for outsider in outsiders:
        assert action in TRANSITIONS
        with pytest.raises(NotFound):
            world.perform(action, case, actor=outsider)


def test_every_selector_and_reveal_outside_the_jurisdiction_is_not_found(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    party = case.parties.get()
    scope = scope_for(world.other_town_staff)
    with pytest.raises(NotFound):
        selectors.case_get(scope=scope, case_id=case.pk)
    with pytest.raises(NotFound):
        selectors.case_events(scope=scope, case_id=case.pk)
    with pytest.raises(NotFound):
        selectors.case_parties(scope=scope, case_id=case.pk)
    with pytest.raises(NotFound):
        selectors.case_list(scope=scope, filters={"region": world.tree.village_a1x.pk})
    assert case not in selectors.case_list(scope=scope)
    for box in selectors.BOXES:
        assert case not in selectors.case_inbox(scope=scope, user=world.other_town_staff, box=box)
    assert case not in selectors.related_case_hints(scope=scope, village_id=case.village_id,
                                                    category_id=case.category_id)
    with pytest.raises(NotFound):
        services.party_reveal(actor=world.other_town_staff, party_id=party.pk, field="phone")
    assert permissions.case_available_actions(user=world.other_town_staff, case=case) == []


def test_dispatch_targets_outside_the_jurisdiction_are_not_found(world):
    from tests.factories import DepartmentFactory

    case = world.case_in(CaseState.ACCEPTED)
    with pytest.raises(NotFound):
        services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.far_handler.department_id)
    with pytest.raises(NotFound):  # the county's department is above the township center
        services.case_dispatch(actor=world.town_staff, case_id=case.pk,
                               department_id=world.county_handler.department_id)
    with pytest.raises(NotFound):
        services.case_dispatch(actor=world.town_staff, case_id=case.pk, region_id=world.tree.town_a2.pk)
    inactive = DepartmentFactory(name="已撤并单位", region=world.tree.town_a1, is_active=False)
    from governance.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=inactive.pk)
    other_village = DepartmentFactory(name="青年路社区居委会", region=world.tree.village_a1y)
    with pytest.raises(InvalidInput):  # a village committee of another village
        services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=other_village.pk)
