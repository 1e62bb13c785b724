"""Dashboard tiles: each figure equals the case list it links to (same filters, same number),
the period survives in the query string, a township sees only its township."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, CaseState, Escalation, EscalationReason, WarningLevel
from disputes.selectors import case_list
from disputes.selectors.dashboard import dashboard_figures
from governance.models import RegionLevel
from governance.periods import period_named
from governance.scoping import scope_for
from tests.disputes.views.conftest import client_for

PAGE = reverse("disputes:dashboard")
FIGURES = reverse("disputes:dashboard_figures")


def world(people):
    tree = people.tree
    now = timezone.now()
    people.case(village=tree.village_a1x)  # registered today
    people.case(village=tree.village_a1x, state=CaseState.REJECTED)  # 登记量 counts 不予受理
    people.case(village=tree.village_a1y, state=CaseState.ACCEPTED, warning_level=WarningLevel.YELLOW)
    people.case(village=tree.village_a2x, state=CaseState.DISPATCHED)
    people.case(village=tree.village_a2x, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    people.case(village=tree.village_a1x, state=CaseState.RESOLVED, resolved_at=now, resolved_on_time=True)
    people.case(village=tree.village_a1x, state=CaseState.CLOSED, resolved_at=now, resolved_on_time=False,
                callback_at=now, callback_satisfied=True)
    people.case(village=tree.village_a2x, state=CaseState.IN_PROGRESS, callback_at=now, callback_satisfied=False)
    up = people.case(village=tree.village_a2x, state=CaseState.ACCEPTED, owning_level=RegionLevel.COUNTY,
                     owning_region=tree.county_a)
    Escalation.objects.create(case=up, from_level=RegionLevel.TOWNSHIP, to_level=RegionLevel.COUNTY,
                              to_region=tree.county_a, reason=EscalationReason.MANUAL)
    people.case(village=tree.village_b1x, state=CaseState.ACCEPTED, warning_level=WarningLevel.RED)  # county B


def list_count(client, url: str) -> int:
    parts = urlsplit(url)
    response = client.get(parts.path, dict(parse_qsl(parts.query)))
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("who", ["dispatcher_a", "dispatcher_b1", "leader_a"])
def test_every_tile_equals_the_case_list_it_links_to(people, who):
    world(people)
    user = getattr(people, who)
    client = client_for(user)
    response = client.get(PAGE, {"period": "month"})
    assert response.status_code == 200
    tiles = response.context["tiles"]
    assert tiles, "no tiles"
    for tile in tiles:
        assert list_count(client, tile["url"]) == tile["figure"].value, tile["figure"].key
    for item in response.context["rates"]:
        assert list_count(client, item["numerator_url"]) == item["rate"].numerator.value
        assert list_count(client, item["denominator_url"]) == item["rate"].denominator.value


def test_county_figures_count_what_the_definitions_say(people):
    world(people)
    scope = scope_for(people.dispatcher_a)
    today = timezone.localdate()
    figures = dashboard_figures(scope=scope, period=period_named("month", today=today), today=today,
                                now=timezone.now())
    values = {key: f.value for key, f in figures.by_key.items()}
    assert values["registered_today"] == 9  # county A only, 不予受理 included (登记量)
    assert values["to_accept"] == 1 and values["to_dispatch"] == 2 and values["to_sign"] == 1
    assert values["in_progress"] == 2 and values["yellow"] == 1 and values["red"] == 1
    assert values["escalated"] == 1 and values["resolved"] == 2 and values["resolved_on_time"] == 1
    assert values["callbacks"] == 2 and values["satisfied"] == 1
    assert [r.value for r in figures.rates] == [50.0, 50.0]


def test_township_sees_only_its_township_and_no_escalated_tile(people):
    world(people)
    response = client_for(people.dispatcher_b1).get(PAGE)
    values = {t["figure"].key: t["figure"].value for t in response.context["tiles"]}
    assert "escalated" not in values
    assert values["registered_today"] == 1 and values["red"] == 1 and values["to_dispatch"] == 1
    html = response.content.decode()
    assert people.tree.town_a1.name not in html


def test_region_outside_the_jurisdiction_is_404_and_inside_narrows(people):
    world(people)
    client = client_for(people.dispatcher_a)
    assert client.get(PAGE, {"region": people.tree.town_b1.pk}).status_code == 404
    assert client.get(FIGURES, {"region": people.tree.town_b1.pk}).status_code == 404
    assert client.get(FIGURES, {"region": "x"}).status_code == 404
    response = client.get(FIGURES, {"region": people.tree.town_a2.pk})
    values = {t["figure"].key: t["figure"].value for t in response.context["tiles"]}
    assert values["registered_today"] == 4
    assert all(f"region={people.tree.town_a2.pk}" in t["url"] for t in response.context["tiles"])


def test_period_survives_in_the_query_string_and_bad_periods_are_explained(people):
    client = client_for(people.dispatcher_a)
    response = client.get(PAGE, {"period": "custom", "start": "2026-01-01", "end": "2026-01-31"})
    assert response.status_code == 200
    assert "period=custom&amp;start=2026-01-01&amp;end=2026-01-31" in response.content.decode()
    resolved = next(t for t in response.context["tiles"] if t["figure"].key == "resolved")
    assert "resolved_from=2026-01-01" in resolved["url"] and "resolved_to=2026-01-31" in resolved["url"]
    bad = client.get(PAGE, {"period": "custom", "start": "2026-02-01", "end": "2026-01-01"})
    assert bad.status_code == 200 and "结束日期不能早于开始日期" in bad.content.decode()
    assert client.get(FIGURES, {"period": "decade"}).status_code == 400
    assert client.get(FIGURES, {"period": "custom", "start": "2026-13-45", "end": "x"}).status_code == 400


def test_figures_poll_with_the_period_and_show_data_as_of(people):
    html = client_for(people.dispatcher_a).get(FIGURES, {"period": "week"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 60s, dashboard-refresh from:body"' in html
    assert "period=week" in html and 'data-testid="as-of"' in html


def test_week_quarter_year_periods(people):
    today = dt.date(2026, 8, 13)  # a Thursday
    assert period_named("week", today=today).start == dt.date(2026, 8, 10)
    assert period_named("quarter", today=today).start == dt.date(2026, 7, 1)
    assert period_named("year", today=today).start == dt.date(2026, 1, 1)
    assert period_named("month", today=today).end == today


def test_figures_query_count_is_constant(people):
    client = client_for(people.dispatcher_a)
    world(people)
    client.get(FIGURES)
    with CaptureQueriesContext(connection) as few:
        client.get(FIGURES)
    for _ in range(5):
        world(people)
    with CaptureQueriesContext(connection) as many:
        client.get(FIGURES)
    assert len(few) == len(many)


def test_list_drill_filters_match_the_selector(people):
    world(people)
    scope = scope_for(people.dispatcher_a)
    assert case_list(scope=scope, filters={"escalated": "true"}).count() == 1
    assert case_list(scope=scope, filters={"on_time": "false"}).count() == 1
    assert case_list(scope=scope, filters={"satisfied": "false"}).count() == 1
    assert case_list(scope=scope, filters={"open": "true"}).count() == Case.objects.filter(
        county=people.tree.county_a, state__in=["registered", "accepted", "dispatched", "in_progress", "resolved"]
    ).count()
    client = client_for(people.dispatcher_a)
    assert client.get(reverse("disputes:list"), {"on_time": "maybe"}).status_code == 200
    assert client.get(reverse("disputes:list"), {"resolved_from": "2026-99-01"}).status_code == 200
