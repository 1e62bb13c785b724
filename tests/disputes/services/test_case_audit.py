"""Every change to a case is also in the append-only audit log (issue 15, 等保 audit): the
services' transitions, registration, manual and automatic escalation and the sweep's cards,
with the actor, the case's region and, for a request, the client's address."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from disputes import services
from disputes.models import Case, CaseEvent, CaseState
from disputes.sweep import deadline_sweep
from governance import clock
from governance.audit_labels import audit_label
from governance.errors import Conflict
from governance.models import AuditLog

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
    with pytest.raises(Conflict):
        services.case_accept(actor=world.town_staff, case_id=case.pk)
    assert AuditLog.objects.count() == before


def test_the_api_records_the_clients_address(world):
    case = world.register()
    client = APIClient()
    client.force_authenticate(world.town_staff)
    response = client.post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200, response.content
    row = AuditLog.objects.get(action="case.accept", target_id=str(case.pk))
    assert (row.actor_id, row.ip_address) == (world.town_staff.pk, "203.0.113.7")


def test_the_sweeps_cards_are_audited_without_an_actor(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    now = clock.now()
    Case.objects.filter(pk=case.pk).update(due_at=now - H, yellow_at=now - 2 * H)
    result = deadline_sweep(now=now)
    assert result.red == 1
    rows = case_audit(case.pk)
    assert ("case.red", None, CaseState.IN_PROGRESS, CaseState.IN_PROGRESS) in rows
    assert AuditLog.objects.get(action="case.red", target_id=str(case.pk)).region_id == case.village_id
    assert len(rows) == CaseEvent.objects.filter(case=case).count()
