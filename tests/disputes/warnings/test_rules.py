"""Each early-warning rule at its boundary: N-1 cases (or one below the threshold) raise
nothing, N raise one warning; a case exactly D days old counts and one a second older does
not (frozen time); re-running adds nothing."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from disputes.models import CaseState, EarlyWarning, RiskGrade, WarningKind
from disputes.services.warnings import warnings_evaluate_all, warnings_evaluate_case
from governance import clock
from tests.disputes.warnings.conftest import AMOUNT, ID_A, NOW, case_at, party, valid_id

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


def evaluate(moment=NOW):
    with clock.frozen_at(moment):
        return warnings_evaluate_all()


# --- 类案聚集 ------------------------------------------------------------------------------------

def test_cluster_needs_n_cases_of_one_category_in_one_village(people, only_rule, category):
    only_rule(WarningKind.CLUSTER, min_cases=3, window_days=7)
    village = people.tree.village_a1x
    case_at(NOW - 2 * DAY, village, category)
    case_at(NOW - DAY, village, category)
    case_at(NOW - DAY, people.tree.village_a1y, category)  # another village
    assert evaluate().raised == 0  # N-1 in the village

    case_at(NOW - SECOND, village, category)
    result = evaluate()

    assert result.raised == 1
    warning = EarlyWarning.objects.get()
    assert (warning.kind, warning.case_count, warning.village_id) == ("cluster", 3, village.pk)
    assert "云梦堤社区" in warning.label and "3件" in warning.label


@pytest.mark.parametrize(("age", "raised"), [(7 * DAY, 1), (7 * DAY + SECOND, 0)])
def test_cluster_window_counts_a_case_exactly_d_days_old_and_not_a_second_older(people, only_rule, category,
                                                                               age, raised):
    only_rule(WarningKind.CLUSTER, min_cases=3, window_days=7)
    village = people.tree.village_a1x
    case_at(NOW - age, village, category)
    case_at(NOW - DAY, village, category)
    case_at(NOW - SECOND, village, category)

    assert evaluate().raised == raised


def test_cluster_rerun_and_new_case_evaluation_add_no_second_warning(people, only_rule, category):
    only_rule(WarningKind.CLUSTER, min_cases=3, window_days=7)
    village = people.tree.village_a1x
    cases = [case_at(NOW - i * DAY, village, category) for i in (3, 2, 1)]
    assert evaluate().raised == 1
    assert evaluate().raised == 0
    with clock.frozen_at(NOW):
        assert warnings_evaluate_case(case_id=cases[-1].pk).raised == 0

    # A fourth case while the cluster runs joins the same warning
    fourth = case_at(NOW + DAY, village, category)
    with clock.frozen_at(NOW + DAY):
        result = warnings_evaluate_case(case_id=fourth.pk)
    assert (result.raised, result.linked) == (0, 1)
    assert EarlyWarning.objects.get().case_count == 4
    assert evaluate(NOW + DAY).raised == 0


def test_cluster_after_the_window_passed_is_a_new_warning(people, only_rule, category):
    only_rule(WarningKind.CLUSTER, min_cases=2, window_days=7)
    village = people.tree.village_a1x
    case_at(NOW - DAY, village, category)
    case_at(NOW, village, category)
    assert evaluate().raised == 1
    later = NOW + 30 * DAY
    case_at(later - DAY, village, category)
    case_at(later, village, category)

    assert evaluate(later).raised == 1
    assert EarlyWarning.objects.count() == 2


def test_rejected_and_duplicate_cases_do_not_count(people, only_rule, category):
    only_rule(WarningKind.CLUSTER, min_cases=3, window_days=7)
    village = people.tree.village_a1x
    first = case_at(NOW - DAY, village, category)
    case_at(NOW - DAY, village, category, state=CaseState.REJECTED)
    case_at(NOW - DAY, village, category, duplicate_of=first)
    case_at(NOW - SECOND, village, category)

    assert evaluate().raised == 0


# --- 群体性纠纷, 金额, 风险等级, 民转刑 ------------------------------------------------------------

@pytest.mark.parametrize(("people_involved", "raised"), [(4, 0), (5, 1)])
def test_group_dispute_at_min_people(people, only_rule, category, people_involved, raised):
    only_rule(WarningKind.GROUP, min_people=5)
    case = case_at(NOW - DAY, people.tree.village_a1x, category, people_involved=people_involved)
    with clock.frozen_at(NOW):
        assert warnings_evaluate_case(case_id=case.pk).raised == raised
    assert evaluate().raised == 0  # the periodic run raises it no second time


@pytest.mark.parametrize(("amount", "raised"), [(AMOUNT - Decimal("0.01"), 0), (AMOUNT, 1), (None, 0)])
def test_amount_at_threshold(people, only_rule, category, amount, raised):
    only_rule(WarningKind.AMOUNT, min_amount=AMOUNT)
    case_at(NOW - DAY, people.tree.village_a1x, category, amount_involved=amount)

    assert evaluate().raised == raised
    assert evaluate().raised == 0


@pytest.mark.parametrize(("grade", "raised"), [("yellow", 0), ("orange", 1), ("red", 1)])
def test_risk_grade_at_min_rank(people, only_rule, category, grade, raised):
    only_rule(WarningKind.RISK_GRADE, min_risk_rank=3)  # seeded ranks: blue 1, yellow 2, orange 3, red 4
    case_at(NOW - DAY, people.tree.village_a1x, category, risk_grade=RiskGrade.objects.get(code=grade))

    assert evaluate().raised == raised


@pytest.mark.parametrize(("flag", "raised"), [(False, 0), (True, 1)])
def test_criminal_risk_flag(people, only_rule, category, flag, raised):
    only_rule(WarningKind.CRIMINAL_RISK)
    case = case_at(NOW - DAY, people.tree.village_a1x, category, criminal_risk=flag)
    with clock.frozen_at(NOW):
        assert warnings_evaluate_case(case_id=case.pk).raised == raised


def test_closed_cases_are_not_swept_for_case_rules(people, only_rule, category):
    only_rule(WarningKind.GROUP, min_people=5)
    case_at(NOW - DAY, people.tree.village_a1x, category, people_involved=9, state=CaseState.CLOSED)

    assert evaluate().raised == 0


def test_inactive_rules_raise_nothing(people, only_rule, category):
    rule = only_rule(WarningKind.GROUP, min_people=5)
    rule.is_active = False
    rule.save()
    case_at(NOW - DAY, people.tree.village_a1x, category, people_involved=9)

    assert evaluate().raised == 0


# --- 重复当事人 ---------------------------------------------------------------------------------

def test_repeat_party_needs_n_cases_of_one_person(people, only_rule, category):
    only_rule(WarningKind.REPEAT_PARTY, min_cases=3, window_days=30)
    party(case_at(NOW - 10 * DAY, people.tree.village_a1x, category))
    party(case_at(NOW - 5 * DAY, people.tree.village_a1y, category))
    party(case_at(NOW - DAY, people.tree.village_a1y, category), id_number=valid_id("61020219900101456"))
    assert evaluate().raised == 0

    newest = case_at(NOW - SECOND, people.tree.village_a1x, category)
    party(newest)
    with clock.frozen_at(NOW):
        assert warnings_evaluate_case(case_id=newest.pk).raised == 1
    warning = EarlyWarning.objects.get()
    assert warning.case_count == 3
    # Shown masked: never the number, never the hash
    assert ID_A not in warning.label and "张*" in warning.label and "6102**********1237" in warning.label
    assert (warning.township_id, warning.village_id) == (people.tree.town_a1.pk, None)
    assert evaluate().raised == 0


@pytest.mark.parametrize(("age", "raised"), [(30 * DAY, 1), (30 * DAY + SECOND, 0)])
def test_repeat_party_window_boundary(people, only_rule, category, age, raised):
    only_rule(WarningKind.REPEAT_PARTY, min_cases=2, window_days=30)
    party(case_at(NOW - age, people.tree.village_a1x, category))
    party(case_at(NOW - SECOND, people.tree.village_a1x, category))

    assert evaluate().raised == raised


def test_repeat_party_across_townships_sits_at_the_county(people, only_rule, category):
    only_rule(WarningKind.REPEAT_PARTY, min_cases=2, window_days=30)
    party(case_at(NOW - DAY, people.tree.village_a1x, category))
    party(case_at(NOW - SECOND, people.tree.village_a2x, category))

    assert evaluate().raised == 1
    warning = EarlyWarning.objects.get()
    assert (warning.county_id, warning.township_id, warning.village_id) == (people.tree.county_a.pk, None, None)
