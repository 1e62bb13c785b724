"""People and helpers for the disputes API tests.

Township A1 (七一路街道) owns cases in its villages; township B1 (城关街道, another county) is
the outsider. County A's dispatcher and leader sit above A1.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from disputes.parties import ric_check_digit
from governance.models import Department, Role, User
from tests.factories import CategoryFactory, DepartmentFactory, RegionTree, UserFactory

CASES_URL = "/api/v1/cases/"
ID_NUMBER = "61020219800101123" + ric_check_digit("61020219800101123")
PHONE = "13800138000"


@dataclass
class People:
    tree: RegionTree
    clerk: User  # window staff at township A1 (owning center of A1 cases)
    outsider: User  # window staff at township B1
    department: Department  # 司法所 at township A1
    handler: User  # member of that department
    dispatcher: User  # county A dispatcher
    leader: User  # county A leader


@pytest.fixture
def people(tree) -> People:
    department = DepartmentFactory(region=tree.town_a1, name="七一路司法所")
    return People(
        tree=tree,
        clerk=UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1),
        outsider=UserFactory(role=Role.WINDOW_STAFF, region=tree.town_b1),
        department=department,
        handler=UserFactory(role=Role.HANDLER, region=tree.town_a1, department=department),
        dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.county_a),
        leader=UserFactory(role=Role.LEADER, region=tree.county_a),
    )


@pytest.fixture
def category(db):
    return CategoryFactory(code="T-NEIGHBOUR", name="邻里纠纷")


@pytest.fixture
def case(people, category) -> dict:
    """A case registered in village A1x by the A1 clerk."""
    return register(people.clerk, people.tree.village_a1x, category)


def client_for(user: User) -> APIClient:
    """An API client signed in with a session (as the pages' htmx calls are)."""
    client = APIClient()
    client.force_login(user)
    return client


def case_payload(village, category, **overrides) -> dict:
    payload = {
        "title": "排水沟堵塞引发邻里纠纷",
        "narrative": "两户因排水沟堵塞发生争执，需要调解。",
        "category_id": category.pk,
        "channel": "visit",
        "occurred_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        "village_id": village.pk,
        "parties": [
            {"role": "applicant", "kind": "person", "name": "张三", "id_number": ID_NUMBER, "phone": PHONE},
            {"role": "respondent", "kind": "person", "name": "李四"},
        ],
    }
    payload.update(overrides)
    return payload


def register(user: User, village, category, **overrides) -> dict:
    """Register a case through the API as `user`; returns the detail body."""
    response = client_for(user).post(CASES_URL, case_payload(village, category, **overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def act(user: User, case_id: int, action: str, data: dict | None = None, **kwargs):
    return client_for(user).post(f"{CASES_URL}{case_id}/{action}/", data or {}, format=kwargs.pop("format", "json"),
                                 **kwargs)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error body: {"message", "code", "extra"} with a Chinese message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "extra"}, body
    assert isinstance(body["extra"], dict)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body
