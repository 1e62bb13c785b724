"""Deadlines per step from policy, warnings reset, return/redo/extension bookkeeping,
stale versions, notifications after commit."""
import datetime as dt

import pytest
from django.utils import timezone

from disputes import deadlines, services
from disputes.models import (
    AssignmentStatus,
    CaseAssignment,
    CaseState,
    ExtensionStatus,
    LoopPolicy,
    Step,
    TimeLimitPolicy,
    WarningLevel,
)
from governance.errors import Conflict, InvalidInput
from governance.models import Notification
from governance.workdays import SHANGHAI, add_days

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)  # National Day week follows


@pytest.fixture
def clock(monkeypatch):
    """Frozen time that tests move forward."""
    state = {"now": MONDAY}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def move(**delta):
        state["now"] = state["now"] + dt.timedelta(**delta)
        return state["now"]

    move.now = lambda: state["now"]
    return move


def _due(level, step, now, category=None):
    policy = (TimeLimitPolicy.objects.filter(level=level, step=step, category=category, channel="").first()
              or TimeLimitPolicy.objects.get(level=level, step=step, category=None, channel=""))
    return add_days(now, policy.days, working=policy.day_kind == "working").due_at


def test_seeded_policies_cover_every_level_and_step():
    for level in ("township", "county", "city"):
        for step in Step.values:
            policy = TimeLimitPolicy.objects.get(level=level, step=step, category=None, channel="")
            assert policy.source
    # The mediation limit is the procedure's (先行调解), at every level; no category carries it.
    for level in ("township", "county", "city"):
        mediation = TimeLimitPolicy.objects.get(level=level, step=Step.MEDIATE, category=None, channel="")
        assert (mediation.days, mediation.day_kind) == (30, "natural")
    assert not TimeLimitPolicy.objects.filter(category__code="17").exists()


def test_each_step_gets_its_deadline_from_policy(world, clock):
    # register (accept step): 3 working days at the township
    case = world.register(category_id=world.contract.pk)
    assert (case.step, case.due_at) == (Step.ACCEPT, _due("township", "accept", MONDAY))
    # accept: the center has a fresh accept period to dispatch or handle
    now = clock(hours=2)
    case = services.case_accept(actor=world.town_staff, case_id=case.pk)
    assert (case.step, case.due_at, case.accepted_at) == (Step.ACCEPT, _due("township", "accept", now), now)
    # dispatch: 1 working day to sign; the assignment runs to sign + handle
    now = clock(hours=1)
    case = services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk)
    sign_due = add_days(now, 1)
    assert (case.step, case.due_at) == (Step.SIGN, sign_due.due_at)
    assignment = CaseAssignment.objects.get(case=case)
    assert assignment.due_at == add_days(sign_due.due_date, 15).due_at
    # sign: 15 working days from signing (the National Day holiday skipped)
    now = clock(hours=1)
    case = services.case_sign(actor=world.handler, case_id=case.pk)
    assert (case.step, case.due_at) == (Step.HANDLE, _due("township", "handle", now))
    assert case.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 10, 23)
    # resolve: 5 working days for the callback
    now = clock(days=3)
    case = services.case_resolve(actor=world.handler, case_id=case.pk, note="已调解")
    assert (case.step, case.due_at, case.resolved_at) == (Step.CALLBACK, _due("township", "callback", now), now)
    # callback satisfied: closed, the clock stops
    now = clock(days=1)
    case = services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=True, note="满意")
    assert (case.state, case.due_at, case.closed_at) == (CaseState.CLOSED, None, now)
    case.refresh_from_db()
    assert case.due_at is None and case.state == CaseState.CLOSED


def test_mediation_limit_and_county_level_policies(world, clock):
    # 先行调解 by the township: the mediation step, 30 natural days (人民调解)
    case = world.case_in(CaseState.ACCEPTED)
    case = services.case_handle(actor=world.town_staff, case_id=case.pk)
    assert case.step == Step.MEDIATE
    assert case.due_at.astimezone(SHANGHAI).date() == dt.date(2026, 10, 28)
    # the same category owned at county uses the county's mediation row
    TimeLimitPolicy.objects.filter(level="county", step=Step.MEDIATE, category=None, channel="").update(
        days=10, day_kind="working")
    county_case = world.register(actor=world.county_staff)
    services.case_accept(actor=world.county_staff, case_id=county_case.pk)
    county_case = services.case_handle(actor=world.county_staff, case_id=county_case.pk)
    assert county_case.due_at == add_days(MONDAY, 10).due_at


def test_a_new_step_clears_the_warning(world, clock):
    case = world.register()
    type(case).objects.filter(pk=case.pk).update(warning_level=WarningLevel.RED, red_at=MONDAY)
    case = services.case_accept(actor=world.town_staff, case_id=case.pk)
    assert (case.warning_level, case.red_at) == (WarningLevel.NONE, None)
    case.refresh_from_db()
    assert (case.warning_level, case.red_at) == (WarningLevel.NONE, None)


def test_return_keeps_history_and_needs_a_reason(world, clock):
    case = world.case_in(CaseState.DISPATCHED)
    with pytest.raises(InvalidInput):
        services.case_return(actor=world.handler, case_id=case.pk, reason=" ")
    now = clock(hours=1)
    case = services.case_return(actor=world.handler, case_id=case.pk, reason="不属于司法所职责")
    assert (case.state, case.step, case.return_count) == (CaseState.ACCEPTED, Step.ACCEPT, 1)
    assert case.due_at == _due("township", "accept", now)
    returned = CaseAssignment.objects.get(case=case)
    assert (returned.status, returned.return_reason) == (AssignmentStatus.RETURNED, "不属于司法所职责")
    # the center dispatches again to another unit; the returned assignment stays on record
    services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.other_handler.department_id)
    assert CaseAssignment.objects.filter(case=case).count() == 2


def test_unsatisfied_callback_reopens_with_the_same_department(world, clock):
    # 重办 (DESIGN.md §4): back to in_progress, the last unit takes it back with a fresh
    # handling deadline from the callback; the first dispatch stays on record
    case = world.case_in(CaseState.RESOLVED)
    now = clock(days=1)
    case = services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=False, note="当事人不满意")
    assert (case.state, case.step, case.redo_count) == (CaseState.IN_PROGRESS, Step.HANDLE, 1)
    assert case.due_at == _due("township", "handle", now, world.category.parent)
    statuses = list(CaseAssignment.objects.filter(case=case).order_by("id").values_list("status", "department_id"))
    assert statuses == [(AssignmentStatus.COMPLETED, world.dept.pk), (AssignmentStatus.SIGNED, world.dept.pk)]
    # the department resolves it again
    assert services.case_resolve(actor=world.handler, case_id=case.pk, note="重新调解").state == CaseState.RESOLVED


def test_reject_needs_reason_and_referral(world):
    case = world.register()
    with pytest.raises(InvalidInput) as exc:
        services.case_reject(actor=world.town_staff, case_id=case.pk, reason="", referral="")
    assert set(exc.value.extra["fields"]) == {"reason", "referral"}
    case = services.case_reject(actor=world.town_staff, case_id=case.pk, reason="属于诉讼程序", referral="人民法院")
    assert (case.state, case.due_at) == (CaseState.REJECTED, None)
    assert case.events.latest("id").data["referral"] == "人民法院"


def test_extension_request_and_approval_move_the_deadline(world, clock):
    case = world.case_in(CaseState.IN_PROGRESS)
    due = case.due_at
    request = services.case_extend_request(actor=world.handler, case_id=case.pk, days=5, reason="需鉴定")
    assert request.status == ExtensionStatus.PENDING
    with pytest.raises(Conflict):  # one pending request per case
        services.case_extend_request(actor=world.handler, case_id=case.pk, days=3, reason="再延")
    with pytest.raises(InvalidInput):
        services.case_extend_request(actor=world.handler, case_id=case.pk, days=0, reason="x")
    case = services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True, note="同意")
    assert case.due_at == add_days(due, 5).due_at
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ExtensionStatus.APPROVED, world.town_staff)
    with pytest.raises(Conflict):  # nothing left to decide
        services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True)
    # a second extension is beyond the loop rule's count (seeded: one per case)
    with pytest.raises(Conflict) as exc:
        services.case_extend_request(actor=world.handler, case_id=case.pk, days=2, reason="再延")
    assert exc.value.code == "extension_limit"
    # where the rule allows more, a refused request leaves the deadline alone
    LoopPolicy.objects.filter(level=case.owning_level, category__isnull=True).update(max_extensions=2)
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=2, reason="再延")
    unchanged = services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=False)
    assert unchanged.due_at == case.due_at


def test_stale_version_is_a_conflict(world):
    case = world.register()
    with pytest.raises(Conflict) as exc:
        services.case_accept(actor=world.town_staff, case_id=case.pk, version=case.version + 1)
    assert exc.value.code == "stale"
    accepted = services.case_accept(actor=world.town_staff, case_id=case.pk, version=case.version)
    assert accepted.version == case.version + 1
    with pytest.raises(Conflict):  # the page still holds the old version
        services.case_handle(actor=world.town_staff, case_id=case.pk, version=case.version)


def test_a_row_changed_between_read_and_update_is_a_stale_conflict(world, monkeypatch):
    # given another writer bumps the version after this request has read the case
    case = world.register()
    real = deadlines.step_changes

    def interleaved(case_obj, step, now):
        type(case_obj).objects.filter(pk=case_obj.pk).update(version=case_obj.version + 1)
        return real(case_obj, step, now)

    monkeypatch.setattr(deadlines, "step_changes", interleaved)
    # when accepting, then the compare-and-set finds no row and nothing is written
    with pytest.raises(Conflict) as exc:
        services.case_accept(actor=world.town_staff, case_id=case.pk)
    assert exc.value.code == "stale"
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED
    assert case.events.count() == 1


def test_second_open_assignment_is_a_conflict_not_a_crash(world):
    # given an accepted case that somehow already holds an open assignment
    case = world.case_in(CaseState.ACCEPTED)
    CaseAssignment.objects.create(case=case, department=world.dept, assigned_by=world.town_staff)
    with pytest.raises(Conflict):
        services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_notifications_go_out_after_commit_to_the_right_people(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.register()
    # the township center's other staff hear about the new case, not the one who typed it
    assert Notification.objects.filter(recipient=world.town_dispatcher).count() == 1
    assert not Notification.objects.filter(recipient=world.town_staff).exists()
    services.case_accept(actor=world.town_staff, case_id=case.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk)
    # the inbox row is written with the action (a rolled-back action leaves none) ...
    note = Notification.objects.get(recipient=world.handler)
    assert case.number in note.title and note.link.endswith(f"/cases/{case.pk}/")
    # ... but nothing goes out through the channel before the commit
    assert note.sent_at is None
    for callback in callbacks:
        callback()
    note.refresh_from_db()
    assert note.sent_at is not None
    assert not Notification.objects.filter(recipient=world.other_handler).exists()
