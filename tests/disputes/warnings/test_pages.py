"""The 研判预警 pages: scoped lists and details (404 outside), the history filter, and a
dispatcher's acknowledge / assign with the loser's message."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from disputes.models import EarlyWarning, WarningKind, WarningState
from disputes.services.warnings import warnings_evaluate_all
from governance import clock
from tests.disputes.warnings.conftest import NOW, case_at, party

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
LIST = "/analysis/warnings/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def warnings(people, only_rule, category):
    only_rule(WarningKind.GROUP, min_people=5)
    only_rule(WarningKind.REPEAT_PARTY, min_cases=2, window_days=30)
    tree = people.tree
    case_at(NOW - DAY, tree.village_a1x, category, people_involved=9, title="甲社区群体纠纷")
    case_at(NOW - DAY, tree.village_a2x, category, people_involved=9, title="乙社区群体纠纷")
    party(case_at(NOW - 2 * DAY, tree.village_a1y, category))
    party(case_at(NOW - 2 * DAY, tree.village_a2x, category))
    with clock.frozen_at(NOW):
        warnings_evaluate_all()


def rows(user, query: str = "") -> int:
    response = client_for(user).get(LIST + query)
    assert response.status_code == 200
    return response.content.decode().count('data-testid="warning-row"')


def test_township_sees_only_its_own_warnings_and_the_county_all(people, warnings):
    assert rows(people.town_dispatcher) == 1
    assert rows(people.other_town_dispatcher) == 1
    assert rows(people.county_dispatcher) == 3  # including the repeat party spanning A1 and A2
    assert rows(people.far_dispatcher) == 0
    page = client_for(people.town_dispatcher).get(LIST).content.decode()
    assert "甲社区群体纠纷" not in page  # titles are on the detail; the case numbers link there
    assert "当事人张*" not in page  # the repeat party spans A1 and A2: the county's


def test_detail_is_404_outside_and_lists_the_cases(people, warnings):
    warning = EarlyWarning.objects.get(township=people.tree.town_a1)
    url = f"{LIST}{warning.pk}/"
    assert client_for(people.other_town_dispatcher).get(url).status_code == 404
    assert client_for(people.far_dispatcher).get(url).status_code == 404
    assert client_for(people.town_dispatcher).get(f"{LIST}abc/").status_code == 404
    page = client_for(people.town_dispatcher).get(url).content.decode()
    assert "甲社区群体纠纷" in page and 'data-testid="acknowledge-form"' in page
    staff_page = client_for(people.town_staff).get(url).content.decode()
    assert 'data-testid="acknowledge-form"' not in staff_page


def test_acknowledge_twice_shows_the_message_and_history_keeps_it(people, warnings):
    warning = EarlyWarning.objects.get(township=people.tree.town_a1)
    url = f"{LIST}{warning.pk}/acknowledge/"
    first = client_for(people.town_dispatcher).post(url, {"note": "已核实"}, follow=True)
    assert "已确认该预警" in first.content.decode()
    second = client_for(people.county_dispatcher).post(url, {"note": ""}, follow=True)
    assert "该预警已处置" in second.content.decode()
    assert EarlyWarning.objects.get(pk=warning.pk).state == WarningState.ACKNOWLEDGED

    assert rows(people.town_dispatcher) == 0  # the default view shows what is still open
    assert rows(people.town_dispatcher, "?state=history") == 1
    assert rows(people.town_dispatcher, "?state=all") == 1


def test_assign_follow_up_from_the_page(people, warnings):
    warning = EarlyWarning.objects.get(township=people.tree.town_a1)
    response = client_for(people.town_dispatcher).post(
        f"{LIST}{warning.pk}/assign/", {"assignee": people.town_staff.pk, "note": "入户核实"}, follow=True)
    assert "已指定跟进人" in response.content.decode()
    assert EarlyWarning.objects.get(pk=warning.pk).assignee_id == people.town_staff.pk
    bad = client_for(people.town_dispatcher).post(f"{LIST}{warning.pk}/assign/", {"assignee": "", "note": ""},
                                                  follow=True)
    assert bad.status_code == 200 and "alert" in bad.content.decode()


def test_bad_filters_do_not_500_and_roles_without_the_page_get_403(people, warnings):
    assert client_for(people.town_dispatcher).get(LIST + "?state=zzz&kind=zzz&region=zzz").status_code == 200
    assert client_for(people.town_dispatcher).get(LIST + f"?region={people.tree.town_b1.pk}").status_code == 200
    from governance.models import Role
    from tests.factories import UserFactory

    handler = UserFactory(role=Role.HANDLER, region=people.tree.town_a1)
    assert client_for(handler).get(LIST).status_code == 403
