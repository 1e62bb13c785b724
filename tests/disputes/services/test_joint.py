"""一揽子调处: a lead unit and assisting units on one case, each signing, working and reporting;
the lead resolves once every assisting unit has reported, or the center withdrew a part."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from disputes import permissions, services
from disputes.deadlines import PolicyBook
from disputes.models import AssignmentRole, AssignmentStatus, CaseAssignment, CaseState, Mediation, MediationOutcome
from disputes.sweep import deadline_sweep
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import DepartmentKind, Notification, Role
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(world):
    """A township A1 case dispatched to 司法所 (lead) with 派出所 assisting."""
    case = world.case_in(CaseState.ACCEPTED)
    police = world.other_handler.department
    case = services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk,
                                  assist_department_ids=[police.pk], instructions="联合调处")
    return case, police


def _assist(case):
    return CaseAssignment.objects.get(case=case, role=AssignmentRole.ASSIST)


def test_dispatch_with_an_assisting_unit_gives_each_its_own_assignment_and_notice(world, joint):
    case, police = joint
    lead = CaseAssignment.objects.get(case=case, role=AssignmentRole.LEAD)
    assist = _assist(case)
    assert (lead.department, lead.status) == (world.dept, AssignmentStatus.PENDING)
    assert (assist.department, assist.status, assist.due_at) == (police, AssignmentStatus.PENDING, lead.due_at)
    event = case.events.latest("id")
    assert event.action == "dispatch" and event.data["assist_department_ids"] == [police.pk]
    # both units' handlers hear of it, the actor does not
    notified = set(Notification.objects.filter(event_key__startswith=f"case:{case.pk}:dispatch:")
                   .values_list("recipient_id", flat=True))
    assert {world.handler.pk, world.other_handler.pk} <= notified and world.town_staff.pk not in notified


def test_the_lead_cannot_resolve_before_the_assisting_unit_reports(world, joint):
    case, _police = joint
    services.case_sign(actor=world.handler, case_id=case.pk)
    with pytest.raises(Conflict) as exc:
        services.case_resolve(actor=world.handler, case_id=case.pk, note="调解成功")
    assert exc.value.code == "assist_pending" and "七一路派出所" in exc.value.message
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS  # nothing partial
    # the assisting unit signs and reports; then the lead resolves
    services.case_assist_sign(actor=world.other_handler, case_id=case.pk)
    with pytest.raises(Forbidden):  # only once
        services.case_assist_sign(actor=world.other_handler, case_id=case.pk)
    services.case_assist_report(actor=world.other_handler, case_id=case.pk, note="已核实现场并出具证明")
    assist = _assist(case)
    assert (assist.status, assist.result) == (AssignmentStatus.COMPLETED, "已核实现场并出具证明")
    case = services.case_resolve(actor=world.handler, case_id=case.pk, note="调解成功")
    assert case.state == CaseState.RESOLVED
    actions = list(case.events.order_by("id").values_list("action", flat=True))
    assert actions[-4:] == ["sign", "assist_sign", "assist_report", "resolve"]


def test_the_center_withdraws_a_silent_unit_with_a_reason_and_the_lead_resolves(world, joint):
    case, _police = joint
    services.case_sign(actor=world.handler, case_id=case.pk)
    assist = _assist(case)
    with pytest.raises(InvalidInput):
        services.case_assist_withdraw(actor=world.town_staff, case_id=case.pk, assignment_id=assist.pk, reason=" ")
    with pytest.raises(Forbidden):  # the lead does not override for the center
        services.case_assist_withdraw(actor=world.handler, case_id=case.pk, assignment_id=assist.pk, reason="x")
    services.case_assist_withdraw(actor=world.town_staff, case_id=case.pk, assignment_id=assist.pk,
                                  reason="派出所已另案处理")
    assist.refresh_from_db()
    assert (assist.status, assist.return_reason) == (AssignmentStatus.WITHDRAWN, "派出所已另案处理")
    with pytest.raises(Forbidden):  # nothing left to withdraw
        services.case_assist_withdraw(actor=world.town_staff, case_id=case.pk, assignment_id=assist.pk, reason="x")
    assert services.case_resolve(actor=world.handler, case_id=case.pk, note="调解成功").state == CaseState.RESOLVED


def test_bad_joint_dispatches_are_refused_whole(world):
    case = world.case_in(CaseState.ACCEPTED)
    police = world.other_handler.department
    far = world.far_handler.department
    for assists, error in (([police.pk, police.pk], InvalidInput), ([world.dept.pk], InvalidInput),
                           ([far.pk], NotFound), ([10**18], NotFound), (["x"], NotFound)):
        with pytest.raises(error):
            services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk,
                                   assist_department_ids=assists)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and not CaseAssignment.objects.filter(case=case).exists()
    # a unit of another township inside the county is in scope of the county only: refused
    other_town = DepartmentFactory(name="红旗街司法所", kind=DepartmentKind.JUSTICE, region=world.tree.town_a2)
    with pytest.raises(NotFound):
        services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk,
                               assist_department_ids=[other_town.pk])


def test_the_database_keeps_one_open_lead_and_one_open_part_per_unit(world, joint):
    case, police = joint
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAssignment.objects.create(case=case, department=world.county_handler.department,
                                      assigned_by=world.town_staff)  # a second open lead
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseAssignment.objects.create(case=case, department=police, role=AssignmentRole.ASSIST,
                                      assigned_by=world.town_staff)


def test_a_return_by_the_lead_ends_the_assisting_parts_too(world, joint):
    case, _police = joint
    services.case_return(actor=world.handler, case_id=case.pk, reason="不属于本单位职责")
    assert _assist(case).status == AssignmentStatus.WITHDRAWN
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_assisting_units_see_the_case_and_their_actions_only(world, joint):
    case, _police = joint
    case.refresh_from_db()
    assert "assist_sign" in permissions.case_available_actions(user=world.other_handler, case=case)
    assert "sign" not in permissions.case_available_actions(user=world.other_handler, case=case)
    assert "assist_sign" not in permissions.case_available_actions(user=world.handler, case=case)
    assert "assist_withdraw" in permissions.case_available_actions(user=world.town_staff, case=case)
    # an unrelated handler has nothing to do, and a handler of another county cannot see it
    stranger = UserFactory(role=Role.HANDLER, region=world.tree.town_a1,
                           department=DepartmentFactory(name="七一路城管", region=world.tree.town_a1))
    with pytest.raises(Forbidden):
        services.case_assist_sign(actor=stranger, case_id=case.pk)
    with pytest.raises(NotFound):
        services.case_assist_sign(actor=world.far_handler, case_id=case.pk)


def test_an_assisting_unit_past_its_deadline_gets_its_red_card_once(world, joint):
    case, _police = joint
    assist = _assist(case)
    later = assist.due_at + dt.timedelta(seconds=1)
    before = assist.due_at - dt.timedelta(seconds=1)
    assert deadline_sweep(now=before).assists_overdue == 0
    assert deadline_sweep(now=later).assists_overdue == 1
    assert deadline_sweep(now=later + dt.timedelta(hours=1)).assists_overdue == 0  # once
    assist.refresh_from_db()
    assert assist.overdue_at == later
    assert case.events.filter(action="assist_red", data__assignment_id=assist.pk).count() == 1
    assert Notification.objects.filter(recipient=world.other_handler, event_key__contains=":assist_red:").exists()


def test_an_assisting_unit_near_its_deadline_gets_its_yellow_card_once(world, joint, client):
    # Given the case's escalation rule, applied to the assisting dispatch's own span
    case, _police = joint
    assist = _assist(case)
    rule = PolicyBook.load().rule_for({"owning_level": case.owning_level, "category_id": case.category_id,
                                       "risk_grade_id": case.risk_grade_id})
    yellow_at = rule.yellow_at(assist.created_at, assist.due_at)
    assert yellow_at is not None and yellow_at < assist.due_at
    # Then nothing a second before it, the yellow card at it, and only once
    assert deadline_sweep(now=yellow_at - dt.timedelta(seconds=1)).assists_due_soon == 0
    assert deadline_sweep(now=yellow_at).assists_due_soon == 1
    assert deadline_sweep(now=yellow_at + dt.timedelta(hours=1)).assists_due_soon == 0
    assist.refresh_from_db()
    assert (assist.warned_at, assist.overdue_at) == (yellow_at, None)
    assert case.events.filter(action="assist_yellow", data__assignment_id=assist.pk).count() == 1
    assert Notification.objects.filter(recipient=world.other_handler, event_key__contains=":assist_yellow:").exists()
    # and the case page marks the assisting unit, apart from the case's own card
    client.force_login(world.town_staff)
    assert 'data-testid="assist-due-soon"' in client.get(f"/cases/{case.pk}/").content.decode()
    # When the deadline passes, the red card follows
    assert deadline_sweep(now=assist.due_at + dt.timedelta(seconds=1)).assists_overdue == 1


def test_a_joint_mediation_records_the_units_present(world, joint):
    case, police = joint
    services.case_sign(actor=world.handler, case_id=case.pk)
    mediation = services.mediation_record(actor=world.handler, case_id=case.pk, data=services.MediationInput(
        mediators="王调解员、李民警", held_at=case.created_at, outcome=MediationOutcome.ONGOING,
        joint_unit_ids=[world.dept.pk, police.pk]))
    assert set(Mediation.objects.get(pk=mediation.pk).joint_units.all()) == {world.dept, police}
    with pytest.raises(NotFound):
        services.mediation_record(actor=world.handler, case_id=case.pk, data=services.MediationInput(
            mediators="王调解员", held_at=case.created_at, joint_unit_ids=[world.far_handler.department_id]))
