"""governance.navigation: the bar and the landing pages are what the apps registered."""
import copy

import pytest
from django.core.exceptions import ImproperlyConfigured

from governance import navigation
from governance.models import Role
from governance.navigation import NavItem, register_nav, register_role_home


@pytest.fixture
def registries(monkeypatch):
    """The registries as the apps left them, restored after the test."""
    monkeypatch.setattr(navigation, "_nav", dict(navigation._nav))
    monkeypatch.setattr(navigation, "_homes", copy.deepcopy(navigation._homes))
    monkeypatch.setattr(navigation, "NAV_ITEMS", navigation.NAV_ITEMS)
    monkeypatch.setattr(navigation, "ROLE_HOME", dict(navigation.ROLE_HOME))
    return navigation


def test_the_bar_keeps_the_order_it_had_when_the_kernel_declared_it():
    assert [item.url_name for item in navigation.NAV_ITEMS] == [
        "grids:mine", "grids:fieldwork", "disputes:field_reports", "disputes:inbox", "assessment:rankings",
        "assessment:scoring", "disputes:dashboard", "analysis:warnings", "disputes:statistics", "disputes:intake",
        "disputes:list", "grids:manage_list", "grids:map", "partybuilding:groups", "notifications", "audit-log",
        "admin:index",
    ]


def test_each_role_lands_where_it_did():
    assert navigation.ROLE_HOME == {
        Role.WINDOW_STAFF: "disputes:inbox",
        Role.HANDLER: "disputes:inbox",
        Role.DISPATCHER: "disputes:dashboard",
        Role.LEADER: "assessment:rankings",  # assessment took leaders over from the dashboard
        Role.GRID_WORKER: "grids:mine",
        Role.ADMINISTRATOR: "admin:index",
        Role.SECURITY_ADMIN: "admin:index",
        Role.AUDIT_ADMIN: "audit-log",
    }


def test_items_take_their_place_by_order_not_by_registration(registries):
    register_nav(NavItem("late:first", "前", navigation.ALL_ROLES, order=1),
                 NavItem("late:between", "中", navigation.ALL_ROLES, order=55))

    names = [item.url_name for item in registries.NAV_ITEMS]
    assert names[0] == "late:first"
    assert names.index("late:between") == names.index("disputes:list") + 1


def test_registering_the_same_item_again_changes_nothing(registries):
    before = registries.NAV_ITEMS
    item = next(i for i in before if i.url_name == "disputes:list")

    register_nav(NavItem(item.url_name, item.label, item.roles, order=item.order))

    after = registries.NAV_ITEMS
    assert after == before


def test_a_different_item_under_a_registered_name_is_refused(registries):
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        register_nav(NavItem("disputes:list", "别的", frozenset({Role.LEADER}), order=50))


def test_an_item_for_an_unknown_role_is_refused(registries):
    with pytest.raises(ImproperlyConfigured, match="unknown roles"):
        register_nav(NavItem("x:y", "某页", frozenset({"mayor"})))


def test_the_highest_priority_landing_page_wins_whatever_the_order(registries):
    register_role_home(Role.LEADER, "rankings:page", priority=20)
    register_role_home(Role.LEADER, "other:page", priority=15)  # registered later, lower

    assert registries.ROLE_HOME[Role.LEADER] == "rankings:page"
    assert registries.ROLE_HOME[Role.DISPATCHER] == "disputes:dashboard"


def test_two_landing_pages_at_the_same_top_priority_are_refused(registries):
    with pytest.raises(ImproperlyConfigured, match="several landing pages"):
        register_role_home(Role.LEADER, "other:page", priority=10)  # assessment:rankings is at 10 too


def test_registering_the_same_landing_page_again_changes_nothing(registries):
    register_role_home(Role.HANDLER, "disputes:inbox")

    assert registries.ROLE_HOME[Role.HANDLER] == "disputes:inbox"


def test_a_landing_page_for_an_unknown_role_is_refused(registries):
    with pytest.raises(ImproperlyConfigured, match="unknown role"):
        register_role_home("mayor", "disputes:dashboard")
