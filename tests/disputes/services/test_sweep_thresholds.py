"""The services stamp the sweep's yellow threshold whenever a step's deadline is set, and
clear the thresholds when the clock stops (the sweep reads only these stamped columns)."""
import datetime as dt

import pytest

from disputes import services
from disputes.models import CaseState, EscalationPolicy, RiskGrade
from governance.models import RegionLevel

pytestmark = pytest.mark.django_db


def _yellow(case, ratio: str) -> dt.datetime:
    return case.step_started_at + (case.due_at - case.step_started_at) * float(ratio)


def test_each_step_start_stamps_the_yellow_threshold(world):
    default = EscalationPolicy.objects.get(level=RegionLevel.TOWNSHIP, category=None, risk_grade=None)
    # registration starts the accept step
    case = world.register()
    assert case.yellow_at == _yellow(case, default.yellow_ratio) and case.escalate_at is None
    # a new step (sign after dispatch) stamps its own threshold
    case = services.case_accept(actor=world.town_staff, case_id=case.pk)
    case = services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk)
    assert case.yellow_at == _yellow(case, default.yellow_ratio)


def test_risk_grade_given_at_acceptance_picks_its_policy(world):
    grade = RiskGrade.objects.order_by("rank").last()
    EscalationPolicy.objects.create(level=RegionLevel.TOWNSHIP, risk_grade=grade, yellow_ratio="0.25")
    case = world.register()

    case = services.case_accept(actor=world.town_staff, case_id=case.pk, risk_grade_id=grade.pk)

    assert case.yellow_at == _yellow(case, "0.25")


def test_approved_extension_restamps_the_threshold_for_the_new_deadline(world):
    default = EscalationPolicy.objects.get(level=RegionLevel.TOWNSHIP, category=None, risk_grade=None)
    case = world.case_in(CaseState.IN_PROGRESS)
    before = case.yellow_at
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=5, reason="需鉴定")

    case = services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True, note="同意")

    assert case.yellow_at == _yellow(case, default.yellow_ratio) and case.yellow_at > before


def test_stopped_clock_clears_the_thresholds(world):
    case = world.register()
    assert case.yellow_at is not None

    case = services.case_reject(actor=world.town_staff, case_id=case.pk, reason="不属于受理范围",
                                referral="建议向人民法院起诉")

    assert (case.due_at, case.yellow_at, case.escalate_at) == (None, None, None)
