"""Dispatch dashboard: scoped, set-based aggregates as JSON for ECharts, card list, escalations."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.models import CaseState, WarningLevel
from tests.disputes.views.conftest import client_for

PAGE = reverse("disputes:dashboard")
DATA = reverse("disputes:dashboard_data")


def by_name(data) -> dict:
    return {row["name"]: row for row in data["regions"]}


def test_county_dispatcher_gets_counts_per_township(people):
    tree = people.tree
    people.case(village=tree.village_a1x)
    people.case(village=tree.village_a1y, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    people.case(village=tree.village_a2x, state=CaseState.ACCEPTED, warning_level=WarningLevel.YELLOW)
    people.case(village=tree.village_b1x)  # other county
    data = client_for(people.dispatcher_a).get(DATA).json()
    rows = by_name(data)
    assert set(rows) == {tree.town_a1.name, tree.town_a2.name}
    assert rows[tree.town_a1.name]["states"]["registered"] == 1
    assert rows[tree.town_a1.name]["states"]["in_progress"] == 1
    assert rows[tree.town_a1.name]["red"] == 1 and rows[tree.town_a2.name]["yellow"] == 1
    assert data["totals"] == {"open": 3, "yellow": 1, "red": 1, "intake_30d": 3}
    assert len(data["intake"]) == 30 and data["intake"][-1]["count"] == 3
    # every bar carries the case-list filters it counts
    assert rows[tree.town_a1.name]["filters"]["red"] == {"region": str(tree.town_a1.pk), "warning_level": "red",
                                                         "open": "true"}


def test_other_jurisdictions_never_see_county_a_figures(people):
    tree = people.tree
    people.case(village=tree.village_a1x, title="A镇案件", warning_level=WarningLevel.RED)
    for user in (people.dispatcher_b, people.dispatcher_b1):
        response = client_for(user).get(DATA)
        body = response.content.decode()
        assert response.status_code == 200
        assert tree.town_a1.name not in body and tree.village_a1x.name not in body
        assert response.json()["totals"] == {"open": 0, "yellow": 0, "red": 0, "intake_30d": 0}
        page = client_for(user).get(PAGE).content.decode()
        assert "A镇案件" not in page


def test_township_dispatcher_is_broken_down_by_village(people):
    people.case(village=people.tree.village_b1x)
    data = client_for(people.dispatcher_b1).get(DATA).json()
    assert set(by_name(data)) == {people.tree.village_b1x.name}


def test_page_lists_cards_and_loads_local_echarts(people):
    red = people.case(village=people.tree.village_a1x, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    html = client_for(people.dispatcher_a).get(PAGE).content.decode()
    assert "vendor/echarts/echarts.min.js" in html
    assert reverse("disputes:dashboard_queue", args=["escalated"]) in html
    assert DATA in html
    queue = client_for(people.dispatcher_a).get(reverse("disputes:dashboard_queue", args=["overdue"]),
                                                HTTP_HX_REQUEST="true").content.decode()
    assert red.number in queue


def test_clerks_and_handlers_are_refused(people):
    assert client_for(people.clerk_a1).get(PAGE).status_code == 403
    assert client_for(people.handler_a1).get(DATA).status_code == 403


def test_query_count_is_constant_for_2_and_10_cases(people):
    client = client_for(people.dispatcher_a)
    for village in (people.tree.village_a1x, people.tree.village_a2x):
        people.case(village=village, warning_level=WarningLevel.RED, state=CaseState.IN_PROGRESS)
    people.case(village=people.tree.village_a1y, warning_level=WarningLevel.YELLOW, state=CaseState.ACCEPTED)
    client.get(DATA)
    with CaptureQueriesContext(connection) as two_data:
        client.get(DATA)
    with CaptureQueriesContext(connection) as two_page:
        client.get(PAGE)
    for i in range(7):
        people.case(village=people.tree.village_a1y if i % 2 else people.tree.village_a2x,
                    warning_level=WarningLevel.YELLOW, state=CaseState.ACCEPTED)
    with CaptureQueriesContext(connection) as ten_data:
        response = client.get(DATA)
    with CaptureQueriesContext(connection) as ten_page:
        client.get(PAGE)
    assert response.json()["totals"]["open"] == 10
    assert len(two_data) == len(ten_data)
    assert len(two_page) == len(ten_page)


def test_chart_data_narrows_to_a_region_inside_and_refuses_one_outside(people):
    tree = people.tree
    people.case(village=tree.village_a1x, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    people.case(village=tree.village_a2x)
    client = client_for(people.dispatcher_a)
    data = client.get(DATA, {"region": tree.town_a1.pk, "cards": "1"}).json()
    assert set(by_name(data)) == {tree.village_a1x.name, tree.village_a1y.name}
    assert data["totals"]["open"] == 1 and [c["number"] for c in data["cards"]]
    assert data["intake"][-1]["filters"]["region"] == str(tree.town_a1.pk)
    assert client.get(DATA, {"region": tree.town_b1.pk}).status_code == 404
    assert client.get(DATA).json()["cards"] == []  # the card list is the wall's
