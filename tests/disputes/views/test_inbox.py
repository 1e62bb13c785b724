"""Inbox (待办): tabs with counts from one query, the list of the chosen box, jurisdiction."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes import services
from disputes.models import CaseState
from tests.disputes.views.conftest import client_for

URL = reverse("disputes:inbox")


def test_tabs_show_counts_and_the_first_non_empty_box(people):
    tree = people.tree
    people.case(village=tree.village_a1x, state=CaseState.REGISTERED)
    people.case(village=tree.village_a1y, state=CaseState.REGISTERED)
    people.case(village=tree.village_a1x, state=CaseState.RESOLVED)
    response = client_for(people.clerk_a1).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["box"] == "to_accept"
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts["to_accept"] == 2 and counts["to_callback"] == 1
    assert "待受理" in html and "我的超期" in html
    # a township center has no "escalated to us" tab
    assert "escalated" not in counts
    assert len(response.context["page"].object_list) == 2


def test_choosing_a_box(people):
    resolved = people.case(village=people.tree.village_a1x, state=CaseState.RESOLVED)
    response = client_for(people.clerk_a1).get(URL, {"box": "to_callback"})
    assert [c.pk for c in response.context["page"].object_list] == [resolved.pk]


def test_county_dispatcher_has_the_escalated_tab(people):
    response = client_for(people.dispatcher_a).get(URL)
    assert "escalated" in {tab["key"] for tab in response.context["tabs"]}
    assert "升级到本级" in response.content.decode()


def test_handler_sees_cases_dispatched_to_the_department(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    services.case_dispatch(actor=people.clerk_a1, case_id=case.pk, department_id=people.department_a1.pk)
    response = client_for(people.handler_a1).get(URL, {"box": "to_sign"})
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]


def test_a_handler_sees_only_the_tabs_a_handler_can_have_work_in(people):
    response = client_for(people.handler_a1).get(URL)
    html = response.content.decode()
    assert [tab["key"] for tab in response.context["tabs"]] == ["to_sign", "in_progress", "overdue"]
    for absent in ("待受理", "待分流", "待回访", "升级到本级"):
        assert absent not in html, absent
    # a box the handler has no tab for falls back to the handler's first tab
    assert client_for(people.handler_a1).get(URL, {"box": "to_accept"}).context["box"] == "to_sign"


def test_center_staff_keep_every_step_of_their_center(people):
    clerk = [tab["key"] for tab in client_for(people.clerk_a1).get(URL).context["tabs"]]
    assert clerk == ["to_accept", "to_dispatch", "to_sign", "in_progress", "to_callback", "overdue"]
    county = [tab["key"] for tab in client_for(people.dispatcher_a).get(URL).context["tabs"]]
    assert county == [*clerk, "escalated"]


def test_township_b_clerk_counts_and_rows_exclude_township_a(people):
    people.case(village=people.tree.village_a1x, state=CaseState.REGISTERED, title="A镇案件")
    response = client_for(people.clerk_b1).get(URL, {"box": "to_accept"})
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts["to_accept"] == 0
    assert list(response.context["page"].object_list) == []
    assert "A镇案件" not in response.content.decode()


def test_query_count_is_constant_for_2_and_10_rows(people):
    client = client_for(people.clerk_a1)
    for _ in range(2):
        people.case(village=people.tree.village_a1x)
    client.get(URL)
    with CaptureQueriesContext(connection) as two:
        client.get(URL, {"box": "to_accept"})
    for _ in range(8):
        people.case(village=people.tree.village_a1x)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(URL, {"box": "to_accept"})
    assert len(response.context["page"].object_list) == 10
    assert len(two) == len(ten)
