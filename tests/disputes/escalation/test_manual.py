"""Manual 上报 (case_escalate) and rule-based direct escalation (越级上报)."""
from __future__ import annotations

import datetime as dt

import pytest

from disputes.models import Case, CaseEvent, CaseState, Escalation, EscalationPolicy, EscalationReason, WarningLevel
from disputes.services import case_escalate, case_escalate_by_rule
from disputes.sweep import deadline_sweep_all
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Notification, RegionLevel, Role
from tests.factories import CategoryFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def accepted(make_case, now):
    return make_case(start=now - H, due=now + 100 * H, state=CaseState.ACCEPTED, warning_level=WarningLevel.YELLOW)


class TestCaseEscalate:
    def test_township_clerk_escalates_to_the_county(self, accepted, staff, tree, django_capture_on_commit_callbacks):
        version = accepted.version

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case = case_escalate(actor=staff.town_clerk, case_id=accepted.pk, note="涉及多个部门，乡镇无法化解",
                                 version=version)

        assert (case.owning_level, case.owning_region) == (RegionLevel.COUNTY, tree.county_a)
        assert case.state == CaseState.ACCEPTED and case.version == version + 1
        assert case.warning_level == WarningLevel.NONE and case.step_started_at is not None
        escalation = Escalation.objects.get(case=case)
        assert (escalation.reason, escalation.actor, escalation.note) == (
            EscalationReason.MANUAL, staff.town_clerk, "涉及多个部门，乡镇无法化解")
        event = CaseEvent.objects.get(case=case)
        assert (event.action, event.actor, event.data["to_level"]) == ("escalate", staff.town_clerk, "county")
        # the county's dispatcher hears about it; the actor does not get their own message
        assert list(Notification.objects.values_list("recipient_id", flat=True)) == [staff.county_dispatcher.pk]
        assert len(callbacks) == 1

    def test_county_dispatcher_escalates_further_to_the_city(self, accepted, staff, tree):
        case_escalate(actor=staff.town_clerk, case_id=accepted.pk, note="乡镇无法化解")

        case = case_escalate(actor=staff.county_dispatcher, case_id=accepted.pk, note="县级协调不成")

        assert (case.owning_level, case.owning_region) == (RegionLevel.CITY, tree.city)
        assert list(Escalation.objects.filter(case=case).values_list("to_level", flat=True)) == ["county", "city"]

    @pytest.mark.parametrize("who", ["handler", "county_dispatcher", "city_leader"])
    def test_only_the_owning_center_may_escalate(self, accepted, staff, who):
        with pytest.raises(Forbidden):
            case_escalate(actor=getattr(staff, who), case_id=accepted.pk, note="上报")
        accepted.refresh_from_db()
        assert accepted.owning_level == RegionLevel.TOWNSHIP
        assert not Escalation.objects.exists() and not CaseEvent.objects.exists()

    @pytest.mark.parametrize("state", [CaseState.REGISTERED, CaseState.DISPATCHED, CaseState.RESOLVED,
                                       CaseState.CLOSED])
    def test_wrong_state_is_a_conflict(self, make_case, now, staff, state):
        case = make_case(start=now - H, due=now + H, state=state)
        with pytest.raises(Conflict):
            case_escalate(actor=staff.town_clerk, case_id=case.pk, note="上报")
        assert not Escalation.objects.exists()

    def test_stale_version_is_a_conflict(self, accepted, staff):
        with pytest.raises(Conflict):
            case_escalate(actor=staff.town_clerk, case_id=accepted.pk, note="上报", version=accepted.version + 1)
        assert not Escalation.objects.exists()

    def test_escalating_twice_to_the_same_level_is_a_conflict(self, accepted, staff):
        # Given an earlier escalation of this case to the county (the center took it back)
        case_escalate(actor=staff.town_clerk, case_id=accepted.pk, note="上报")
        Case.objects.filter(pk=accepted.pk).update(owning_level=RegionLevel.TOWNSHIP, owning_region=accepted.township)

        with pytest.raises(Conflict):
            case_escalate(actor=staff.town_clerk, case_id=accepted.pk, note="再次上报")
        assert Escalation.objects.count() == 1 and CaseEvent.objects.count() == 1

    def test_reason_is_required(self, accepted, staff):
        with pytest.raises(InvalidInput):
            case_escalate(actor=staff.town_clerk, case_id=accepted.pk, note="  ")

    def test_outside_the_jurisdiction_looks_missing(self, accepted, staff):
        with pytest.raises(NotFound):
            case_escalate(actor=staff.town_a2_clerk, case_id=accepted.pk, note="上报")
        with pytest.raises(NotFound):
            case_escalate(actor=staff.town_clerk, case_id=999999, note="上报")
        with pytest.raises(NotFound):
            case_escalate(actor=staff.town_clerk, case_id="abc", note="上报")
        assert not Escalation.objects.exists()


class TestRuleEscalation:
    @pytest.fixture
    def rule(self, tree):
        category = CategoryFactory(name="群体性纠纷")
        police = DepartmentFactory(region=tree.county_a, name="县公安局")
        policy = EscalationPolicy.objects.create(
            level=RegionLevel.TOWNSHIP, category=category, yellow_ratio="0.80", direct_to_level=RegionLevel.CITY)
        policy.copy_departments.add(police)
        officer = UserFactory(role=Role.HANDLER, region=tree.county_a, department=police)
        return policy, category, officer

    def test_matching_accepted_case_goes_straight_to_the_named_level(self, rule, make_case, now, staff, tree):
        policy, category, officer = rule
        case = make_case(start=now, due=now + 100 * H, state=CaseState.ACCEPTED, category=category)

        assert case_escalate_by_rule(case_id=case.pk, now=now) is True
        assert case_escalate_by_rule(case_id=case.pk, now=now) is False  # nothing twice

        case.refresh_from_db()
        assert (case.owning_level, case.owning_region) == (RegionLevel.CITY, tree.city)
        escalation = Escalation.objects.get(case=case)
        assert (escalation.reason, escalation.to_level) == (EscalationReason.RULE, RegionLevel.CITY)
        recipients = set(Notification.objects.values_list("recipient_id", flat=True))
        assert recipients == {staff.town_clerk.pk, staff.city_dispatcher.pk, officer.pk}

    def test_other_categories_and_states_are_not_moved(self, rule, make_case, now):
        _policy, category, _officer = rule
        other = make_case(start=now, due=now + 100 * H, state=CaseState.ACCEPTED)
        in_progress = make_case(start=now, due=now + 100 * H, category=category)

        assert case_escalate_by_rule(case_id=other.pk, now=now) is False
        assert case_escalate_by_rule(case_id=in_progress.pk, now=now) is False
        assert not Escalation.objects.exists()

    def test_the_sweep_applies_the_rule_to_accepted_cases(self, rule, make_case, now):
        _policy, category, _officer = rule
        case = make_case(start=now, due=now + 100 * H, state=CaseState.ACCEPTED, category=category)

        first = deadline_sweep_all(now=now)
        second = deadline_sweep_all(now=now)

        case.refresh_from_db()
        assert (first.escalated, second.escalated) == (1, 0)
        assert case.owning_level == RegionLevel.CITY
