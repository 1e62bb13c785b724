"""Writes of the organisation: party organisations, grid party groups (with their change
history), members, resident units, part-time committee members, agreements, joint meetings.

Every service is keyword-only, atomic, takes the acting user, re-checks the scope of every row
it touches (grids through the grids contract) and raises the kernel's errors."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock
from governance.errors import InvalidInput
from governance.models import Region, RegionLevel, User
from governance.permissions import require
from governance.personal_data import encrypt, keyed_hash, mask_phone, phone_validate
from governance.scoping import Scope, scope_for
from governance.services import audit_record
from partybuilding import selectors
from partybuilding.models import (
    Gender,
    JointAgreement,
    JointMeeting,
    MemberKind,
    OrganisationLevel,
    PartTimeMember,
    PartyGroup,
    PartyGroupChange,
    PartyGroupKind,
    PartyMember,
    PartyOrganisation,
    ResidentUnit,
    ResidentUnitKind,
)
from partybuilding.models.organisation import GRID_LEVELS


def invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, extra={"fields": {field_name: message}})


def required_text(value: str, field_name: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise invalid(field_name, message)
    return text


def choice(value: str, choices, field_name: str, message: str) -> str:
    if value not in choices.values:
        raise invalid(field_name, message)
    return value


def not_future(value: dt.date | None, field_name: str) -> None:
    if value is not None and value > clock.localdate():
        raise invalid(field_name, _("日期不能晚于今天"))


def region_in_scope(scope: Scope, region_id, *, level: str | None = None) -> Region:
    region = scope.region_in_scope(region_id)
    if level is not None and region.level != level:
        raise invalid("region", _("请选择村(社区)"))
    return region


def covers(outer: Region, inner: Region) -> bool:
    """True when `inner` lies inside `outer` (or is it)."""
    return getattr(inner, f"{outer.level}_id") == outer.pk


# --- Organisations -----------------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, actor: User, name: str, level: str, region_id: int, parent_id: int | None = None,
                        grid_ids: Sequence[int] = ()) -> PartyOrganisation:
    scope = scope_for(actor)
    require(scope, "partybuilding.organisation_manage")
    name = required_text(name, "name", _("请填写组织名称"))
    choice(level, OrganisationLevel, "level", _("组织层级无效"))
    region = region_in_scope(scope, region_id)
    parent = selectors.organisation_get(scope=scope, organisation_id=parent_id) if parent_id else None
    grids = selectors.grids_in_scope(scope=scope, grid_ids=grid_ids)
    if grids and level not in GRID_LEVELS:
        raise invalid("grids", _("只有网格党支部和楼栋党小组覆盖网格"))
    if any(not covers(region, grid.region) for grid in grids):
        raise invalid("grids", _("覆盖网格须在组织所属区划内"))
    if PartyOrganisation.objects.filter(region=region, name=name).exists():
        raise invalid("name", _("该区划已有同名党组织"))
    organisation = PartyOrganisation.objects.create(name=name, level=level, region=region, parent=parent)
    organisation.grids.set(grids)
    return organisation


# --- Grid party groups --------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupInput:
    name: str
    kind: str
    grid_ids: Sequence[int]
    established_on: dt.date
    organisation_id: int | None = None
    unit_ids: Sequence[int] = field(default_factory=tuple)
    partners: str = ""


def _group_grids(scope: Scope, kind: str, grid_ids: Sequence[int]) -> list:
    ids = list(dict.fromkeys(grid_ids or ()))
    if kind == PartyGroupKind.SINGLE and len(ids) != 1:
        raise invalid("grid_ids", _("单建党小组只能覆盖一个网格"))
    if not ids:
        raise invalid("grid_ids", _("联建党小组至少覆盖一个网格"))
    return selectors.grids_in_scope(scope=scope, grid_ids=ids)


def _group_region(grids: list) -> Region:
    """The community of the grids, or their township when a 联建 spans communities."""
    villages = {grid.region_id for grid in grids}
    if len(villages) == 1:
        return grids[0].region
    townships = {grid.township_id for grid in grids}
    if len(townships) != 1 or None in townships:
        raise invalid("grid_ids", _("联建党小组的网格须在同一乡镇(街道)内"))
    return Region.objects.get(pk=townships.pop())


def _record_change(group: PartyGroup, actor: User, note: str) -> None:
    leader = group.leader.name if group.leader_id else ""
    PartyGroupChange.objects.create(group=group, actor=actor, leader_name=leader, note=note,
                                    grid_names=[grid.name for grid in group.grids.order_by("code")])


@transaction.atomic
def group_create(*, actor: User, data: GroupInput) -> PartyGroup:
    """A grid party group: 单建 over exactly one grid, 联建 over one or more (and units)."""
    scope = scope_for(actor)
    require(scope, "partybuilding.group_manage")
    name = required_text(data.name, "name", _("请填写党小组名称"))
    choice(data.kind, PartyGroupKind, "kind", _("请选择组建方式"))
    grids = _group_grids(scope, data.kind, data.grid_ids)
    region = _group_region(grids)
    organisation = None
    if data.organisation_id:
        organisation = selectors.organisation_get(scope=scope, organisation_id=data.organisation_id)
        if not covers(organisation.region, region):
            raise invalid("organisation_id", _("党小组的网格须在所属党组织的区划内"))
    units = [selectors.unit_get(scope=scope, unit_id=pk) for pk in dict.fromkeys(data.unit_ids or ())]
    if units and data.kind == PartyGroupKind.SINGLE:
        raise invalid("unit_ids", _("与驻区单位共建的党小组请选择联建"))
    if data.established_on is None:
        raise invalid("established_on", _("请填写成立日期"))
    not_future(data.established_on, "established_on")
    if PartyGroup.objects.filter(region=region, name=name).exists():
        raise invalid("name", _("该区划已有同名党小组"))
    group = PartyGroup.objects.create(name=name, kind=data.kind, organisation=organisation, region=region,
                                      partners=(data.partners or "").strip(), established_on=data.established_on)
    group.grids.set(grids)
    group.units.set(units)
    _record_change(group, actor, _("成立"))
    audit_record(actor=actor, action="party_group.create", target_type="partybuilding.partygroup",
                 target_id=group.pk, region_id=region.pk, detail={"grids": [g.pk for g in grids]})
    return group


@transaction.atomic
def group_change(*, actor: User, group_id: int, grid_ids: Sequence[int] | None = None,
                 leader_id: int | None = None, note: str = "") -> PartyGroup:
    """Change a group's grids and/or leader; the change is kept in its history."""
    scope = scope_for(actor)
    group = selectors.party_group_get(scope=scope, group_id=group_id)
    require(scope, "partybuilding.group_manage")
    changed = []
    if grid_ids is not None:
        grids = _group_grids(scope, group.kind, grid_ids)
        region = _group_region(grids)
        kept = {grid.pk for grid in grids}
        if group.members.filter(is_active=True, grid__isnull=False).exclude(grid_id__in=kept).exists():
            raise invalid("grid_ids", _("仍有党员在将被移出的网格服务，请先调整党员的服务网格"))
        group.region = region
        group.save(update_fields=["region", "city", "county", "township", "village", "updated_at"])
        group.grids.set(grids)
        changed.append("grids")
    if leader_id is not None:
        leader = selectors.member_get(scope=scope, member_id=leader_id)
        if leader.group_id != group.pk:
            raise invalid("leader_id", _("党小组长须为本党小组党员"))
        group.leader = leader
        group.save(update_fields=["leader", "updated_at"])
        changed.append("leader")
    if not changed:
        raise InvalidInput(_("没有需要保存的变更"))
    _record_change(group, actor, (note or "").strip() or _("调整"))
    return group


@transaction.atomic
def group_deactivate(*, actor: User, group_id: int) -> PartyGroup:
    scope = scope_for(actor)
    group = selectors.party_group_get(scope=scope, group_id=group_id)
    require(scope, "partybuilding.group_manage")
    group.is_active = False
    group.save(update_fields=["is_active", "updated_at"])
    _record_change(group, actor, _("撤销"))
    return group


# --- Members -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    name: str
    gender: str
    kind: str
    phone: str = ""
    organisation_id: int | None = None
    work_unit: str = ""
    reported_community_id: int | None = None
    grid_id: int | None = None
    group_id: int | None = None
    joined_on: dt.date | None = None
    reported_on: dt.date | None = None


def member_build(*, scope: Scope, data: MemberInput) -> PartyMember:
    """A validated, unsaved member (shared by the form and the import)."""
    name = required_text(data.name, "name", _("请填写姓名"))
    choice(data.gender, Gender, "gender", _("请选择性别"))
    choice(data.kind, MemberKind, "kind", _("请选择党员类型"))
    phone = phone_validate(data.phone) if (data.phone or "").strip() else ""
    group = selectors.party_group_get(scope=scope, group_id=data.group_id) if data.group_id else None
    grid = selectors.grids_in_scope(scope=scope, grid_ids=[data.grid_id])[0] if data.grid_id else None
    if group is not None:
        group_grids = list(group.grids.all())
        if grid is None and len(group_grids) == 1:
            grid = group_grids[0]
        if grid is not None and grid.pk not in {g.pk for g in group_grids}:
            raise invalid("grid_id", _("该党员的服务网格不在所在党小组的覆盖网格内"))
    organisation = (selectors.organisation_get(scope=scope, organisation_id=data.organisation_id)
                    if data.organisation_id else None)
    community = None
    work_unit = (data.work_unit or "").strip()
    if data.kind == MemberKind.REPORTED:
        work_unit = required_text(work_unit, "work_unit", _("在职党员请填写工作单位"))
        if not data.reported_community_id:
            raise invalid("reported_community_id", _("在职党员请选择报到社区"))
        community = region_in_scope(scope, data.reported_community_id, level=RegionLevel.VILLAGE)
    not_future(data.joined_on, "joined_on")
    not_future(data.reported_on, "reported_on")
    region = (grid.region if grid else group.region if group else community if community
              else organisation.region if organisation else None)
    if region is None:
        raise invalid("grid_id", _("请选择服务网格、党小组或组织关系所在党组织"))
    member = PartyMember(
        name=name, gender=data.gender, kind=data.kind, organisation=organisation, work_unit=work_unit,
        reported_community=community, region=region, grid=grid, group=group, joined_on=data.joined_on,
        reported_on=data.reported_on if data.kind == MemberKind.REPORTED else None,
    )
    if phone:
        member.phone_enc, member.phone_hash, member.phone_masked = encrypt(phone), keyed_hash(phone), mask_phone(phone)
    member.set_region(region)
    return member


@transaction.atomic
def member_add(*, actor: User, data: MemberInput) -> PartyMember:
    scope = scope_for(actor)
    require(scope, "partybuilding.member_manage")
    member = member_build(scope=scope, data=data)
    if member.phone_hash and PartyMember.objects.filter(
            region=member.region, name=member.name, phone_hash=member.phone_hash, is_active=True).exists():
        raise invalid("name", _("该党员已登记"))
    member.save()
    return member


@transaction.atomic
def member_deactivate(*, actor: User, member_id: int) -> PartyMember:
    scope = scope_for(actor)
    member = selectors.member_get(scope=scope, member_id=member_id)
    require(scope, "partybuilding.member_manage")
    member.is_active = False
    member.save(update_fields=["is_active", "updated_at"])
    return member


# --- Resident units, part-time committee members, agreements, meetings --------------------------


@transaction.atomic
def unit_create(*, actor: User, name: str, kind: str, region_id: int, head_name: str = "") -> ResidentUnit:
    scope = scope_for(actor)
    require(scope, "partybuilding.unit_manage")
    name = required_text(name, "name", _("请填写单位名称"))
    choice(kind, ResidentUnitKind, "kind", _("请选择单位类型"))
    region = region_in_scope(scope, region_id, level=RegionLevel.VILLAGE)
    if ResidentUnit.objects.filter(region=region, name=name).exists():
        raise invalid("name", _("该社区已登记同名驻区单位"))
    return ResidentUnit.objects.create(name=name, kind=kind, region=region, head_name=(head_name or "").strip())


COMMITTEE_LEVELS = frozenset({OrganisationLevel.COMMUNITY_COMMITTEE, OrganisationLevel.GENERAL_BRANCH,
                              OrganisationLevel.BRANCH})


@transaction.atomic
def part_time_member_add(*, actor: User, unit_id: int, organisation_id: int, person_name: str,
                         term_start: dt.date, term_end: dt.date) -> PartTimeMember:
    """A resident unit's head as 兼职委员 of a community party organisation, for a term."""
    scope = scope_for(actor)
    require(scope, "partybuilding.unit_manage")
    unit = selectors.unit_get(scope=scope, unit_id=unit_id)
    organisation = selectors.organisation_get(scope=scope, organisation_id=organisation_id)
    if organisation.level not in COMMITTEE_LEVELS:
        raise invalid("organisation_id", _("兼职委员须在社区党委、党总支或党支部任职"))
    person_name = required_text(person_name or unit.head_name, "person_name", _("请填写兼职委员姓名"))
    if term_start is None or term_end is None:
        raise invalid("term_start", _("请填写任期起止日期"))
    if term_end < term_start:
        raise invalid("term_end", _("任期结束日期不能早于开始日期"))
    return PartTimeMember.objects.create(unit=unit, organisation=organisation, person_name=person_name,
                                         term_start=term_start, term_end=term_end)


@transaction.atomic
def agreement_create(*, actor: User, organisation_id: int, unit_ids: Sequence[int], signed_on: dt.date,
                     commitments: str, scan=None) -> JointAgreement:
    scope = scope_for(actor)
    require(scope, "partybuilding.unit_manage")
    organisation = selectors.organisation_get(scope=scope, organisation_id=organisation_id)
    units = [selectors.unit_get(scope=scope, unit_id=pk) for pk in dict.fromkeys(unit_ids or ())]
    if not units:
        raise invalid("unit_ids", _("请选择共建单位"))
    commitments = required_text(commitments, "commitments", _("请填写共建事项"))
    not_future(signed_on, "signed_on")
    agreement = JointAgreement(organisation=organisation, signed_on=signed_on, commitments=commitments)
    if scan is not None:
        agreement.scan = scan
    agreement.save()
    agreement.units.set(units)
    return agreement


@transaction.atomic
def meeting_record(*, actor: User, organisation_id: int, held_on: dt.date, attendees: str, decisions: str,
                   follow_up: str = "") -> JointMeeting:
    scope = scope_for(actor)
    require(scope, "partybuilding.unit_manage")
    organisation = selectors.organisation_get(scope=scope, organisation_id=organisation_id)
    not_future(held_on, "held_on")
    return JointMeeting.objects.create(
        organisation=organisation, held_on=held_on,
        attendees=required_text(attendees, "attendees", _("请填写参会人员")),
        decisions=required_text(decisions, "decisions", _("请填写议定事项")), follow_up=(follow_up or "").strip())
