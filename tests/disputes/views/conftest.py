"""Page-test world: two counties' worth of users and a helper that registers cases through
the real intake service (so parties are encrypted and events written as in production)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from disputes import services
from disputes.models import Case, CaseEvent, Category, Channel, PartyKind, PartyRole
from disputes.parties import ric_check_digit
from governance.models import DepartmentKind, Role, User
from tests.factories import CaseFactory, DepartmentFactory, GridFactory, RegionTree, UserFactory


def id_number(first17: str) -> str:
    return first17 + ric_check_digit(first17)


ID_ZHANG = id_number("61020219800101123")
ID_LI = id_number("61020219850505432")
PHONE_ZHANG = "13812345678"
PHONE_LI = "13987654321"


class People:
    """Users by position. A1/A2 are townships of county A, B1 is in county B."""

    def __init__(self, tree: RegionTree) -> None:
        self.tree = tree
        justice_a1 = DepartmentFactory(name="七一路司法所", kind=DepartmentKind.JUSTICE, region=tree.town_a1)
        self.clerk_a1 = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
        self.clerk_b1 = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_b1)
        self.handler_a1 = UserFactory(role=Role.HANDLER, region=tree.town_a1, department=justice_a1)
        self.dispatcher_a = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
        self.dispatcher_b = UserFactory(role=Role.DISPATCHER, region=tree.county_b)
        self.dispatcher_b1 = UserFactory(role=Role.DISPATCHER, region=tree.town_b1)
        self.leader_a = UserFactory(role=Role.LEADER, region=tree.county_a)
        self.department_a1 = justice_a1
        self.grid_a1x = GridFactory(region=tree.village_a1x, name="云梦堤第一网格")
        self.grid_a1y = GridFactory(region=tree.village_a1y, name="青年路第一网格")
        self.grid_b1x = GridFactory(region=tree.village_b1x, name="城关第一网格")
        self.category = Category.objects.get(code="1702")  # seeded: 邻里纠纷 under 17

    def register(self, actor: User | None = None, *, village=None, title: str = "排水纠纷", parties=None,
                 **overrides) -> Case:
        actor = actor or self.clerk_a1
        village = village or self.tree.village_a1x
        data = services.CaseInput(
            title=title, narrative="双方因排水沟堵塞发生争执。", category_id=self.category.pk, channel=Channel.VISIT,
            occurred_at=timezone.now() - dt.timedelta(hours=2), village_id=village.pk, **overrides,
        )
        if parties is None:
            parties = [
                services.PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="张三",
                                    id_number=ID_ZHANG, phone=PHONE_ZHANG),
                services.PartyInput(role=PartyRole.RESPONDENT, kind=PartyKind.PERSON, name="李四",
                                    id_number=ID_LI, phone=PHONE_LI),
            ]
        return services.case_register(actor=actor, data=data, parties=parties)

    def case(self, village=None, **fields) -> Case:
        """A bare case row (no parties or events) for list and count tests."""
        fields.setdefault("category", self.category)
        return CaseFactory(village=village or self.tree.village_a1x, registered_by=self.clerk_a1, **fields)

    def add_events(self, case: Case, count: int) -> None:
        """Timeline rows as the services write them (CaseEvent is append-only)."""
        now = timezone.now()
        CaseEvent.objects.bulk_create([
            CaseEvent(case=case, created_at=now + dt.timedelta(seconds=i), actor=self.clerk_a1, action="progress",
                      from_state=case.state, to_state=case.state, note=f"进展{i}")
            for i in range(count)
        ])


@pytest.fixture
def people(tree) -> People:
    return People(tree)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
