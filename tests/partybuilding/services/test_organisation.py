import datetime as dt

import pytest

from governance.errors import Forbidden, InvalidInput, NotFound
from governance.models import Role
from governance.personal_data import decrypt
from partybuilding import services
from partybuilding.models import MemberKind, PartTimeMember, PartyGroup, PartyGroupKind, PartyMember, ResidentUnitKind
from tests.factories import GridFactory
from tests.partybuilding.factories import DAY, grids, group, keeper, member, organisation

pytestmark = pytest.mark.django_db


def test_single_group_covers_its_one_grid_and_records_history(tree):
    actor = keeper(tree.town_a1)
    grid = GridFactory(region=tree.village_a1x)
    made = group(actor, [grid])
    assert made.kind == PartyGroupKind.SINGLE and made.region == tree.village_a1x
    assert made.township_id == tree.town_a1.pk
    assert list(made.grids.all()) == [grid]
    assert list(made.changes.values_list("grid_names", flat=True)) == [[grid.name]]


def test_single_group_with_two_grids_is_refused_and_nothing_saved(tree):
    actor = keeper(tree.town_a1)
    with pytest.raises(InvalidInput) as err:
        group(actor, grids(tree.village_a1x), kind=PartyGroupKind.SINGLE)
    assert err.value.message == "单建党小组只能覆盖一个网格"
    assert PartyGroup.objects.count() == 0


def test_joint_group_across_two_communities_sits_at_the_township(tree):
    actor = keeper(tree.town_a1)
    made = group(actor, [GridFactory(region=tree.village_a1x), GridFactory(region=tree.village_a1y)])
    assert made.region == tree.town_a1 and made.village_id is None
    assert made.grids.count() == 2


def test_joint_group_across_townships_is_refused(tree):
    actor = keeper(tree.county_a)
    with pytest.raises(InvalidInput, match="同一乡镇"):
        group(actor, [GridFactory(region=tree.village_a1x), GridFactory(region=tree.village_a2x)])


def test_grid_of_another_township_is_not_found(tree):
    actor = keeper(tree.town_a1)
    with pytest.raises(NotFound):
        group(actor, [GridFactory(region=tree.village_b1x)])
    assert PartyGroup.objects.count() == 0


def test_a_handler_may_not_create_groups(tree):
    with pytest.raises(Forbidden):
        group(keeper(tree.town_a1, Role.HANDLER), [GridFactory(region=tree.village_a1x)])


def test_group_organisation_must_cover_the_grids(tree):
    actor = keeper(tree.town_a1)
    org = organisation(actor, tree.village_a1y)
    with pytest.raises(InvalidInput, match="所属党组织"):
        group(actor, [GridFactory(region=tree.village_a1x)], organisation_id=org.pk)


def test_member_phone_is_encrypted_and_masked(tree):
    actor = keeper(tree.town_a1)
    grp = group(actor, [GridFactory(region=tree.village_a1x)])
    made = member(actor, grp, phone="13812345678")
    assert made.phone_masked == "138****5678"
    assert decrypt(made.phone_enc) == "13812345678"
    assert made.grid_id == grp.grids.get().pk  # a single group's grid is the member's
    assert made.region == tree.village_a1x


def test_member_in_a_grid_outside_the_groups_grids_is_refused(tree):
    actor = keeper(tree.town_a1)
    own, other = grids(tree.village_a1x)
    grp = group(actor, [own])
    with pytest.raises(InvalidInput) as err:
        member(actor, grp, grid=other)
    assert err.value.message == "该党员的服务网格不在所在党小组的覆盖网格内"
    assert PartyMember.objects.count() == 0


def test_reported_member_needs_work_unit_and_community(tree):
    actor = keeper(tree.town_a1)
    grp = group(actor, [GridFactory(region=tree.village_a1x)])
    with pytest.raises(InvalidInput, match="工作单位"):
        member(actor, grp, kind=MemberKind.REPORTED)
    made = member(actor, grp, kind=MemberKind.REPORTED, work_unit="区财政局",
                  reported_community_id=tree.village_a1x.pk, reported_on=DAY)
    assert made.reported_community == tree.village_a1x


def test_group_change_keeps_history_and_refuses_dropping_a_served_grid(tree):
    actor = keeper(tree.town_a1)
    first, second = grids(tree.village_a1x)
    grp = group(actor, [first, second])
    leader = member(actor, grp, grid=second)
    services.group_change(actor=actor, group_id=grp.pk, leader_id=leader.pk, note="换届")
    with pytest.raises(InvalidInput, match="仍有党员"):
        services.group_change(actor=actor, group_id=grp.pk, grid_ids=[first.pk])
    services.group_change(actor=actor, group_id=grp.pk, grid_ids=[second.pk])
    history = list(grp.changes.order_by("id").values_list("leader_name", "grid_names"))
    assert history == [("", [first.name, second.name]), ("张三", [first.name, second.name]), ("张三", [second.name])]


def test_part_time_member_term_ending_before_it_starts_is_refused(tree):
    actor = keeper(tree.town_a1)
    org = organisation(actor, tree.village_a1x)
    unit = services.unit_create(actor=actor, name="区供电公司", kind=ResidentUnitKind.ENTERPRISE,
                                region_id=tree.village_a1x.pk, head_name="李四")
    with pytest.raises(InvalidInput) as err:
        services.part_time_member_add(actor=actor, unit_id=unit.pk, organisation_id=org.pk, person_name="",
                                      term_start=dt.date(2026, 3, 1), term_end=dt.date(2026, 2, 1))
    assert err.value.message == "任期结束日期不能早于开始日期"
    made = services.part_time_member_add(actor=actor, unit_id=unit.pk, organisation_id=org.pk, person_name="",
                                         term_start=dt.date(2025, 3, 1), term_end=dt.date(2028, 2, 1))
    assert made.person_name == "李四" and PartTimeMember.objects.count() == 1
    assert made.village_id == tree.village_a1x.pk


def test_unit_of_another_township_is_not_found(tree):
    mine, other = keeper(tree.town_a1), keeper(tree.town_b1)
    unit = services.unit_create(actor=other, name="城关中学", kind=ResidentUnitKind.ENTERPRISE,
                                region_id=tree.village_b1x.pk)
    org = organisation(mine, tree.village_a1x)
    with pytest.raises(NotFound):
        services.part_time_member_add(actor=mine, unit_id=unit.pk, organisation_id=org.pk, person_name="王五",
                                      term_start=DAY, term_end=DAY)
