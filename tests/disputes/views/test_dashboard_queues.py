"""Work queues on the dashboard: who holds each case, only the actions the viewer may take,
dispatch (single and bulk) and 督办/催办 from the queue through the services."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.models import Case, CaseAssignment, CaseState, Supervision, WarningLevel
from governance.models import DepartmentKind, RegionLevel
from tests.disputes.views.conftest import client_for
from tests.factories import DepartmentFactory

HX = {"HTTP_HX_REQUEST": "true"}


def queue(name: str) -> str:
    return reverse("disputes:dashboard_queue", args=[name])


def county_case(people, **fields):
    fields.setdefault("state", CaseState.ACCEPTED)
    return people.case(village=people.tree.village_a1x, owning_level=RegionLevel.COUNTY,
                       owning_region=people.tree.county_a, **fields)


def test_queue_says_who_holds_each_case_and_offers_only_what_the_viewer_can_do(people):
    own = county_case(people)
    township = people.case(village=people.tree.village_a1y, state=CaseState.ACCEPTED)
    client = client_for(people.dispatcher_a)
    response = client.get(queue("to_dispatch"), {"mine": "false"}, **HX)
    rows = {row["case"].pk: row for row in response.context["rows"]}
    assert rows[own.pk]["actions"] == ["dispatch"]
    # a township's case: the county may supervise and urge it, not dispatch it
    assert rows[township.pk]["actions"] == ["supervise", "urge"]
    assert rows[township.pk]["holder"] == people.tree.town_a1.name
    assert set(rows) == {own.pk, township.pk}
    # by default a center's 待分流 shows what the center itself may dispatch, and its 全部
    # link opens a list of the same count
    mine = client.get(queue("to_dispatch"), **HX)
    assert [row["case"].pk for row in mine.context["rows"]] == [own.pk] and mine.context["mine"]
    listed = client.get(mine.context["list_url"])
    assert listed.context["page"].paginator.count == mine.context["page"].paginator.count == 1
    assert client.get(queue("to_dispatch"), {"mine": "maybe"}, **HX).status_code == 400
    html = response.content.decode()
    assert 'data-testid="queue-dispatch"' in html and 'data-testid="bulk-dispatch"' in html
    assert '<th class="text-nowrap">' in html  # 状态 does not wrap


def test_leader_sees_the_queue_but_cannot_dispatch(people):
    county_case(people)
    response = client_for(people.leader_a).get(queue("to_dispatch"), **HX)
    assert not response.context["mine"]  # a leader dispatches nothing: the whole jurisdiction
    # the county's own case: a county leader is not above its owner (督办 comes from above)
    assert [row["actions"] for row in response.context["rows"]] == [[]]
    assert "仅查看" in response.content.decode()
    assert 'data-testid="queue-dispatch"' not in response.content.decode()


def test_dispatch_from_the_queue_shows_the_deadline_then_dispatches(people):
    case = county_case(people)
    department = DepartmentFactory(name="区司法局", kind=DepartmentKind.JUSTICE, region=people.tree.county_a)
    client = client_for(people.dispatcher_a)
    url = reverse("disputes:dashboard_dispatch", args=[case.pk])
    form = client.get(url, **HX)
    assert form.status_code == 200
    assert form.context["handle_due"] is not None
    assert 'data-testid="dispatch-deadline"' in form.content.decode()
    response = client.post(url, {"dispatch-department": department.pk, "dispatch-instructions": "请依法处理",
                                 "dispatch-version": case.version}, **HX)
    assert response.status_code == 200 and response.context["done"], response.context.get("error")
    assert response["HX-Trigger"] == "dashboard-refresh"
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assignment = CaseAssignment.objects.get(case=case)
    assert assignment.department_id == department.pk
    assert assignment.due_at == response.context["handle_due"]


def test_dispatch_of_a_stale_version_is_explained_not_applied(people):
    case = county_case(people)
    department = DepartmentFactory(region=people.tree.county_a)
    response = client_for(people.dispatcher_a).post(
        reverse("disputes:dashboard_dispatch", args=[case.pk]),
        {"dispatch-department": department.pk, "dispatch-version": case.version + 5}, **HX)
    assert response.status_code == 200 and not response.context["done"]
    assert "案件已被他人处理" in response.context["error"]
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_dispatch_of_a_township_case_is_refused_and_outside_is_404(people):
    township = people.case(village=people.tree.village_a1y, state=CaseState.ACCEPTED)
    other = people.case(village=people.tree.village_b1x, state=CaseState.ACCEPTED)
    client = client_for(people.dispatcher_a)
    assert client.get(reverse("disputes:dashboard_dispatch", args=[township.pk]), **HX).status_code == 403
    assert client.get(reverse("disputes:dashboard_dispatch", args=[other.pk]), **HX).status_code == 404
    assert client_for(people.clerk_a1).get(queue("to_dispatch"), **HX).status_code == 403


def test_bulk_dispatch_reports_which_failed(people):
    first, second = county_case(people), county_case(people)
    township = people.case(village=people.tree.village_a1y, state=CaseState.ACCEPTED)
    department = DepartmentFactory(region=people.tree.county_a)
    client = client_for(people.dispatcher_a)
    url = reverse("disputes:dashboard_dispatch_bulk")
    ids = [first.pk, second.pk, township.pk]
    form = client.get(url, {"case_ids": ids}, **HX)
    assert form.status_code == 200 and len(form.context["cases"]) == 3
    response = client.post(url, {"case_ids": ids, "dispatch-department": department.pk}, **HX)
    results = response.context["results"]
    assert response.context["ok_count"] == 2 and response.context["failed_count"] == 1
    failed = [r for r in results if not r["ok"]]
    assert failed[0]["number"] == township.number
    assert response["HX-Trigger"] == "dashboard-refresh"
    states = {c.pk: c.state for c in (first, second, township) if c.refresh_from_db() is None}
    assert states == {first.pk: CaseState.DISPATCHED, second.pk: CaseState.DISPATCHED,
                      township.pk: CaseState.ACCEPTED}
    assert client.post(url, {"case_ids": ["x"]}, **HX).status_code == 400
    assert client.post(url, {}, **HX).status_code == 400
    nothing_ticked = client.get(url, **HX)  # the button with no box ticked: a message in the panel
    assert nothing_ticked.status_code == 200 and "请先勾选要交办的案件" in nothing_ticked.content.decode()


def test_supervise_and_urge_from_the_queue(people):
    red = people.case(village=people.tree.village_a1y, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    client = client_for(people.dispatcher_a)
    overdue = client.get(queue("overdue"), **HX)
    assert overdue.context["rows"][0]["actions"] == ["supervise", "urge"]
    url = reverse("disputes:dashboard_oversee", args=["supervise", red.pk])
    assert client.get(url, **HX).status_code == 200
    done = client.post(url, {"supervise-level": "yellow", "supervise-note": "限期办结"}, **HX)
    assert done.context["done"], done.context.get("error")
    urge = client.post(reverse("disputes:dashboard_oversee", args=["urge", red.pk]), {"urge-note": "请加快"}, **HX)
    assert urge.context["done"]
    assert sorted(Supervision.objects.filter(case=red).values_list("kind", flat=True)) == ["supervise", "urge"]
    assert client.post(reverse("disputes:dashboard_oversee", args=["reject", red.pk]), **HX).status_code == 400


def test_township_queues_show_only_the_township(people):
    people.case(village=people.tree.village_a1x, state=CaseState.ACCEPTED, title="A镇待分流")
    mine = people.case(village=people.tree.village_b1x, state=CaseState.ACCEPTED)
    client = client_for(people.dispatcher_b1)
    response = client.get(queue("to_dispatch"), {"mine": "false"}, **HX)
    assert [row["case"].pk for row in response.context["rows"]] == [mine.pk]
    assert "A镇待分流" not in response.content.decode()
    assert client.get(queue("escalated"), **HX).status_code == 400  # no escalations reach a township
    assert client.get(queue("to_dispatch"), {"region": people.tree.town_a1.pk}, **HX).status_code == 404


def test_queues_are_paginated_and_their_query_count_is_constant(people):
    client = client_for(people.dispatcher_a)
    for _ in range(3):
        county_case(people)
    client.get(queue("to_dispatch"), **HX)
    with CaptureQueriesContext(connection) as few:
        client.get(queue("to_dispatch"), **HX)
    for _ in range(12):
        county_case(people)
    with CaptureQueriesContext(connection) as many:
        response = client.get(queue("to_dispatch"), **HX)
    assert len(few) == len(many)
    assert response.context["page"].paginator.num_pages == 2
    assert 'data-testid="queue-next"' in response.content.decode()
    second = client.get(queue("to_dispatch"), {"page": 2}, **HX)
    assert len(second.context["rows"]) == 5


def test_a_red_card_the_city_holds_says_so_and_offers_the_county_nothing(people):
    # Found on main: the city's red cards showed on the county's dashboard with nothing to do
    held = people.case(village=people.tree.village_a2x, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED,
                       owning_level=RegionLevel.CITY, owning_region=people.tree.city)
    response = client_for(people.dispatcher_a).get(queue("overdue"), **HX)
    row = next(r for r in response.context["rows"] if r["case"].pk == held.pk)
    assert row["holder"] == people.tree.city.name and row["actions"] == []
    assert "仅查看" in response.content.decode()


def test_a_queue_row_links_its_case_and_actions_escapes_its_text_and_shows_its_card(people):
    # The rows are rendered in Python ({% queue_row %}), not by the template engine
    own = county_case(people, title="<b>排水</b>纠纷", warning_level=WarningLevel.RED)
    township = people.case(village=people.tree.village_a1y, state=CaseState.ACCEPTED, urgent=True)
    html = client_for(people.dispatcher_a).get(queue("to_dispatch"), {"mine": "false"}, **HX).content.decode()
    row = html[html.index(f'data-case-id="{own.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "&lt;b&gt;排水&lt;/b&gt;纠纷" in row and "<b>" not in row
    assert f'href="{reverse("disputes:detail", args=[own.pk])}"' in row and 'data-testid="card-red"' in row
    assert f'hx-get="{reverse("disputes:dashboard_dispatch", args=[own.pk])}"' in row
    assert f'name="case_ids" value="{own.pk}"' in row and people.tree.village_a1x.name in row
    other = html[html.index(f'data-case-id="{township.pk}"'):]
    other = other[:other.index("</tr>")]
    assert f'hx-get="{reverse("disputes:dashboard_oversee", args=["supervise", township.pk])}"' in other
    assert f'hx-get="{reverse("disputes:dashboard_oversee", args=["urge", township.pk])}"' in other
    assert "加急" in other and 'name="case_ids"' not in other and "queue-dispatch" not in other


def test_a_dispatched_case_names_its_unit_without_a_query_per_row(people):
    # The queue loads only what a row shows (QUEUE_FIELDS): a deferred field read per row
    # would show here as one query more per case
    department = DepartmentFactory(name="区司法局", kind=DepartmentKind.JUSTICE, region=people.tree.county_a)
    client = client_for(people.dispatcher_a)
    for _ in range(3):
        case = county_case(people, warning_level=WarningLevel.RED)
        client.post(reverse("disputes:dashboard_dispatch", args=[case.pk]), {
            "dispatch-department": department.pk, "dispatch-instructions": "请依法处理",
            "dispatch-version": case.version}, **HX)
    # the handling deadline then passes (the sweep's red card)
    Case.objects.filter(owning_region=people.tree.county_a).update(warning_level=WarningLevel.RED)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(queue("overdue"), **HX)
    holders = {row["holder"] for row in response.context["rows"]}
    assert holders == {f"区司法局（{people.tree.county_a.name}交办）"} and len(response.context["rows"]) == 3
    assert len(queries) == 6  # session, user, size, page ids, rows, open dispatches
