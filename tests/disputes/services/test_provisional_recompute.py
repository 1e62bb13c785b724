"""Provisional deadlines (期限待定) follow the official 2027 days once an administrator enters
them: `manage.py deadlines_recompute` and the CalendarDay admin action, with a count of cases
moved. chinesecalendar 1.11 knows the days through 2026 only."""
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.deadlines import provisional_recompute
from disputes.models import CaseState, WarningLevel
from governance.models import CalendarDay, Role
from governance.workdays import SHANGHAI
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DEC_18 = dt.datetime(2026, 12, 18, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": DEC_18}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def move_to(moment):
        state["now"] = moment
        return moment

    return move_to


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def enter_january_2027() -> None:
    """The official January 2027 as an administrator enters it: 元旦 on Friday 01-01."""
    days = [dt.date(2027, 1, 1) + dt.timedelta(days=i) for i in range(31)]
    CalendarDay.objects.bulk_create([CalendarDay(date=d, is_workday=d.weekday() < 5 and d.day != 1,
                                                 note="元旦" if d.day == 1 else "") for d in days])


def _handled(world):
    """先行调解 from 12-18: 30 natural days end on Sunday 2027-01-17 → Monday 01-18 (guessed)."""
    case = world.case_in(CaseState.ACCEPTED, category_id=world.contract.pk)
    return services.case_handle(actor=world.town_staff, case_id=case.pk)


def _signed(world):
    """Signed on 12-18: 15 working days run to 2027-01-08 while 元旦 is unknown (a weekday)."""
    return world.case_in(CaseState.IN_PROGRESS, category_id=world.contract.pk)


def test_provisional_deadlines_move_to_the_entered_days_and_are_counted(world, clock):
    # Given cases created while 2027 was unknown
    signed, handled = _signed(world), _handled(world)
    early = world.case_in(CaseState.IN_PROGRESS, category_id=world.contract.pk)
    type(early).objects.filter(pk=early.pk).update(due_provisional=False)  # an official one stays alone
    assert (signed.due_at, signed.due_provisional) == (end_of(dt.date(2027, 1, 8)), True)
    assert (handled.due_at, handled.due_provisional) == (end_of(dt.date(2027, 1, 18)), True)

    # When the administrator enters January 2027 and runs the command
    enter_january_2027()
    out = StringIO()
    call_command("deadlines_recompute", stdout=out)

    # Then the signed case moves one working day (元旦) and is official; the mediation's end
    # is confirmed where it was; the count says so
    assert "1 cases moved, 1 confirmed unchanged, 0 still provisional" in out.getvalue()
    signed.refresh_from_db()
    handled.refresh_from_db()
    assert (signed.due_at, signed.due_provisional) == (end_of(dt.date(2027, 1, 11)), False)
    assert (handled.due_at, handled.due_provisional) == (end_of(dt.date(2027, 1, 18)), False)
    assert signed.urge_at == signed.due_at + dt.timedelta(seconds=1)
    early.refresh_from_db()
    assert early.due_provisional is False

    # And a second run has nothing left to do
    assert provisional_recompute(now=DEC_18) == type(provisional_recompute(now=DEC_18))(0, 0, 0)


def test_a_dry_run_writes_nothing(world, clock):
    signed = _signed(world)
    enter_january_2027()
    out = StringIO()
    call_command("deadlines_recompute", "--dry-run", stdout=out)
    assert "[dry run] provisional deadlines: 1 cases moved" in out.getvalue()
    signed.refresh_from_db()
    assert (signed.due_at, signed.due_provisional) == (end_of(dt.date(2027, 1, 8)), True)


def test_approved_extensions_are_applied_again(world, clock):
    signed = _signed(world)
    services.case_extend_request(actor=world.handler, case_id=signed.pk, days=2, reason="需鉴定")
    signed = services.case_extend_decide(actor=world.town_staff, case_id=signed.pk, approve=True)
    assert signed.due_at == end_of(dt.date(2027, 1, 12))  # 01-08 + 2 guessed working days
    enter_january_2027()
    assert provisional_recompute(now=DEC_18).moved == 1
    signed.refresh_from_db()
    assert (signed.due_at, signed.due_provisional) == (end_of(dt.date(2027, 1, 13)), False)


def test_a_red_card_set_against_the_guessed_deadline_is_cleared_when_it_now_lies_ahead(world, clock):
    signed = _signed(world)
    # the guessed deadline 01-08 passed and the sweep set a red card on 01-09
    clock(dt.datetime(2027, 1, 9, 10, 0, tzinfo=SHANGHAI))
    type(signed).objects.filter(pk=signed.pk).update(warning_level=WarningLevel.RED, red_at=timezone.now())
    enter_january_2027()
    provisional_recompute(now=timezone.now())
    signed.refresh_from_db()
    assert (signed.due_at, signed.warning_level, signed.red_at) == (end_of(dt.date(2027, 1, 11)), "none", None)


def test_the_calendar_admin_action_recomputes_and_reports_the_count(world, clock):
    signed = _signed(world)
    enter_january_2027()
    admin = UserFactory(role=Role.ADMINISTRATOR, region=world.tree.city, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    day = CalendarDay.objects.get(date=dt.date(2027, 1, 1))
    response = client.post(reverse("admin:governance_calendarday_changelist"),
                           {"action": "recompute_deadlines", "_selected_action": [day.pk]}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 件期限已调整" in m for m in messages), messages
    signed.refresh_from_db()
    assert signed.due_at == end_of(dt.date(2027, 1, 11))
