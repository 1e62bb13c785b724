"""Shared givens for the escalation tests: a region tree, staff at each center, and a
builder for cases with a running step clock."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from disputes.deadlines import thresholds_recompute
from disputes.models import CaseState, EscalationPolicy, Step
from governance.models import RegionLevel, Role
from tests.factories import CaseFactory, CategoryFactory, DepartmentFactory, UserFactory

NOW = dt.datetime(2026, 3, 10, 10, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def staff(tree):
    """Center staff at every level of the tree, a handler department under town A1."""

    class Staff:
        town_clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
        town_a2_clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a2)
        county_dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
        city_dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.city)
        city_leader = UserFactory(role=Role.LEADER, region=tree.city)
        department = DepartmentFactory(region=tree.town_a1)
        handler = UserFactory(role=Role.HANDLER, region=tree.town_a1, department=department)

    return Staff


@pytest.fixture
def make_case(tree, staff):
    """make_case(start=, due=, **fields): an in-progress case in village A1x owned by town A1."""
    category = CategoryFactory()

    def build(*, start: dt.datetime, due: dt.datetime, **fields):
        fields.setdefault("state", CaseState.IN_PROGRESS)
        fields.setdefault("step", Step.HANDLE)
        fields.setdefault("category", category)
        village = fields.pop("village", tree.village_a1x)
        case = CaseFactory(
            village=village, registered_by=staff.town_clerk, step_started_at=start, due_at=due, **fields
        )
        # The factory writes the step clock directly; stamp the sweep thresholds as the
        # services do when a step starts (from the policies active now).
        thresholds_recompute(case_ids=[case.pk])
        case.refresh_from_db()
        return case

    return build


@pytest.fixture
def township_policy(db) -> EscalationPolicy:
    """The seeded township default (yellow at 0.8, escalate 0 h after red)."""
    return EscalationPolicy.objects.get(level=RegionLevel.TOWNSHIP, category__isnull=True, risk_grade__isnull=True)


@pytest.fixture(autouse=True)
def seeded_policies(db) -> None:
    """The tests rely on the data migration's defaults; a transactional test elsewhere in the
    session may have flushed them, so make sure they are there."""
    from decimal import Decimal

    for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
        EscalationPolicy.objects.get_or_create(
            level=level, category=None, risk_grade=None,
            defaults={"yellow_ratio": Decimal("0.80"), "escalate_after_hours": 0},
        )


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)
