"""The case indicators (disputes.contract.unscoped_case_indicators_by_region) against a
hand-computed expectation, and the case list's drill-down counting the same cases."""
import datetime as dt

import pytest

from disputes import contract
from disputes.models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseState,
    Mediation,
    MediationOutcome,
    Step,
    Supervision,
    SupervisionKind,
    SupervisionLevel,
)
from disputes.selectors import case_list
from governance.models import RegionLevel, Role
from governance.periods import Period
from governance.scoping import scope_for
from governance.workdays import SHANGHAI
from tests.factories import CaseFactory, GridFactory, UserFactory

pytestmark = pytest.mark.django_db
NOV = Period.month(2026, 11)


def at(day: int, hour: int = 12, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def stamp(case: Case, **values) -> None:
    Case.objects.filter(pk=case.pk).update(**values)


def event(case: Case, action: str, when: dt.datetime, **data) -> None:
    CaseEvent.objects.create(case=case, action=action, created_at=when, data=data)


@pytest.fixture
def data(tree):
    """Seven cases of 七一路街道 and one of 城关街道, November 2026 (the expectations are in
    each test, computed by hand from these rows)."""
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    grid = GridFactory(region=tree.village_a1x)
    c = {}
    for name in ("c1", "c2", "c3", "c4", "c5", "c7", "c8"):
        c[name] = CaseFactory(village=tree.village_a1x, registered_by=clerk, address="某路1号", grid=grid)
    c["c6"] = CaseFactory(village=tree.village_b1x, registered_by=clerk)
    for name in ("c1", "c4"):
        CaseParty.objects.create(case=c[name], role="applicant", name="张三")
    # c1: accepted on time, handling deadline in November, still in progress (late)
    stamp(c["c1"], created_at=at(1), accept_decided_at=at(3), accept_due_at=at(5), accepted_at=at(3),
          state=CaseState.IN_PROGRESS, step=Step.HANDLE, due_at=at(10))
    # c2: accepted late, resolved on time; no address
    stamp(c["c2"], created_at=at(1), accept_decided_at=at(6), accept_due_at=at(4), accepted_at=at(6),
          resolved_at=at(8), resolve_due_at=at(20), state=CaseState.RESOLVED, step=Step.CALLBACK, address="")
    # c3: waiting for acceptance, its acceptance deadline in November; no grid
    stamp(c["c3"], created_at=at(1), state=CaseState.REGISTERED, step=Step.ACCEPT, due_at=at(20), grid=None)
    # c4: taken in October, resolved late in November
    stamp(c["c4"], created_at=at(15, month=10), accept_decided_at=at(16, month=10), accept_due_at=at(17, month=10),
          accepted_at=at(16, month=10), resolved_at=at(12), resolve_due_at=at(11), closed_at=at(15),
          state=CaseState.CLOSED, step=Step.CALLBACK)
    # c5: deadline in November, resolved only in December (late for November)
    stamp(c["c5"], created_at=at(15, month=10), accepted_at=at(16, month=10), resolved_at=at(2, month=12),
          resolve_due_at=at(25), state=CaseState.RESOLVED)
    # c7: escalated to the county before it was resolved: not the township's any more
    stamp(c["c7"], created_at=at(1), owning_level=RegionLevel.COUNTY, owning_region=tree.county_a,
          resolved_at=at(9), resolve_due_at=at(10), state=CaseState.RESOLVED)
    # c8: taken in by the county center directly (越级)
    stamp(c["c8"], created_at=at(2), intake_region=tree.county_a, owning_level=RegionLevel.COUNTY,
          owning_region=tree.county_a)
    stamp(c["c6"], created_at=at(1), accepted_at=at(2), accept_decided_at=at(2), accept_due_at=at(1))
    event(c["c4"], "callback", at(15), satisfied=True)
    event(c["c2"], "callback", at(9), satisfied=False)
    event(c["c1"], "dispatch", at(4))
    event(c["c2"], "dispatch", at(7))
    event(c["c2"], "return", at(8))
    event(c["c1"], "red", at(11))
    event(c["c5"], "red", at(26))
    event(c["c5"], "red", at(27))
    event(c["c4"], "red", at(1, month=12))  # after the period
    for case, outcome, day in ((c["c1"], MediationOutcome.AGREEMENT, 5), (c["c2"], MediationOutcome.NO_AGREEMENT, 7),
                               (c["c3"], MediationOutcome.ONGOING, 7)):
        Mediation.objects.create(case=case, mediators="王明", held_at=at(day), outcome=outcome, created_by=clerk)
    for case, level, withdrawn in ((c["c1"], SupervisionLevel.YELLOW, None), (c["c5"], SupervisionLevel.RED, None),
                                   (c["c2"], SupervisionLevel.RED, at(14))):
        s = Supervision.objects.create(case=case, kind=SupervisionKind.SUPERVISE, level=level, withdrawn_at=withdrawn)
        Supervision.objects.filter(pk=s.pk).update(created_at=at(13))
    return c


EXPECTED = {
    # key: (numerator, denominator) for 七一路街道 in November, by hand from the fixture
    "accept_timely": (1, 3),  # c1 on time; c2 late; c3 deadline passed undecided
    "resolve_on_time": (1, 4),  # c2 on time; c4 late; c5 and c1 unresolved at the end, deadline inside
    "resolve_rate": (1, 2),  # accepted in Nov: c1, c2; resolved by the end: c2
    "mediation_success": (1, 2),  # concluded: c1 agreement, c2 none; c3 ongoing aside
    "satisfaction": (1, 2),
    "redo_rate": (1, 2),
    "return_rate": (1, 2),
    "overdue": (2, None),  # c1, c5 (twice, once counted); c4's card was in December
    "supervision": (2, None),  # c1 yellow, c5 red; c2's was withdrawn
    "skip_level": (1, None),  # c8 taken in by the county
    "completeness": (1, 3),  # created in Nov, taken in by the township: c1 complete, c2 no address, c3 no grid
}


def test_every_case_indicator_matches_the_hand_computed_figures(data, tree):
    figures = contract.unscoped_case_indicators_by_region(
        level=RegionLevel.TOWNSHIP, region_ids=[tree.town_a1.pk, tree.town_a2.pk], period=NOV)

    got = {key: (f.numerator, f.denominator) for key, f in figures[tree.town_a1.pk].items()}
    assert got == EXPECTED
    assert figures[tree.town_a1.pk]["supervision"].extra == {"normal": 0, "yellow": 1, "red": 1}
    assert all(f.numerator == 0 for f in figures[tree.town_a2.pk].values())


def test_the_county_counts_what_its_townships_and_its_own_center_own(data, tree):
    figures = contract.unscoped_case_indicators_by_region(level=RegionLevel.COUNTY, region_ids=[tree.county_a.pk],
                                                          period=NOV)[tree.county_a.pk]
    # c7 (owned by the county, resolved on time) joins the township's four
    assert (figures["resolve_on_time"].numerator, figures["resolve_on_time"].denominator) == (2, 5)
    assert figures["skip_level"].numerator == 0  # nothing came from above the county


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_the_case_list_drill_down_counts_the_same_cases(data, tree, key):
    leader = UserFactory(role=Role.LEADER, region=tree.county_a)
    numerator, denominator = EXPECTED[key]
    base = {"region": tree.town_a1.pk, "indicator": key, "period_from": "2026-11-01", "period_to": "2026-11-30"}
    scope = scope_for(leader)

    assert case_list(scope=scope, filters={**base, "part": "num"}).count() == numerator
    if denominator is not None:
        assert case_list(scope=scope, filters={**base, "part": "den"}).count() == denominator
        assert case_list(scope=scope, filters={**base, "part": "miss"}).count() == denominator - numerator


def test_the_late_cases_of_resolve_on_time_are_exactly_c1_c4_c5(data, tree):
    leader = UserFactory(role=Role.LEADER, region=tree.county_a)
    late = case_list(scope=scope_for(leader), filters={
        "region": tree.town_a1.pk, "indicator": "resolve_on_time", "part": "miss",
        "period_from": "2026-11-01", "period_to": "2026-11-30"})
    assert {c.pk for c in late} == {data["c1"].pk, data["c4"].pk, data["c5"].pk}
