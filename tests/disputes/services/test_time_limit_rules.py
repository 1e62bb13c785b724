"""Time limits by procedure: 信访 cases (the 信访 channel) and people's mediation, each at its
boundary, and natural-day limits that end on a holiday."""
import datetime as dt

import pytest
from django.utils import timezone

from disputes import services
from disputes.models import CaseState, Channel, DayKind, ExtensionStatus, Step, TimeLimitPolicy, WarningLevel
from disputes.sweep import deadline_sweep
from governance.errors import InvalidInput
from governance.workdays import SHANGHAI, add_days

pytestmark = pytest.mark.django_db
S = dt.timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def move_to(moment):
        state["now"] = moment
        return moment

    return move_to


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def test_petition_limits_are_seeded_at_every_level():
    for level in ("township", "county", "city"):
        rows = {p.step: (p.days, p.day_kind) for p in TimeLimitPolicy.objects.filter(
            level=level, channel=Channel.PETITION, category__isnull=True)}
        assert rows == {Step.ACCEPT: (15, DayKind.NATURAL), Step.HANDLE: (60, DayKind.NATURAL),
                        Step.EXTEND: (30, DayKind.NATURAL)}


def test_a_petition_is_accepted_within_15_days(world, clock):
    # Given a 信访 case registered on Monday 2026-09-14 (the contract category: default limits only)
    clock(dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI))
    case = world.register(channel=Channel.PETITION, category_id=world.contract.pk)
    other = world.register(category_id=world.contract.pk)

    # Then it has 15 days to be accepted (to Tuesday 09-29), a visit 3 working days
    assert case.due_at == end_of(dt.date(2026, 9, 29))
    assert other.due_at == add_days(other.created_at, 3).due_at

    # And the red card comes one second after the deadline, not one second before
    deadline_sweep(now=case.due_at - S)
    case.refresh_from_db()
    assert case.warning_level != WarningLevel.RED
    deadline_sweep(now=case.due_at + S)
    case.refresh_from_db()
    assert case.events.filter(action="red").exists()


def test_a_petition_is_handled_within_60_days_moved_past_national_day(world, clock):
    # Given a 信访 case signed for on 2026-08-02: 60 days end on 10-01, National Day
    clock(dt.datetime(2026, 7, 30, 9, 0, tzinfo=SHANGHAI))
    case = world.case_in(CaseState.DISPATCHED, channel=Channel.PETITION, category_id=world.contract.pk)
    clock(dt.datetime(2026, 8, 2, 9, 0, tzinfo=SHANGHAI))
    case = services.case_sign(actor=world.handler, case_id=case.pk)

    # Then the handling deadline is the first working day after the holiday (民法典 art. 203)
    assert (case.step, case.due_at) == (Step.HANDLE, end_of(dt.date(2026, 10, 8)))
    deadline_sweep(now=end_of(dt.date(2026, 10, 1)) + S)
    case.refresh_from_db()
    assert not case.events.filter(action="red").exists()


def test_a_petition_extension_is_at_most_30_natural_days(world, clock):
    clock(dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI))
    case = world.case_in(CaseState.IN_PROGRESS, channel=Channel.PETITION, category_id=world.contract.pk)
    with pytest.raises(InvalidInput) as exc:
        services.case_extend_request(actor=world.handler, case_id=case.pk, days=31, reason="情况复杂")
    assert "30个自然日" in exc.value.message
    request = services.case_extend_request(actor=world.handler, case_id=case.pk, days=30, reason="情况复杂")
    assert (request.days, request.day_kind) == (30, DayKind.NATURAL)
    extended = services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True)
    assert extended.due_at == add_days(case.due_at, 30, working=False).due_at
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED


def test_other_channels_keep_working_day_extensions(world, clock):
    clock(dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI))
    case = world.case_in(CaseState.IN_PROGRESS, category_id=world.contract.pk)
    request = services.case_extend_request(actor=world.handler, case_id=case.pk, days=5, reason="需要鉴定")
    assert request.day_kind == DayKind.WORKING
    assert services.case_extend_decide(actor=world.town_staff, case_id=case.pk, approve=True).due_at == \
        add_days(case.due_at, 5).due_at


def test_a_category_row_of_another_channel_does_not_apply(world, clock):
    # a 信访 row for the category is the petition's; a visit of that category keeps the default
    TimeLimitPolicy.objects.create(level="township", step=Step.ACCEPT, category=world.contract,
                                   channel=Channel.PETITION, days=5, day_kind=DayKind.NATURAL)
    clock(dt.datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI))
    petition = world.register(channel=Channel.PETITION, category_id=world.contract.pk)
    visit = world.register(category_id=world.contract.pk)
    # 09-19 is a Saturday: moved to Sunday 09-20, a 调休 working day before National Day
    assert petition.due_at == end_of(dt.date(2026, 9, 20))
    assert visit.due_at == add_days(visit.created_at, 3).due_at


# --- Mediation: the procedure's limit ------------------------------------------------------------


def test_a_neighbour_dispute_sent_to_a_department_has_the_handling_limit(world, clock):
    # Before: the 30 natural days of 人民调解 applied to every 婚姻家庭邻里 case at the
    # township, mediated or not. Now a dispatched neighbour dispute has the handling limit.
    case = world.case_in(CaseState.IN_PROGRESS)  # 邻里纠纷, signed by the 司法所 on 09-14
    assert case.category.parent.code == "17"
    assert (case.step, case.due_at) == (Step.HANDLE, add_days(case.step_started_at, 15).due_at)


def test_the_center_mediating_any_category_has_the_mediation_limit(world, clock):
    # A contract dispute the township mediates itself (先行调解): 30 natural days from 09-14,
    # 10-14 (a working day): due then, red one second later.
    case = world.case_in(CaseState.ACCEPTED, category_id=world.contract.pk)
    case = services.case_handle(actor=world.town_staff, case_id=case.pk, note="中心先行调解")
    assert (case.step, case.get_step_display(), case.due_at) == (Step.MEDIATE, "调解", end_of(dt.date(2026, 10, 14)))
    deadline_sweep(now=case.due_at - S)
    assert not case.events.filter(action="red").exists()
    deadline_sweep(now=case.due_at + S)
    assert case.events.filter(action="red").exists()


def test_a_mediation_ending_on_national_day_ends_after_it(world, clock):
    clock(dt.datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI))
    case = world.case_in(CaseState.ACCEPTED, category_id=world.contract.pk)
    case = services.case_handle(actor=world.town_staff, case_id=case.pk)
    assert case.due_at == end_of(dt.date(2026, 10, 8))  # 09-01 + 30 days = 10-01, National Day
