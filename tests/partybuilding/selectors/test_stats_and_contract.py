"""Each statistic against an independent count over generated data, and the contract's
unscoped aggregates."""
import datetime as dt
import random
from decimal import Decimal

import pytest

from governance.models import Role
from governance.periods import Period
from governance.scoping import scope_for
from partybuilding import contract, services
from partybuilding.models import ActivityKind, MemberKind, ResidentUnitKind
from partybuilding.selectors import rhythm_reminders
from partybuilding.selectors.stats import party_stats
from tests.factories import GridFactory
from tests.partybuilding.factories import group, keeper, member, organisation

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def world(tree):
    """Random grids, groups, members and activities across A1, A2 and B1; the expected
    figures are tallied here as the rows are made (no query)."""
    rng = random.Random(7)
    county = keeper(tree.county_a)
    other = keeper(tree.county_b)
    tally = {"grids": {}, "covered": {}, "single": 0, "joint": 0, "members": {}, "reported": {}, "hours": Decimal(0),
             "monthly": {}}
    villages = [(tree.village_a1x, county), (tree.village_a1y, county), (tree.village_a2x, county),
                (tree.village_b1x, other)]
    for village, actor in villages:
        grids = [GridFactory(region=village) for _ in range(rng.randint(2, 5))]
        tally["grids"][village.pk] = len(grids)
        covered = grids[: rng.randint(1, len(grids))]
        tally["covered"][village.pk] = len(covered)
        if len(covered) > 1 and rng.random() < 0.5:
            groups = [group(actor, covered, name=f"{village.name}联建")]
            tally["joint"] += village.county_id == tree.county_a.pk
        else:
            groups = [group(actor, [grid], name=f"{village.name}{i}") for i, grid in enumerate(covered)]
            tally["single"] += len(groups) * (village.county_id == tree.county_a.pk)
        for grp in groups:
            people = []
            for n in range(rng.randint(1, 3)):
                reported = rng.random() < 0.4
                extra = {"kind": MemberKind.REPORTED, "work_unit": "某局", "reported_community_id": village.pk} \
                    if reported else {}
                people.append(member(actor, grp, name=f"党员{grp.pk}-{n}", grid=grp.grids.first(), **extra))
                tally["members"][village.pk] = tally["members"].get(village.pk, 0) + 1
                if reported:
                    tally["reported"][village.name] = tally["reported"].get(village.name, 0) + 1
            for _ in range(rng.randint(1, 3)):
                kind = rng.choice([ActivityKind.VOLUNTEER, ActivityKind.GROUP_MEETING])
                held = dt.date(YEAR, rng.randint(1, 2), rng.randint(1, 28))
                attendees = people[: rng.randint(1, len(people))]
                services.activity_log(actor=actor, data=services.ActivityInput(
                    kind=kind, held_on=held, place="室", topic="题", hours="1.5", group_id=grp.pk,
                    attendee_ids=[p.pk for p in attendees]))
                if village.county_id == tree.county_a.pk:
                    if kind == ActivityKind.VOLUNTEER:
                        tally["hours"] += Decimal("1.5") * len(attendees)
                    key = (str(kind.label), held.month)
                    tally["monthly"][key] = tally["monthly"].get(key, 0) + 1
    return county, tally


def test_each_statistic_matches_the_independent_tally(tree, world):
    county, tally = world
    stats = party_stats(scope=scope_for(county), year=YEAR, level="village")
    a_villages = [tree.village_a1x, tree.village_a1y, tree.village_a2x]
    assert {row.region_id: (row.grids, row.covered, row.members) for row in stats.coverage} == {
        v.pk: (tally["grids"][v.pk], tally["covered"][v.pk], tally["members"].get(v.pk, 0)) for v in a_villages}
    assert (stats.groups_single, stats.groups_joint) == (tally["single"], tally["joint"])
    assert dict(stats.reported_by_community) == {k: v for k, v in tally["reported"].items() if k != "城关社区"}
    assert stats.volunteer_hours == tally["hours"]
    monthly = {(kind, month + 1): n for kind, counts in stats.activities_by_month.items()
               for month, n in enumerate(counts) if n}
    assert monthly == tally["monthly"]
    by_town = party_stats(scope=scope_for(county), year=YEAR, level="township")
    assert {row.region_id: row.grids for row in by_town.coverage} == {
        tree.town_a1.pk: tally["grids"][tree.village_a1x.pk] + tally["grids"][tree.village_a1y.pk],
        tree.town_a2.pk: tally["grids"][tree.village_a2x.pk]}


def test_part_time_members_and_funds_per_community(tree):
    actor, leader = keeper(tree.town_a1), keeper(tree.town_a1, Role.LEADER)
    org = organisation(actor, tree.village_a1x)
    for i, (start, end) in enumerate([(dt.date(2025, 1, 1), dt.date(2099, 1, 1)),
                                      (dt.date(2020, 1, 1), dt.date(2021, 1, 1))]):
        unit = services.unit_create(actor=actor, name=f"单位{i}", kind=ResidentUnitKind.SOCIAL,
                                    region_id=tree.village_a1x.pk, head_name=f"负责人{i}")
        services.part_time_member_add(actor=actor, unit_id=unit.pk, organisation_id=org.pk, person_name="",
                                      term_start=start, term_end=end)
    first = services.expense_submit(actor=actor, region_id=tree.village_a1x.pk, purpose="甲", amount="1000",
                                    spent_on=dt.date(YEAR, 1, 2))
    services.expense_submit(actor=actor, region_id=tree.village_a1x.pk, purpose="乙", amount="250.5",
                            spent_on=dt.date(YEAR, 1, 3))
    services.expense_decide(actor=leader, expense_id=first.pk, approve=True)
    stats = party_stats(scope=scope_for(actor), year=YEAR)
    assert stats.part_time_by_community == [("云梦堤社区", 1)]  # the ended term does not count
    [row] = stats.funds
    assert (row.amount, row.approved, row.pending, row.balance) == (
        Decimal("15000"), Decimal("1000"), Decimal("250.50"), Decimal("13749.50"))
    assert party_stats(scope=scope_for(keeper(tree.town_b1)), year=YEAR).funds == []


def test_contract_coverage_and_participation_by_region(tree, world):
    _county, tally = world
    ids = [tree.town_a1.pk, tree.town_a2.pk, tree.town_b1.pk]
    coverage = contract.unscoped_group_coverage_by_region(level="township", region_ids=ids,
                                                          period=Period.month(YEAR, 2))
    assert coverage[tree.town_a2.pk] == contract.GroupCoverage(
        tally["grids"][tree.village_a2x.pk], tally["covered"][tree.village_a2x.pk])
    assert coverage[tree.town_b1.pk].grids_with_group == tally["covered"][tree.village_b1x.pk]
    before = contract.unscoped_group_coverage_by_region(level="township", region_ids=ids,
                                                        period=Period.month(2025, 12))
    assert before[tree.town_a1.pk].grids_with_group == 0  # groups established in 2026
    participation = contract.unscoped_member_participation_by_region(
        level="village", region_ids=[tree.village_a2x.pk], period=Period.year(YEAR))
    counted = participation[tree.village_a2x.pk]
    assert counted.members == tally["members"][tree.village_a2x.pk] and 1 <= counted.participating <= counted.members
    quiet = contract.unscoped_member_participation_by_region(
        level="village", region_ids=[tree.village_a2x.pk], period=Period.year(2027))
    assert quiet[tree.village_a2x.pk].participating == 0


def test_rhythm_reminders_follow_the_rules_as_data(tree):
    actor = keeper(tree.town_a1)
    grp = group(actor, [GridFactory(region=tree.village_a1x)])
    today = dt.date(2026, 5, 20)
    assert {r.kind_label for r in rhythm_reminders(scope=scope_for(actor), today=today)} == {"党小组会", "党课"}
    for kind, held in ((ActivityKind.GROUP_MEETING, dt.date(2026, 5, 2)), (ActivityKind.LECTURE, dt.date(2026, 4, 9))):
        services.activity_log(actor=actor, data=services.ActivityInput(
            kind=kind, held_on=held, place="室", topic="题", hours="1", group_id=grp.pk))
    assert rhythm_reminders(scope=scope_for(actor), today=today) == []
    assert {r.kind_label for r in rhythm_reminders(scope=scope_for(actor), today=dt.date(2026, 7, 1))} == {
        "党小组会", "党课"}
    assert rhythm_reminders(scope=scope_for(keeper(tree.town_b1)), today=today) == []
