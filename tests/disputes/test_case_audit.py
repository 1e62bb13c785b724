"""Every change to a case is also in the append-only audit log (issue 15, 等保 audit): the
services' transitions, registration, manual and automatic escalation and the sweep's cards,
with the actor, the case's region and, for a request, the client's address."""
from __future__ import annotations

import datetime as dt

import pytest

from disputes import services
from disputes.models import CaseEvent, CaseState
from disputes.sweep import deadline_sweep
from governance.audit_labels import audit_label
from governance.models import AuditLog
from tests.disputes.api.conftest import act, case, category, client_for, people  # noqa: F401  (fixtures)
from tests.disputes.escalation.conftest import make_case, now, staff  # noqa: F401  (fixtures)
from tests.disputes.services.conftest import world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def case_audit(case_id: int) -> list[tuple[str, int | None, str, str]]:
    return list(AuditLog.objects.filter(target_type="disputes.case", target_id=str(case_id))
                .order_by("id").values_list("action", "actor_id", "detail__from", "detail__to"))


def test_each_transition_leaves_one_audit_row_beside_its_event(world):
    case = world.register()
    services.case_accept(actor=world.town_staff, case_id=case.pk)
    services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk)
    services.case_sign(actor=world.handler, case_id=case.pk)
    services.case_resolve(actor=world.handler, case_id=case.pk, note="已调解")
    services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=True, note="满意")

    events = list(CaseEvent.objects.filter(case=case).order_by("id")
                  .values_list("action", "actor_id", "from_state", "to_state"))
    assert case_audit(case.pk) == [(f"case.{a}", actor, f, t) for a, actor, f, t in events]
    rows = AuditLog.objects.filter(target_id=str(case.pk), target_type="disputes.case")
    assert {row.region_id for row in rows} == {case.village_id}
    assert sorted(row.detail["event"] for row in rows) == sorted(CaseEvent.objects.filter(case=case)
                                                                 .values_list("pk", flat=True))
    assert case_audit(case.pk)[-1][2:] == (CaseState.RESOLVED, CaseState.CLOSED)
    assert audit_label("case.accept") == "案件：受理"


def test_a_refused_transition_leaves_no_audit_row(world):
    case = world.case_in(CaseState.CLOSED)
    before = AuditLog.objects.count()
    with pytest.raises(Exception):  # noqa: B017  (Conflict: the state allows no acceptance)
        services.case_accept(actor=world.town_staff, case_id=case.pk)
    assert AuditLog.objects.count() == before


def test_the_api_records_the_clients_address(people, case):  # noqa: F811
    response = act(people.clerk, case["id"], "accept", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200, response.content
    row = AuditLog.objects.get(action="case.accept", target_id=str(case["id"]))
    assert (row.actor_id, row.ip_address) == (people.clerk.pk, "203.0.113.7")


def test_the_sweeps_cards_and_escalations_are_audited_without_an_actor(make_case, now):  # noqa: F811
    case = make_case(start=now - 100 * H, due=now - H)
    result = deadline_sweep(now=now)
    assert result.red == 1
    rows = case_audit(case.pk)
    assert ("case.red", None, CaseState.IN_PROGRESS, CaseState.IN_PROGRESS) in rows
    assert AuditLog.objects.get(action="case.red", target_id=str(case.pk)).region_id == case.village_id
    assert len(rows) == CaseEvent.objects.filter(case=case).count()
