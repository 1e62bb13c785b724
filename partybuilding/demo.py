"""Demo party building (`manage.py seed_demo`) for 王益区, after the source's figures: its 20
communities' grids carry 77 单建 and 53 联建 grid party groups (scaled down, with the same
split, when fewer grids exist: at 261 grids the figures are the source's and every grid is
covered), ~1,400 members of every kind (scaled the same way), 48 resident units whose heads
serve as 兼职委员, agreements and joint meetings, a year of activities and of fund use.

Groups, units, terms, agreements, meetings and expenses go through the services; members are
validated by the service's `member_build` and activities built like `activity_log`'s rows, then
bulk-inserted (thousands of rows). Idempotent: when 王益区 already has demo groups the seeder
reports them and adds nothing.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TextIO

from django.db import transaction

from governance import clock
from governance.demo import person_name, stable_rng
from governance.models import Region, RegionLevel, User
from governance.scoping import scope_for
from grids.contract import grid_queryset, unscoped_active_grid_ids_by_village
from partybuilding import services
from partybuilding.models import (
    Activity,
    ActivityKind,
    Gender,
    MemberKind,
    OrganisationLevel,
    PartyGroup,
    PartyGroupKind,
    PartyMember,
    ResidentUnitKind,
)

COUNTY_CODE = "610202"  # 王益区
SOURCE_GRIDS, SOURCE_SINGLE, SOURCE_JOINT, SOURCE_MEMBERS, UNITS = 261, 77, 53, 1400, 48
KEEPER, APPROVER = "wangyi_dispatcher", "wangyi_leader"
MEMBER_KINDS = [(MemberKind.COMMUNITY, 45), (MemberKind.REPORTED, 30), (MemberKind.MOBILE, 10),
                (MemberKind.RETIRED, 15)]
WORK_UNITS = ["王益区财政局", "王益区人民医院", "铜川市第一中学", "国网王益供电公司", "王益区税务局", "王益区教育局",
              "王益区人民法院", "王益区住建局", "中国银行王益支行", "铜川矿务局"]
UNIT_SUFFIXES = {
    ResidentUnitKind.ORGAN: ["街道财政所", "市场监管所", "税务分局"],
    ResidentUnitKind.ENTERPRISE: ["供电营业所", "卫生服务站", "中心小学"],
    ResidentUnitKind.NON_PUBLIC: ["物业服务公司", "连锁超市", "家政服务公司"],
    ResidentUnitKind.SOCIAL: ["志愿者协会", "老年协会", "社工服务站"],
}
# Activities per group and year besides the monthly 党小组会 and the quarterly 党课.
EXTRA_ACTIVITIES = [(ActivityKind.THEME_DAY, 6), (ActivityKind.VOLUNTEER, 6), (ActivityKind.MEDIATION, 2),
                    (ActivityKind.POLICY_TALK, 2), (ActivityKind.OPINION, 1), (ActivityKind.ERRAND, 2),
                    (ActivityKind.LIFE_MEETING, 1)]
PLACES = ["社区党群服务中心", "网格党员活动室", "小区广场", "社区会议室", "新时代文明实践站"]
EXPENSES = ["党员学习资料", "主题党日活动", "党员活动室设备", "志愿服务物资", "困难党员慰问", "党建宣传展板"]


def plan_groups(grids_by_community: dict[int, list[int]]) -> tuple[list[int], list[list[int]]]:
    """Which grids get a 单建 group and how the rest are split into 联建 groups (each inside
    one community), keeping the source's 77:53 split for the grids there are."""
    total = sum(len(ids) for ids in grids_by_community.values())
    singles_wanted = min(SOURCE_SINGLE, round(total * SOURCE_SINGLE / SOURCE_GRIDS))
    rest = {village: list(ids) for village, ids in grids_by_community.items()}
    singles: list[int] = []
    depth = 0
    while len(singles) < singles_wanted:  # round robin, so every community gets its share
        for village in sorted(rest):
            if len(singles) < singles_wanted and len(rest[village]) > depth:
                singles.append(rest[village][depth])
        depth += 1
    for village in rest:
        rest[village] = [pk for pk in rest[village] if pk not in set(singles)]
    remaining = sum(len(ids) for ids in rest.values())
    joints_wanted = min(SOURCE_JOINT, remaining, max(1, round(total * SOURCE_JOINT / SOURCE_GRIDS)))
    shares = {village: joints_wanted * len(ids) / remaining if remaining else 0 for village, ids in rest.items()}
    counts = {village: min(len(rest[village]), int(share)) for village, share in shares.items()}
    for village in sorted(shares, key=lambda v: (shares[v] - int(shares[v]), v), reverse=True):
        if sum(counts.values()) >= joints_wanted:
            break
        if counts[village] < len(rest[village]):
            counts[village] += 1
    joints = []
    for village in sorted(rest):
        ids, n = rest[village], counts[village]
        for k in range(n):
            joints.append(ids[k * len(ids) // n:(k + 1) * len(ids) // n])
    return singles, [chunk for chunk in joints if chunk]


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "135", "186", "150", "187"]) + f"{rng.randint(0, 99999999):08d}"


def _date_within(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def community_grids(county: Region) -> tuple[dict[int, Region], dict[int, list[int]]]:
    """The county's communities (社区) and their active grid ids, in code order."""
    communities = {r.pk: r for r in Region.objects.filter(county=county, level=RegionLevel.VILLAGE,
                                                            name__endswith="社区").order_by("code")}
    grids = {village: ids for village, ids in unscoped_active_grid_ids_by_village(city_code=county.code[:4]).items()
             if village in communities}
    return communities, grids


@transaction.atomic
def seed(*, stdout: TextIO, rng: random.Random) -> None:
    county = Region.objects.filter(code=COUNTY_CODE).first()
    users = User.objects.in_bulk([KEEPER, APPROVER], field_name="username")
    if county is None or len(users) < 2:
        stdout.write("党建: 未找到王益区或演示账号,跳过\n")
        return
    keeper, approver = users[KEEPER], users[APPROVER]
    scope = scope_for(keeper)
    existing = PartyGroup.objects.filter(county=county).count()
    if existing:
        stdout.write(f"党建: 王益区已有 {existing} 个网格党小组,跳过\n")
        return
    communities, grids = community_grids(county)
    today = clock.localdate()
    year_ago = today - dt.timedelta(days=365)
    committees = {
        village: services.organisation_create(actor=keeper, name=f"{region.name}党委",
                                              level=OrganisationLevel.COMMUNITY_COMMITTEE, region_id=village)
        for village, region in communities.items()
    }
    village_of = {pk: village for village, ids in grids.items() for pk in ids}
    singles, joints = plan_groups(grids)
    # A 单建 group is named after its grid (红旗社区第1网格党小组), read through the grids contract.
    grid_names = dict(grid_queryset(scope, None).filter(pk__in=singles).values_list("pk", "name"))
    groups: list[PartyGroup] = []
    for kind, grid_sets in ((PartyGroupKind.SINGLE, [[pk] for pk in singles]), (PartyGroupKind.JOINT, joints)):
        for n, grid_ids in enumerate(grid_sets, start=1):
            village = village_of[grid_ids[0]]
            name = (f"{grid_names[grid_ids[0]]}党小组" if kind == PartyGroupKind.SINGLE
                    else f"{communities[village].name}联建党小组{n}")
            groups.append(services.group_create(actor=keeper, data=services.GroupInput(
                name=name, kind=kind, grid_ids=grid_ids, organisation_id=committees[village].pk,
                established_on=_date_within(rng, dt.date(2021, 3, 1), year_ago))))
    units = _units(keeper, rng, communities, committees)
    for group in groups:
        if group.kind == PartyGroupKind.JOINT and rng.random() < 0.4:
            group.partners = rng.choice(["物业服务公司", "社会组织", "物业服务公司、业主委员会"])
            group.save(update_fields=["partners", "updated_at"])
    members = _members(scope, rng, groups, communities, year_ago)
    for group in groups:
        leader = next((m for m in members if m.group_id == group.pk), None)
        if leader is not None:
            services.group_change(actor=keeper, group_id=group.pk, leader_id=leader.pk, note="选举党小组长")
    activities = _activities(keeper, rng, groups, members, today, year_ago)
    expenses = _funds(keeper, approver, rng, communities, today)
    stdout.write(
        f"党建: 党组织 {len(committees)},网格党小组 单建 {len(singles)} / 联建 {len(joints)}"
        f"(网格 {sum(len(ids) for ids in grids.values())}),党员 {len(members)},驻区单位 {units},"
        f"活动 {activities},经费支出 {expenses}\n")


def _units(keeper: User, rng: random.Random, communities, committees) -> int:
    villages = list(communities)
    kinds = list(UNIT_SUFFIXES)
    for n in range(UNITS if villages else 0):
        village = villages[n % len(villages)]
        kind = kinds[n % len(kinds)]
        suffix = UNIT_SUFFIXES[kind][(n // len(villages)) % len(UNIT_SUFFIXES[kind])]
        unit = services.unit_create(actor=keeper, name=f"{communities[village].name}{suffix}", kind=kind,
                                    region_id=village, head_name=person_name(rng))
        start = dt.date(2024, rng.choice([1, 3, 6]), 1)
        services.part_time_member_add(actor=keeper, unit_id=unit.pk, organisation_id=committees[village].pk,
                                      person_name="", term_start=start, term_end=start.replace(year=start.year + 3))
    for committee in committees.values():
        unit_ids = [u.unit_id for u in committee.part_time_members.all()]
        if unit_ids:
            services.agreement_create(actor=keeper, organisation_id=committee.pk, unit_ids=unit_ids,
                                      signed_on=dt.date(2024, 3, 1), commitments="共享阵地资源、共办志愿服务、共解民生难题")
            services.meeting_record(actor=keeper, organisation_id=committee.pk, held_on=dt.date(2024, 6, 20),
                                    attendees="社区党委委员、兼职委员", decisions="确定年度共建项目清单",
                                    follow_up="已按清单推进")
    return UNITS if villages else 0


def _members(scope, rng: random.Random, groups, communities, year_ago) -> list[PartyMember]:
    grid_total = sum(group.grids.count() for group in groups) or 1
    wanted = round(SOURCE_MEMBERS * grid_total / SOURCE_GRIDS)
    kinds = [kind for kind, weight in MEMBER_KINDS for _ in range(weight)]
    built = []
    for i in range(wanted):
        group = groups[i % len(groups)]
        grid_ids = list(group.grids.values_list("pk", flat=True))
        kind = kinds[i % len(kinds)]
        reported = kind == MemberKind.REPORTED
        built.append(services.member_build(scope=scope, data=services.MemberInput(
            name=person_name(rng), gender=rng.choice(Gender.values), kind=kind, phone=_phone(rng),
            grid_id=rng.choice(grid_ids), group_id=group.pk,
            organisation_id=group.organisation_id, work_unit=rng.choice(WORK_UNITS) if reported else "",
            reported_community_id=(group.village_id or next(iter(communities))) if reported else None,
            joined_on=_date_within(rng, dt.date(1975, 1, 1), dt.date(2020, 12, 31)),
            reported_on=_date_within(rng, dt.date(2021, 1, 1), year_ago) if reported else None,
        )))
    return PartyMember.objects.bulk_create(built, batch_size=500)


def _activities(keeper: User, rng: random.Random, groups, members, today, year_ago) -> int:
    by_group: dict[int, list[PartyMember]] = {}
    for member in members:
        by_group.setdefault(member.group_id, []).append(member)
    rows, attendees = [], []
    for group in groups:
        plan = [(ActivityKind.GROUP_MEETING, dt.date(d.year, d.month, min(rng.randint(5, 25), 28)))
                for d in (today.replace(day=1) - dt.timedelta(days=30 * k) for k in range(1, 12))]
        if rng.random() < 0.8:  # a fifth of the groups has not met yet this month: the reminder shows
            plan.append((ActivityKind.GROUP_MEETING, _date_within(rng, today.replace(day=1), today)))
        quarter = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        plan += [(ActivityKind.LECTURE, _date_within(rng, quarter - dt.timedelta(days=92 * k), quarter - dt.timedelta(
            days=92 * k - 80))) for k in range(1, 4)]
        if rng.random() < 0.85:
            plan.append((ActivityKind.LECTURE, _date_within(rng, quarter, today)))
        plan += [(kind, _date_within(rng, year_ago, today)) for kind, n in EXTRA_ACTIVITIES for _ in range(n)]
        people = by_group.get(group.pk, [])
        for kind, held in plan:
            if held > today or held < year_ago:
                continue
            activity = Activity(kind=kind, group=group, organisation_id=group.organisation_id, region=group.region,
                                held_on=held, place=rng.choice(PLACES), topic=f"{ActivityKind(kind).label}",
                                hours=Decimal(rng.choice(["1.0", "1.5", "2.0", "3.0"])), recorded_by=keeper)
            activity.set_region(group.region)
            rows.append(activity)
            attendees.append([p.pk for p in people if rng.random() < 0.7])
    Activity.objects.bulk_create(rows, batch_size=500)
    through = Activity.attendees.through
    through.objects.bulk_create([through(activity_id=a.pk, partymember_id=pk)
                                 for a, ids in zip(rows, attendees, strict=True) for pk in ids], batch_size=2000)
    return len(rows)


def _funds(keeper: User, approver: User, rng: random.Random, communities, today) -> int:
    count = 0
    for village, region in communities.items():
        local = stable_rng("party-fund", region.code)
        budget = Decimal("15000")
        start = today.replace(month=1, day=1)
        for n in range(local.randint(4, 8)):
            amount = Decimal(local.randint(3, 25) * 100)
            if amount > budget:
                break
            budget -= amount
            expense = services.expense_submit(actor=keeper, region_id=village, purpose=local.choice(EXPENSES),
                                              amount=amount, spent_on=_date_within(local, start, today))
            count += 1
            if n % 5 != 4:  # most are decided; a few wait for the second person
                services.expense_decide(actor=approver, expense_id=expense.pk, approve=local.random() < 0.9)
    return count

