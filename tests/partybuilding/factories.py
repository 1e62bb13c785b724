"""Partybuilding test helpers: users by role and region, and rows made through the services."""
from __future__ import annotations

import datetime as dt

from governance.models import Role
from partybuilding import services
from partybuilding.models import MemberKind, OrganisationLevel, PartyGroupKind
from tests.factories import GridFactory, UserFactory

DAY = dt.date(2026, 1, 10)


def keeper(region, role=Role.DISPATCHER):
    return UserFactory(role=role, region=region)


def grids(village, n=2):
    return [GridFactory(region=village) for _ in range(n)]


def organisation(actor, region, name="社区党委"):
    return services.organisation_create(actor=actor, name=name, level=OrganisationLevel.COMMUNITY_COMMITTEE,
                                        region_id=region.pk)


def group(actor, grid_list, *, kind=None, name="第一网格党小组", **kwargs):
    kind = kind or (PartyGroupKind.SINGLE if len(grid_list) == 1 else PartyGroupKind.JOINT)
    return services.group_create(actor=actor, data=services.GroupInput(
        name=name, kind=kind, grid_ids=[g.pk for g in grid_list], established_on=DAY, **kwargs))


def member(actor, grp, *, name="张三", kind=MemberKind.COMMUNITY, grid=None, **kwargs):
    return services.member_add(actor=actor, data=services.MemberInput(
        name=name, gender="male", kind=kind, group_id=grp.pk if grp else None,
        grid_id=grid.pk if grid else None, **kwargs))
