"""A small world for 研判预警 and 研判报告: the region tree, dispatchers and staff at each level,
one rule per test (the seeded defaults switched off), and cases written at chosen moments
through the kernel clock."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from disputes.models import CaseParty, PartyKind, PartyRole, WarningRule
from disputes.parties import protected_fields
from governance import clock
from governance.models import Role, User
from governance.workdays import SHANGHAI
from tests.factories import CategoryFactory, RegionTree, UserFactory

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def valid_id(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


ID_A = valid_id("61020219900101123")


@dataclass
class People:
    tree: RegionTree
    town_dispatcher: User  # township A1
    town_staff: User  # window staff, township A1
    other_town_dispatcher: User  # township A2 (same county)
    county_dispatcher: User  # county A
    county_leader: User
    far_dispatcher: User  # county B


@pytest.fixture
def people(tree) -> People:
    return People(
        tree=tree,
        town_dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.town_a1),
        town_staff=UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1),
        other_town_dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.town_a2),
        county_dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.county_a),
        county_leader=UserFactory(role=Role.LEADER, region=tree.county_a),
        far_dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.county_b),
    )


@pytest.fixture
def only_rule(db):
    """Switch the seeded rules off and create the one rule a test is about."""
    WarningRule.objects.update(is_active=False)

    def make(kind: str, **numbers) -> WarningRule:
        return WarningRule.objects.create(name=f"测试{kind}", kind=kind, **numbers)

    return make


@pytest.fixture
def category(db):
    return CategoryFactory(code="W-NEIGHBOUR", name="邻里纠纷")


def case_at(moment: dt.datetime, village, category, **fields):
    """A case registered (created) at `moment`."""
    from tests.factories import CaseFactory

    with clock.frozen_at(moment):
        return CaseFactory(village=village, category=category, **fields)


def party(case, id_number: str = ID_A, name: str = "张三") -> CaseParty:
    return CaseParty.objects.create(case=case, role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name=name,
                                    **protected_fields(id_number=id_number))


AMOUNT = Decimal("100000.00")
