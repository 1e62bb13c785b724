"""The deadline sweep service: cards at the boundaries, escalation up the levels, exactly once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from disputes.deadlines import PolicyBook, thresholds_recompute
from disputes.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseState,
    Escalation,
    EscalationPolicy,
    EscalationReason,
    WarningLevel,
)
from disputes.selectors import cases_red_at_top
from disputes.sweep import SweepResult, _sweep_apply, _unscoped_candidate_ids, deadline_sweep, deadline_sweep_all
from governance.models import Notification, RegionLevel
from governance.scoping import scope_for
from tests.factories import CategoryFactory, make_region

pytestmark = pytest.mark.django_db
S = dt.timedelta(seconds=1)
H = dt.timedelta(hours=1)


def actions(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True))


class TestYellow:
    def test_yellow_one_second_either_side_of_the_ratio(self, make_case, now):
        # Given a 10-hour step under the township default (yellow at 80% used = 8 h)
        case = make_case(start=now - 8 * H, due=now + 2 * H)

        # When the sweep runs one second before the threshold, then one second after
        before = deadline_sweep(now=now - S)
        case.refresh_from_db()
        assert (before.yellow, case.warning_level) == (0, WarningLevel.NONE)
        after = deadline_sweep(now=now + S)

        # Then only the second run shows the yellow card, with one timeline row
        case.refresh_from_db()
        assert after.yellow == 1 and case.warning_level == WarningLevel.YELLOW
        assert actions(case) == ["yellow"]
        assert case.owning_level == RegionLevel.TOWNSHIP

    def test_yellow_by_hours_before_the_deadline(self, make_case, now, township_policy):
        township_policy.yellow_ratio = None
        township_policy.yellow_hours_before = 4
        township_policy.save()
        case = make_case(start=now - 100 * H, due=now + 4 * H)

        assert deadline_sweep(now=now - S).yellow == 0
        assert deadline_sweep(now=now + S).yellow == 1
        case.refresh_from_db()
        assert case.warning_level == WarningLevel.YELLOW

    def test_most_specific_policy_wins(self, make_case, now):
        # Given a category policy (yellow at 50%) under a parent category, and the default 80%
        parent = CategoryFactory()
        child = CategoryFactory(parent=parent)
        EscalationPolicy.objects.create(level=RegionLevel.TOWNSHIP, category=parent, yellow_ratio=Decimal("0.50"))
        specific = make_case(start=now - 6 * H, due=now + 4 * H, category=child)  # 60% used
        general = make_case(start=now - 6 * H, due=now + 4 * H)

        # When the sweep runs at 60% of both windows
        result = deadline_sweep(now=now)

        # Then only the case under the parent category's policy turned yellow
        specific.refresh_from_db()
        general.refresh_from_db()
        assert result.yellow == 1
        assert (specific.warning_level, general.warning_level) == (WarningLevel.YELLOW, WarningLevel.NONE)

    def test_no_policy_at_the_level_means_no_yellow(self, make_case, now, township_policy):
        township_policy.is_active = False
        township_policy.save()
        case = make_case(start=now - 9 * H, due=now + H)

        assert deadline_sweep(now=now).yellow == 0
        case.refresh_from_db()
        assert case.warning_level == WarningLevel.NONE


class TestRed:
    def test_red_one_second_either_side_of_the_deadline(self, make_case, now, township_policy):
        # Given a policy that escalates 24 h after red, and a case due at `now`
        township_policy.escalate_after_hours = 24
        township_policy.save()
        case = make_case(start=now - 10 * H, due=now)

        # When the sweep runs at the deadline itself and one second after it
        at_deadline = deadline_sweep(now=now)
        case.refresh_from_db()
        assert at_deadline.red == 0 and case.warning_level == WarningLevel.YELLOW
        after = deadline_sweep(now=now + S)

        # Then the card is red from one second after, stamped with the sweep time
        case.refresh_from_db()
        assert after.red == 1 and after.escalated == 0
        assert case.warning_level == WarningLevel.RED and case.red_at == now + S
        assert actions(case) == ["yellow", "red"]

    def test_escalation_one_second_either_side_of_red_plus_policy_hours(self, make_case, now, township_policy):
        township_policy.escalate_after_hours = 24
        township_policy.save()
        case = make_case(start=now - 10 * H, due=now - S)
        deadline_sweep(now=now)  # red at `now`

        assert deadline_sweep(now=now + 24 * H - S).escalated == 0
        result = deadline_sweep(now=now + 24 * H + S)

        case.refresh_from_db()
        assert result.escalated == 1
        assert (case.owning_level, case.owning_region_id) == (RegionLevel.COUNTY, case.county_id)
        assert case.warning_level == WarningLevel.NONE and case.red_at is None

    def test_closed_and_resolved_cases_are_left_alone(self, make_case, now):
        resolved = make_case(start=now - 10 * H, due=now - H, state=CaseState.RESOLVED)
        closed = make_case(start=now - 10 * H, due=now - H, state=CaseState.CLOSED)

        assert deadline_sweep(now=now) == SweepResult()
        for case in (resolved, closed):
            case.refresh_from_db()
            assert case.warning_level == WarningLevel.NONE and case.owning_level == RegionLevel.TOWNSHIP


class TestEscalation:
    def test_overdue_case_moves_to_the_county_with_a_new_deadline(self, make_case, now):
        case = make_case(start=now - 10 * H, due=now - S)
        version = case.version

        result = deadline_sweep(now=now)

        case.refresh_from_db()
        assert (result.red, result.escalated) == (1, 1)
        assert (case.owning_level, case.owning_region_id) == (RegionLevel.COUNTY, case.county_id)
        assert case.step_started_at == now and case.due_at > now  # the county's handle limit
        assert case.version == version + 1 and case.state == CaseState.IN_PROGRESS
        escalation = Escalation.objects.get(case=case)
        assert (escalation.from_level, escalation.to_level, escalation.reason) == (
            RegionLevel.TOWNSHIP, RegionLevel.COUNTY, EscalationReason.OVERDUE)
        event = CaseEvent.objects.get(case=case, action="escalate")
        assert event.actor is None and event.data["escalation_id"] == escalation.pk
        assert event.data["from_region_id"] == case.township_id

    def test_rerun_escalates_nothing_twice(self, make_case, now):
        cases = [make_case(start=now - 10 * H, due=now - S) for _ in range(3)]

        first = deadline_sweep_all(now=now)
        second = deadline_sweep_all(now=now)
        third = deadline_sweep_all(now=now + S)

        assert first.escalated == 3
        assert (second.yellow, second.red, second.escalated) == (0, 0, 0)
        assert (third.yellow, third.red, third.escalated) == (0, 0, 0)
        assert Escalation.objects.count() == 3
        assert CaseEvent.objects.filter(action="escalate").count() == 3
        assert CaseEvent.objects.filter(action="red").count() == 3
        assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("owning_level", flat=True)) == {
            RegionLevel.COUNTY}

    def test_case_resolved_between_selection_and_update_is_not_touched(self, make_case, now):
        # Given two overdue cases selected by the sweep
        stays = make_case(start=now - 10 * H, due=now - S)
        resolved = make_case(start=now - 10 * H, due=now - S)
        extended = make_case(start=now - 10 * H, due=now - S)
        ids = _unscoped_candidate_ids(book=PolicyBook.load(), now=now, after_id=0, batch_size=10)
        assert ids == [stays.pk, resolved.pk, extended.pk]

        # When one is resolved and one gets a later deadline before the update runs
        Case.objects.filter(pk=resolved.pk).update(state=CaseState.RESOLVED)
        Case.objects.filter(pk=extended.pk).update(due_at=now + 100 * H)
        thresholds_recompute(case_ids=[extended.pk])  # as the extension service re-stamps it
        result = _sweep_apply(ids=ids, now=now)

        # Then only the untouched case turned red and moved up
        assert (result.red, result.escalated) == (1, 1)
        assert list(Escalation.objects.values_list("case_id", flat=True)) == [stays.pk]
        for case in (resolved, extended):
            case.refresh_from_db()
            assert case.owning_level == RegionLevel.TOWNSHIP and case.warning_level == WarningLevel.NONE
            assert actions(case) == []

    def test_chain_township_county_city_over_three_deadlines(self, make_case, now, tree, staff):
        case = make_case(start=now - 10 * H, due=now - S)

        # First deadline: township → county
        deadline_sweep_all(now=now)
        case.refresh_from_db()
        assert case.owning_level == RegionLevel.COUNTY and case.owning_region == tree.county_a

        # Second deadline (the county's): county → city
        deadline_sweep_all(now=case.due_at + S)
        case.refresh_from_db()
        assert case.owning_level == RegionLevel.CITY and case.owning_region == tree.city
        assert case.warning_level == WarningLevel.NONE

        # Third deadline (the city's): red, and it stays at the top
        third_due = case.due_at
        result = deadline_sweep_all(now=third_due + S)
        again = deadline_sweep_all(now=third_due + 1000 * H)
        case.refresh_from_db()
        assert (result.red, result.escalated) == (1, 0) and (again.red, again.escalated) == (0, 0)
        assert case.owning_level == RegionLevel.CITY and case.warning_level == WarningLevel.RED
        assert list(Escalation.objects.filter(case=case).values_list("to_level", flat=True)) == [
            RegionLevel.COUNTY, RegionLevel.CITY]
        # overdue at the top it is urged (催办, LoopPolicy), once per sweep past the cool-down;
        # the moves restarted the step, so nothing urged it at the township or the county
        assert (result.urged, again.urged) == (1, 1)
        assert actions(case) == ["red", "escalate", "red", "escalate", "red", "urge", "urge"]
        # and it is on the city leader's list, not on another county's
        assert list(cases_red_at_top(scope=scope_for(staff.city_leader))) == [case]
        assert list(cases_red_at_top(scope=scope_for(staff.county_dispatcher))) == [case]

    def test_red_at_top_is_scoped(self, make_case, now, tree, staff):
        from tests.factories import UserFactory

        make_case(start=now - 10 * H, due=now - S, owning_level=RegionLevel.CITY, owning_region=tree.city)
        deadline_sweep_all(now=now)
        other_county = UserFactory(role="leader", region=tree.county_b)
        assert cases_red_at_top(scope=scope_for(staff.city_leader)).count() == 1
        assert cases_red_at_top(scope=scope_for(other_county)).count() == 0

    def test_missing_county_is_skipped(self, make_case, now, staff):
        # Given a city without counties (a township directly under the city, like 东莞)
        city = make_region("4419", "东莞市", RegionLevel.CITY)
        town = make_region("441900003", "东城街道", RegionLevel.TOWNSHIP, city)
        village = make_region("441900003001", "东城社区", RegionLevel.VILLAGE, town)
        case = make_case(start=now - 10 * H, due=now - S, village=village)

        deadline_sweep_all(now=now)

        case.refresh_from_db()
        assert case.county_id is None
        assert (case.owning_level, case.owning_region) == (RegionLevel.CITY, city)

    def test_no_escalation_without_a_policy(self, make_case, now, township_policy):
        township_policy.delete()
        case = make_case(start=now - 10 * H, due=now - S)

        result = deadline_sweep_all(now=now)

        case.refresh_from_db()
        assert (result.red, result.escalated) == (1, 0)
        assert case.warning_level == WarningLevel.RED and case.owning_level == RegionLevel.TOWNSHIP
        # and it is not selected again while nothing changes
        assert _unscoped_candidate_ids(book=PolicyBook.load(), now=now + H, after_id=0, batch_size=10) == []

    def test_batches_follow_the_cursor(self, make_case, now):
        cases = [make_case(start=now - 10 * H, due=now - S) for _ in range(5)]

        first = deadline_sweep(now=now, batch_size=2)
        assert first.escalated == 2 and first.next_after_id == cases[1].pk
        second = deadline_sweep(now=now, batch_size=2, after_id=first.next_after_id)
        assert second.escalated == 2 and second.next_after_id == cases[3].pk
        last = deadline_sweep(now=now, batch_size=2, after_id=second.next_after_id)
        assert last.escalated == 1 and last.next_after_id is None
        assert Escalation.objects.count() == 5


class TestNotifications:
    def test_escalation_notifies_previous_owner_handler_and_new_center_once(
        self, make_case, now, staff, django_capture_on_commit_callbacks
    ):
        # Given an overdue case dispatched to the township's department
        case = make_case(start=now - 10 * H, due=now - S)
        CaseAssignment.objects.create(case=case, department=staff.department, assigned_by=staff.town_clerk,
                                      status="signed")

        # When the sweep runs twice
        with django_capture_on_commit_callbacks() as callbacks:
            deadline_sweep_all(now=now)
        deadline_sweep_all(now=now)

        # Then the township clerk, the handler and the county dispatcher each got one message
        # about the escalation (no separate red message for a case that moved at once)
        rows = list(Notification.objects.values_list("recipient_id", "event_key"))
        assert sorted(r for r, _k in rows) == sorted([staff.town_clerk.pk, staff.handler.pk,
                                                       staff.county_dispatcher.pk])
        assert {k.split(":")[2] for _r, k in rows} == {"escalate"}
        assert Notification.objects.first().link.endswith(f"/{case.pk}/")
        assert len(callbacks) == 1  # one fan-out task after commit, none from the empty re-run

    def test_yellow_notifies_the_owning_center(self, make_case, now, staff):
        make_case(start=now - 9 * H, due=now + H)

        deadline_sweep_all(now=now)

        assert list(Notification.objects.values_list("recipient_id", flat=True)) == [staff.town_clerk.pk]
        assert Notification.objects.get().title.startswith("黄牌预警")
