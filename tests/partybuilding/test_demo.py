"""The party-building demo: the source's 77/53 split over 王益区's grids, members of every kind,
48 resident units with 兼职委员, a year of activities and fund use; idempotent."""
import random
from io import StringIO

import pytest
from django.db.models import Count

from governance import demo as governance_demo
from governance.models import Region
from grids import demo as grids_demo
from partybuilding import demo
from partybuilding.models import (
    Activity,
    ActivityKind,
    FundExpense,
    MemberKind,
    PartTimeMember,
    PartyFund,
    PartyGroup,
    PartyMember,
    ResidentUnit,
)


def test_plan_keeps_the_source_figures_at_261_grids():
    # 20 communities, 261 grids (13 or 14 each)
    grids, start = {}, 0
    for village in range(20):
        size = 14 if village < 1 else 13
        grids[village] = list(range(start, start + size))
        start += size
    assert start == 261
    singles, joints = demo.plan_groups(grids)
    assert (len(singles), len(joints)) == (77, 53)
    covered = set(singles) | {pk for chunk in joints for pk in chunk}
    assert covered == set(range(261))  # every grid covered, none twice
    assert len(singles) + sum(len(chunk) for chunk in joints) == 261
    village_of = {pk: v for v, ids in grids.items() for pk in ids}
    assert all(len({village_of[pk] for pk in chunk}) == 1 for chunk in joints)


def test_plan_scales_down_with_the_same_split():
    singles, joints = demo.plan_groups({v: list(range(v * 4, v * 4 + 4)) for v in range(20)})
    # fewer grids than the source: the same split; a community may be left without a 联建 group
    assert (len(singles), len(joints)) == (24, 16)
    assert len(set(singles) | {pk for chunk in joints for pk in chunk}) <= 80


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (
        PartyGroup, PartyMember, ResidentUnit, PartTimeMember, Activity, PartyFund, FundExpense)}


@pytest.mark.django_db
@pytest.mark.slow
def test_seed_fills_wangyi_and_runs_twice_with_the_same_result():
    out = StringIO()
    governance_demo.seed(stdout=out, rng=random.Random(1))
    grids_demo.seed(stdout=out, rng=random.Random(2))
    demo.seed(stdout=out, rng=random.Random(3))
    first = counts()
    demo.seed(stdout=out, rng=random.Random(3))
    assert counts() == first
    assert "已有" in out.getvalue()

    # the plan over the grids 王益区's communities have (today's demo grids, or 261 after grids' own demo grows)
    communities, grids = demo.community_grids(Region.objects.get(code="610202"))
    singles, joints = demo.plan_groups(grids)
    kinds = dict(PartyGroup.objects.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    assert (kinds["single"], kinds["joint"]) == (len(singles), len(joints))
    assert len(communities) == 20
    covered = PartyGroup.grids.through.objects.values("grid_id").distinct().count()
    assert set(PartyMember.objects.values_list("kind", flat=True)) == set(MemberKind.values)
    assert PartyMember.objects.count() == round(1400 * covered / 261)
    assert first["ResidentUnit"] == 48 and first["PartTimeMember"] == 48
    assert set(Activity.objects.values_list("kind", flat=True)) >= {
        ActivityKind.GROUP_MEETING, ActivityKind.LECTURE, ActivityKind.VOLUNTEER}
    assert not PartyFund.objects.filter(committed__gt=15000).exists()
    assert FundExpense.objects.filter(state="approved").exists() and FundExpense.objects.filter(state="pending").exists()
    assert not PartyGroup.objects.exclude(county__code="610202").exists()
    # a 单建 group carries its grid's name (a new user found 第16网格党小组 over 第1网格)
    for single in PartyGroup.objects.filter(kind="single").prefetch_related("grids")[:20]:
        assert single.name == f"{single.grids.get().name}党小组"
