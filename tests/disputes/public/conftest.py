"""The residents' pages and services: a region tree, the township clerks who receive online
cases, and a helper that submits one through the real service."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from disputes import services
from disputes.models import Case, Category, PartyKind, PartyRole
from governance.models import Role, User
from tests.factories import RegionTree, UserFactory

PHONE = "13812345678"
TAIL = "5678"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The rate limits count in the (local-memory) cache: every test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    tree: RegionTree
    clerk_a1: User  # window staff of 七一路街道 (owns village_a1x)
    clerk_b1: User  # window staff of 城关街道, another county
    category: Category

    def submit(self, *, village=None, phone: str = PHONE, consent: bool = True, photos=(), title: str = "楼上漏水",
               **fields) -> Case:
        village = village or self.tree.village_a1x
        data = services.PublicCaseInput(title=title, narrative="楼上卫生间漏水，多次协商未果。",
                                        category_id=self.category.pk, village_id=village.pk, **fields)
        parties = [services.PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="王五", phone=phone)]
        return services.case_submit_public(data=data, parties=parties, consent=consent, photos=photos,
                                           ip="203.0.113.7")


@pytest.fixture
def world(tree) -> World:
    return World(
        tree=tree,
        clerk_a1=UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1),
        clerk_b1=UserFactory(role=Role.WINDOW_STAFF, region=tree.town_b1),
        category=Category.objects.get(code="1702"),  # seeded: 邻里纠纷
    )
