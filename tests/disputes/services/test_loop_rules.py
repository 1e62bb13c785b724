"""The closed loop's rules as policy data (LoopPolicy): who calls back, the return window,
how many extensions — each at its boundary."""
import datetime as dt

import pytest
from django.utils import timezone

from disputes import permissions, selectors, services
from disputes.models import (
    CallbackBy,
    CaseState,
    EscalationPolicy,
    LoopPolicy,
    Supervision,
    SupervisionKind,
    UrgeWhen,
)
from disputes.policies import LoopRules, case_loop_rule
from disputes.sweep import deadline_sweep
from governance.errors import Conflict, Forbidden
from governance.models import Notification, RegionLevel
from governance.scoping import scope_for
from governance.workdays import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)
S = dt.timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch):
    """Frozen time that tests move (governance.clock reads timezone.now outside frozen_at)."""
    state = {"now": MONDAY}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def move_to(moment):
        state["now"] = moment
        return moment

    return move_to


def _policy(level=RegionLevel.TOWNSHIP, **values) -> LoopPolicy:
    policy = LoopPolicy.objects.get(level=level, category__isnull=True)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def test_every_level_is_seeded_from_domain_md():
    for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
        policy = LoopPolicy.objects.get(level=level, category__isnull=True)
        assert (policy.callback_by, policy.return_window_working_days, policy.max_extensions, policy.urge_when,
                policy.urge_cooldown_hours) == (CallbackBy.INTAKE_OR_OWNER, 2, 1, "overdue", 24)
        assert "谁受理谁回访" in policy.source and "2个工作日" in policy.source


def test_the_category_row_wins_then_its_parent_then_the_level(world):
    parent = world.category.parent
    _policy(max_extensions=1)
    LoopPolicy.objects.create(level=RegionLevel.TOWNSHIP, category=parent, max_extensions=2)
    rules = LoopRules.load(level=RegionLevel.TOWNSHIP)
    assert rules.rule_for(level="township", category_id=world.category.pk, parent_id=parent.pk).max_extensions == 2
    assert rules.rule_for(level="township", category_id=world.contract.pk,
                          parent_id=world.contract.parent_id).max_extensions == 1
    LoopPolicy.objects.create(level=RegionLevel.TOWNSHIP, category=world.category, max_extensions=3)
    assert case_loop_rule(world.register()).max_extensions == 3
    # no row at all: no limit
    LoopPolicy.objects.all().delete()
    assert case_loop_rule(world.register()).max_extensions is None


# --- Who calls back -------------------------------------------------------------------------


def _reported_up_and_resolved(world):
    """A township case the township reported up (上报) while its 司法所 handled it, then resolved."""
    case = world.case_in(CaseState.IN_PROGRESS)
    services.case_escalate(actor=world.town_staff, case_id=case.pk, note="涉及多个部门，乡镇无法化解")
    return services.case_resolve(actor=world.handler, case_id=case.pk, note="已调解")


def test_the_township_calls_back_a_case_it_reported_up(world):
    # Given a case the township took in, reported up to the county and the 司法所 resolved
    case = _reported_up_and_resolved(world)
    assert (case.owning_level, case.intake_region_id) == (RegionLevel.COUNTY, world.tree.town_a1.pk)

    # Then the township (谁受理谁回访) has it to call back, and may
    assert case.pk in {c.pk for c in selectors.case_inbox(scope=scope_for(world.town_staff), user=world.town_staff,
                                                        box="to_callback")}
    assert "callback" in permissions.case_available_actions(user=world.town_staff, case=case)
    case = services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=True, note="满意")

    # And the county, which owns it, hears that it was archived
    assert case.state == CaseState.CLOSED
    told = set(Notification.objects.filter(event_key__contains=":callback:").values_list("recipient_id", flat=True))
    assert told == {world.county_staff.pk, world.county_dispatcher.pk}


def test_the_owning_center_may_call_back_too(world):
    case = _reported_up_and_resolved(world)
    assert "callback" in permissions.case_available_actions(user=world.county_staff, case=case)
    case = services.case_callback(actor=world.county_staff, case_id=case.pk, satisfied=True, note="满意")
    assert case.state == CaseState.CLOSED


def test_a_center_that_neither_took_it_in_nor_owns_it_may_not_call_back(world):
    case = _reported_up_and_resolved(world)
    assert "callback" not in permissions.case_available_actions(user=world.city_dispatcher, case=case)
    with pytest.raises(Forbidden):
        services.case_callback(actor=world.city_dispatcher, case_id=case.pk, satisfied=True, note="满意")


@pytest.mark.parametrize(("callback_by", "township", "county"), [
    (CallbackBy.INTAKE, True, False),
    (CallbackBy.OWNER, False, True),
])
def test_callback_by_names_who_calls_back(world, callback_by, township, county):
    # the rule of the level that owns the case now (the county) decides
    case = _reported_up_and_resolved(world)
    _policy(RegionLevel.COUNTY, callback_by=callback_by)
    assert ("callback" in permissions.case_available_actions(user=world.town_staff, case=case)) is township
    assert ("callback" in permissions.case_available_actions(user=world.county_staff, case=case)) is county
    allowed, refused = (world.town_staff, world.county_staff) if township else (world.county_staff, world.town_staff)
    with pytest.raises(Forbidden):
        services.case_callback(actor=refused, case_id=case.pk, satisfied=True, note="满意")
    assert services.case_callback(actor=allowed, case_id=case.pk, satisfied=True, note="满意").state == "closed"


# --- The return window --------------------------------------------------------------------------

RETURN_BY = dt.datetime(2026, 9, 16, 23, 59, 59, tzinfo=SHANGHAI)  # 2 working days after Monday 09-14


def _dispatched(world):
    case = world.case_in(CaseState.ACCEPTED)
    return services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk)


def test_the_dispatch_stamps_the_end_of_the_return_window(world, clock):
    case = _dispatched(world)
    assert case.assignments.get().return_by == RETURN_BY


def test_return_on_the_last_second_of_the_window(world, clock):
    case = _dispatched(world)
    clock(RETURN_BY)
    assert "return" in permissions.case_available_actions(user=world.handler, case=case)
    case = services.case_return(actor=world.handler, case_id=case.pk, reason="不属于本单位职责")
    assert (case.state, case.return_count) == (CaseState.ACCEPTED, 1)


def test_no_return_one_second_after_the_window(world, clock):
    # Bug: 退回 was allowed at any time before signing, even after the sign deadline.
    case = _dispatched(world)
    clock(RETURN_BY + S)
    assert "return" not in permissions.case_available_actions(user=world.handler, case=case)
    assert "sign" in permissions.case_available_actions(user=world.handler, case=case)
    with pytest.raises(Conflict) as exc:
        services.case_return(actor=world.handler, case_id=case.pk, reason="不属于本单位职责")
    assert exc.value.code == "return_window_closed"
    assert "已超过退回时限" in exc.value.message and "2026-09-16 23:59" in exc.value.message
    case.refresh_from_db()
    assert (case.state, case.return_count) == (CaseState.DISPATCHED, 0)


def test_an_empty_window_sets_no_limit(world, clock):
    _policy(return_window_working_days=None)
    case = _dispatched(world)
    assert case.assignments.get().return_by is None
    clock(RETURN_BY + dt.timedelta(days=30))
    assert services.case_return(actor=world.handler, case_id=case.pk, reason="不属于本单位职责").state == "accepted"


# --- How many extensions ----------------------------------------------------------------------


def _extended(world, times: int):
    case = world.case_in(CaseState.IN_PROGRESS)
    for _n in range(times):
        services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="需要现场勘查")
        case = services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True)
    return case


@pytest.mark.parametrize("most", [1, 2])
def test_extensions_up_to_the_limit_and_not_one_more(world, most):
    # Bug: nothing limited repeated extensions.
    _policy(max_extensions=most)
    case = _extended(world, most - 1)
    # the last one allowed: offered, requested and approved
    assert "extend" in permissions.case_available_actions(user=world.handler, case=case)
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="需要现场勘查")
    case = services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True)
    # one more: not offered, and refused with the count
    assert "extend" not in permissions.case_available_actions(user=world.handler, case=case)
    with pytest.raises(Conflict) as exc:
        services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="还需延期")
    assert exc.value.code == "extension_limit"
    assert f"已批准延期{most}次" in exc.value.message


def test_refused_requests_do_not_count(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="需要现场勘查")
    services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=False)
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="需要现场勘查")
    assert services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True).state == "in_progress"


def test_a_pending_request_beyond_a_lowered_limit_cannot_be_approved(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="需要现场勘查")
    _policy(max_extensions=0)
    with pytest.raises(Conflict):
        services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True)
    # it can still be refused
    services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=False)


def test_no_limit_when_the_rule_sets_none(world):
    _policy(max_extensions=None)
    case = _extended(world, 3)
    assert case.extensions.filter(status="approved").count() == 3


# --- Automatic 催办 by the sweep -----------------------------------------------------------------


@pytest.fixture
def stays_red(db):
    """The township keeps its red cases three days before they move up, so the sweep's 催办
    has something to urge at the township."""
    EscalationPolicy.objects.filter(level=RegionLevel.TOWNSHIP, category__isnull=True).update(escalate_after_hours=72)


def _urges(case):
    return list(Supervision.objects.filter(case=case, kind=SupervisionKind.URGE).order_by("id"))


def _notified(kind):
    return sorted(Notification.objects.filter(event_key__contains=f":{kind}:").values_list("recipient_id", flat=True))


def test_an_overdue_step_is_urged_the_day_after_its_deadline_once(world, clock, stays_red):
    # Given a case the 司法所 signed for: its first automatic 催办 is the second after the deadline
    case = world.case_in(CaseState.IN_PROGRESS)
    assert case.urge_at == case.due_at + S

    # When the sweep runs at the deadline: red not yet, no 催办
    assert deadline_sweep(now=case.due_at).urged == 0
    assert _urges(case) == []

    # When it runs one second later: red card and one 催办 by the system, one message each
    result = deadline_sweep(now=case.due_at + S)
    assert (result.red, result.urged) == (1, 1)
    [urge] = _urges(case)
    assert urge.by is None and "已超过环节期限" in urge.note
    event = case.events.get(action="urge")
    assert (event.actor, event.data["supervision_id"], event.data["automatic"]) == (None, urge.pk, True)
    # the owning center's staff and the handler hear of the 催办; the red card adds no second message
    assert _notified("urge") == sorted([world.town_staff.pk, world.town_dispatcher.pk, world.handler.pk])
    assert _notified("red") == []
    case.refresh_from_db()
    assert case.urge_at == case.due_at + S + dt.timedelta(hours=24)


def test_no_second_urge_within_the_cool_down(world, clock, stays_red):
    case = world.case_in(CaseState.IN_PROGRESS)
    first = case.due_at + S
    deadline_sweep(now=first)
    sent = Notification.objects.count()

    # a second sweep within the 24-hour cool-down (and a re-run of the first) sends nothing
    assert deadline_sweep(now=first).urged == 0
    assert deadline_sweep(now=first + dt.timedelta(hours=24) - S).urged == 0
    assert (len(_urges(case)), Notification.objects.count()) == (1, sent)

    # once it has passed, one more
    assert deadline_sweep(now=first + dt.timedelta(hours=24)).urged == 1
    assert len(_urges(case)) == 2


def test_due_soon_urges_from_the_yellow_card(world, clock, stays_red):
    _policy(urge_when=UrgeWhen.DUE_SOON)
    case = world.case_in(CaseState.IN_PROGRESS)
    assert case.urge_at == case.yellow_at
    assert deadline_sweep(now=case.yellow_at - S).urged == 0
    result = deadline_sweep(now=case.yellow_at)
    assert (result.yellow, result.urged) == (1, 1)
    assert "即将届满" in _urges(case)[0].note
    assert _notified("yellow") == []  # the 催办 is the one message


def test_never_urges_nothing(world, clock, stays_red):
    _policy(urge_when=UrgeWhen.NEVER)
    case = world.case_in(CaseState.IN_PROGRESS)
    assert case.urge_at is None
    assert deadline_sweep(now=case.due_at + dt.timedelta(days=30)).urged == 0


def test_a_rule_switched_off_after_the_stamp_urges_nothing(world, clock, stays_red):
    case = world.case_in(CaseState.IN_PROGRESS)
    _policy(urge_when=UrgeWhen.NEVER)
    assert deadline_sweep(now=case.due_at + S).urged == 0
    case.refresh_from_db()
    assert case.urge_at is None and _urges(case) == []


def test_a_case_that_moves_up_is_not_urged_for_the_step_it_left(world, clock):
    # with the seeded policies a red township case moves to the county at once
    case = world.case_in(CaseState.IN_PROGRESS)
    result = deadline_sweep(now=case.due_at + S)
    assert (result.escalated, result.urged) == (1, 0)
    case.refresh_from_db()
    assert case.owning_level == RegionLevel.COUNTY and case.urge_at == case.due_at + S


def test_the_clock_stopping_ends_the_urges(world, clock, stays_red):
    case = world.case_in(CaseState.RESOLVED)
    case = services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=True, note="满意")
    assert case.urge_at is None
