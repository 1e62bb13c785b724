"""Rules are data an administrator edits (each kind's numbers validated), and the warnings
page costs the same queries for one warning or many."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from disputes.models import WarningKind, WarningRule
from disputes.services.warnings import warnings_evaluate_all
from governance import clock
from governance.models import Role
from tests.disputes.warnings.conftest import NOW, case_at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seeded_defaults_cover_every_kind(db):
    assert set(WarningRule.objects.values_list("kind", flat=True)) >= set(WarningKind.values)


@pytest.mark.parametrize(("kind", "numbers", "bad_field"), [
    (WarningKind.CLUSTER, {"min_cases": 3}, "window_days"),
    (WarningKind.CLUSTER, {"min_cases": 3, "window_days": 7, "min_people": 5}, "min_people"),
    (WarningKind.GROUP, {}, "min_people"),
    (WarningKind.AMOUNT, {"min_amount": Decimal("1.00"), "window_days": 3}, "window_days"),
    (WarningKind.RISK_GRADE, {}, "min_risk_rank"),
    (WarningKind.CRIMINAL_RISK, {"min_cases": 2}, "min_cases"),
])
def test_each_kind_needs_its_numbers_and_no_others(kind, numbers, bad_field):
    rule = WarningRule(name="规则", kind=kind, **numbers)
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert bad_field in raised.value.message_dict


def test_the_database_holds_the_window_rule_too(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        WarningRule.objects.create(name="缺窗口", kind=WarningKind.REPEAT_PARTY, min_cases=3)


def test_numbers_have_sane_bounds(db):
    rule = WarningRule(name="规则", kind=WarningKind.CLUSTER, min_cases=1, window_days=400)
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert {"min_cases", "window_days"} <= set(raised.value.message_dict)


def test_administrator_edits_rules_in_the_admin(tree):
    admin = UserFactory(role=Role.ADMINISTRATOR, region=tree.city, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/disputes/warningrule/").status_code == 200
    response = client.post("/admin/disputes/warningrule/add/", {
        "name": "同村同类5日内2件", "kind": "cluster", "is_active": "on", "min_cases": "2", "window_days": "",
        "description": ""})
    assert response.status_code == 200 and "该类型的规则必须填写此项" in response.content.decode()
    response = client.post("/admin/disputes/warningrule/add/", {
        "name": "同村同类5日内2件", "kind": "cluster", "is_active": "on", "min_cases": "2", "window_days": "5",
        "description": ""})
    assert response.status_code == 302
    assert WarningRule.objects.filter(name="同村同类5日内2件", window_days=5).exists()
    assert client.get("/admin/disputes/earlywarning/").status_code == 200


@pytest.mark.parametrize("extra", [0, 4])
def test_warnings_page_query_count_is_constant(people, only_rule, category, extra, django_assert_num_queries):
    only_rule(WarningKind.GROUP, min_people=5)
    for _i in range(1 + extra):
        case_at(NOW - dt.timedelta(days=1), people.tree.village_a1x, category, people_involved=9)
    with clock.frozen_at(NOW):
        warnings_evaluate_all()
    client = Client()
    client.force_login(people.county_dispatcher)
    client.get("/analysis/warnings/")  # warm the session and the navigation
    with django_assert_num_queries(7):
        response = client.get("/analysis/warnings/")
    assert response.content.decode().count('data-testid="warning-row"') == 1 + extra
