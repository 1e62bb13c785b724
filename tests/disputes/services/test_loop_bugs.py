"""Bugs found on main in the closed loop (issue 10): the 重办 dispatch, 当前环节 of archived
cases, 环节期限 against 办理期限 on the handler's page, and 我的超期."""
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from disputes import selectors, services
from disputes.models import AssignmentStatus, CaseAssignment, CaseState, Step
from disputes.sweep import deadline_sweep
from governance.models import RegionLevel
from governance.scoping import scope_for
from governance.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
S = dt.timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def move(**delta):
        state["now"] = state["now"] + dt.timedelta(**delta)
        return state["now"]

    return move


def page(user, case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("disputes:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _testid(body: str, name: str) -> str:
    start = body.index(f'data-testid="{name}"')
    return body[body.index(">", start) + 1:body.index("</", start)].strip()


# --- 重办 ------------------------------------------------------------------------------------------


def test_redo_goes_back_to_the_unit_in_progress_with_a_later_deadline(world, clock):
    # Given a case the 司法所 signed, resolved, and a callback found unsatisfied a week on
    case = world.case_in(CaseState.RESOLVED)
    first = CaseAssignment.objects.get(case=case)
    clock(days=7)
    case = services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=False, note="当事人不满意")

    # Then (DESIGN.md §4) the case is in progress again with the same unit, which took it back
    # at once: a second dispatch, 已签收 by nobody, no return window, in its 办理中 box
    second = CaseAssignment.objects.exclude(pk=first.pk).get(case=case)
    assert (case.state, case.step, case.redo_count) == (CaseState.IN_PROGRESS, Step.HANDLE, 1)
    assert (second.status, second.department_id, second.signed_by) == (AssignmentStatus.SIGNED, world.dept.pk, None)
    assert second.signed_at is not None and second.return_by is None
    assert case.pk in {c.pk for c in selectors.case_inbox(scope=scope_for(world.handler), user=world.handler,
                                                          box="in_progress")}
    # and its deadline is the step's, later than the first one's
    assert second.due_at == case.due_at > first.due_at

    # When the unit resolves it again, the second dispatch is completed
    services.case_resolve(actor=world.handler, case_id=case.pk, note="重新调解成功")
    second.refresh_from_db()
    assert second.status == AssignmentStatus.COMPLETED
    assert list(case.events.values_list("action", flat=True))[-3:] == ["resolve", "callback", "resolve"]


def test_the_redo_dispatch_says_it_was_taken_back(world, client):
    case = world.case_in(CaseState.RESOLVED)
    services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=False, note="当事人不满意")
    client.force_login(world.handler)
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="redo-taken-back"' in body


def test_redo_of_a_case_the_center_mediated_itself_stays_with_the_center(world, clock):
    case = world.case_in(CaseState.ACCEPTED)
    services.case_handle(actor=world.town_staff, case_id=case.pk)
    services.case_resolve(actor=world.town_staff, case_id=case.pk, note="调解成功")
    case = services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=False, note="未履行")
    assert (case.state, case.step, case.redo_count) == (CaseState.IN_PROGRESS, Step.MEDIATE, 1)
    assert not CaseAssignment.objects.filter(case=case).exists()


# --- 当前环节 of archived cases ---------------------------------------------------------------------


def test_an_archived_case_has_no_current_step(world):
    case = world.case_in(CaseState.CLOSED)
    assert _testid(page(world.town_staff, case), "step") == "—"
    api = APIClient()
    api.force_authenticate(world.town_staff)
    assert api.get(f"/api/v1/cases/{case.pk}/").json()["step"] is None
    rejected = world.case_in(CaseState.REJECTED)
    assert _testid(page(world.town_staff, rejected), "step") == "—"
    assert _testid(page(world.town_staff, world.case_in(CaseState.RESOLVED)), "step") == "回访"


# --- 环节期限 and 办理期限 -------------------------------------------------------------------------


def _page_dates(body: str) -> tuple[str, str]:
    step_due = body[body.index('data-testid="due"'):]
    step_due = step_due[step_due.index('title="环节期限">') + len('title="环节期限">'):][:10]
    return step_due, _testid(body, "assignment-due")[:10]


def test_the_handlers_page_shows_one_deadline_after_signing_and_after_an_extension(world, clock):
    # Given a dispatch on Monday the 司法所 signs at once (the dispatch assumed the last sign day)
    case = world.case_in(CaseState.IN_PROGRESS)
    step_due, handling_due = _page_dates(page(world.handler, case))
    assert step_due == handling_due == timezone.localtime(case.due_at).strftime("%Y-%m-%d")

    # And an approved extension moves both
    services.case_extend_request(actor=world.handler, case_id=case.pk, days=5, reason="需要鉴定")
    case = services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True)
    step_due, handling_due = _page_dates(page(world.handler, case))
    assert step_due == handling_due == timezone.localtime(case.due_at).strftime("%Y-%m-%d")


# --- 我的超期 ------------------------------------------------------------------------------------


def _overdue(user) -> tuple[int, set[int]]:
    scope = scope_for(user)
    count = selectors.case_inbox_counts(scope=scope, user=user)["overdue"]
    return count, {c.pk for c in selectors.case_inbox(scope=scope, user=user, box="overdue")}


def test_my_overdue_keeps_a_case_my_unit_was_late_on_after_it_moved_up(world, clock):
    # Given the 司法所's case whose deadline passed: red card, and (seeded policy) at once up to the county
    case = world.case_in(CaseState.IN_PROGRESS)
    handling_due = case.due_at
    result = deadline_sweep(now=handling_due + S)
    case.refresh_from_db()
    assert result.escalated == 1 and case.owning_level == RegionLevel.COUNTY and case.warning_level == "none"

    # Then the handler, who still holds it past its 办理期限, sees it in 我的超期
    clock(days=30)
    assert _overdue(world.handler) == (1, {case.pk})
    assert 'data-testid="assignment-overdue"' in page(world.handler, case)
    # and a handler of another unit does not
    assert _overdue(world.other_handler) == (0, set())


def test_my_overdue_shows_a_step_past_its_deadline_before_the_sweep_ran(world, clock):
    case = world.case_in(CaseState.DISPATCHED)  # the sign step: one working day
    assert _overdue(world.handler) == (0, set())
    clock(days=3)  # no sweep since
    assert _overdue(world.handler) == (1, {case.pk})
