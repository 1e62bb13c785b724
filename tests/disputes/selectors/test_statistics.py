"""统计分析: every count cell of every statistic equals the case list it drills down to (same
filters, same number), for a county, a township and a narrowed region; constant queries."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.models import Case, CaseState, Category, Channel, WarningLevel
from disputes.selectors import case_list
from disputes.selectors.statistics import STATISTICS, Query, cell_filters, statistic_table
from governance.errors import NotFound
from governance.models import Role
from governance.periods import Period, period_named
from governance.scoping import scope_for
from tests.factories import CaseFactory, UserFactory


def seed(tree, clerk):
    now = timezone.now()
    neighbours = Category.objects.get(code="1702")
    other = Category.objects.exclude(parent=None).exclude(pk=neighbours.pk).first()
    rows = [
        (tree.village_a1x, CaseState.REGISTERED, WarningLevel.NONE, Channel.VISIT, neighbours, {}),
        (tree.village_a1x, CaseState.IN_PROGRESS, WarningLevel.RED, Channel.PHONE, neighbours, {}),
        (tree.village_a1y, CaseState.ACCEPTED, WarningLevel.YELLOW, Channel.GRID, other, {}),
        (tree.village_a2x, CaseState.REJECTED, WarningLevel.NONE, Channel.VISIT, other, {}),
        (tree.village_a2x, CaseState.RESOLVED, WarningLevel.NONE, Channel.HOTLINE, neighbours,
         {"resolved_at": now, "resolved_on_time": True}),
        (tree.village_a2x, CaseState.CLOSED, WarningLevel.NONE, Channel.VISIT, neighbours,
         {"resolved_at": now, "resolved_on_time": False, "callback_at": now, "callback_satisfied": True}),
        (tree.village_b1x, CaseState.IN_PROGRESS, WarningLevel.RED, Channel.VISIT, neighbours, {}),
    ]
    for village, state, warning, channel, category, extra in rows:
        CaseFactory(village=village, state=state, warning_level=warning, channel=channel, category=category,
                    registered_by=clerk, **extra)
    old = CaseFactory(village=tree.village_a1x, category=neighbours, registered_by=clerk)
    Case.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=400))


def assert_cells_drill_to_equal_lists(scope, query):
    checked = 0
    for name in STATISTICS:
        table = statistic_table(name, query)
        for row in table.rows:
            for key, cell in row.items():
                filters = cell_filters(cell)
                if filters is None:
                    continue
                assert case_list(scope=scope, filters=filters).count() == cell.value, (name, key, filters)
                checked += 1
    return checked


@pytest.mark.parametrize("period", ["week", "month", "year"])
def test_every_cell_drills_down_to_the_same_count_for_a_county(tree, period):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    seed(tree, dispatcher)
    scope = scope_for(dispatcher)
    query = Query(scope=scope, period=period_named(period, today=timezone.localdate()))
    assert assert_cells_drill_to_equal_lists(scope, query) > 20


def test_second_level_categories_and_a_narrowed_region_drill_down_too(tree):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    seed(tree, dispatcher)
    scope = scope_for(dispatcher)
    period = period_named("month", today=timezone.localdate())
    top = statistic_table("category", Query(scope=scope, period=period))
    parent_id = int(top.rows[0]["category"].filters["category_id"])
    second = Query(scope=scope, period=period, parent_id=parent_id)
    assert statistic_table("category", second).rows
    assert assert_cells_drill_to_equal_lists(scope, second) > 0
    narrowed = Query(scope=scope, period=period, region=tree.town_a2)
    regions = statistic_table("region", narrowed)
    assert [row["region"].value for row in regions.rows] == [tree.village_a2x.name]
    assert assert_cells_drill_to_equal_lists(scope, narrowed) > 0


def test_figures_add_up(tree):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    seed(tree, dispatcher)
    scope = scope_for(dispatcher)
    query = Query(scope=scope, period=period_named("month", today=timezone.localdate()))
    regions = {row["region"].value: row for row in statistic_table("region", query).rows}
    assert regions[tree.town_a1.name]["overdue"].value == 1 and regions[tree.town_a1.name]["open"].value == 4  # the old case is still open
    assert regions[tree.town_a2.name]["registered"].value == 3  # 不予受理 counted (登记量)
    rates = {row["region"].value: row for row in statistic_table("rates", query).rows}
    assert rates[tree.town_a2.name]["on_time_rate"].value == 50.0
    assert rates[tree.town_a1.name]["on_time_rate"].value is None  # "—": nothing resolved
    trend = statistic_table("channel_trend", query)
    assert sum(row["total"].value for row in trend.rows) == 6
    villages = statistic_table("villages", query)
    assert villages.rows[0]["village"].value == tree.village_a1x.name


def test_township_sees_only_its_township(tree):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.town_b1)
    seed(tree, dispatcher)
    scope = scope_for(dispatcher)
    query = Query(scope=scope, period=period_named("year", today=timezone.localdate()))
    regions = statistic_table("region", query)
    assert [row["region"].value for row in regions.rows] == [tree.village_b1x.name]
    assert sum(row["total"].value for row in statistic_table("channel_trend", query).rows) == 1
    assert [row["village"].value for row in statistic_table("villages", query).rows] == [tree.village_b1x.name]
    with pytest.raises(NotFound):
        scope.region_in_scope(tree.town_a1.pk)
    with pytest.raises(NotFound):
        statistic_table("nope", query)


def test_long_periods_are_shown_by_month(tree):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    seed(tree, dispatcher)
    scope = scope_for(dispatcher)
    today = timezone.localdate()
    query = Query(scope=scope, period=Period(today - dt.timedelta(days=500), today))
    trend = statistic_table("channel_trend", query)
    assert len(trend.rows) in (17, 18)
    assert sum(row["total"].value for row in trend.rows) == 7
    assert assert_cells_drill_to_equal_lists(scope, query) > 0


def test_query_count_is_constant(tree):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    scope = scope_for(dispatcher)
    query = Query(scope=scope, period=period_named("month", today=timezone.localdate()))
    seed(tree, dispatcher)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            for name in STATISTICS:
                statistic_table(name, query)
        counts.append(len(ctx))
        for _ in range(3):
            seed(tree, dispatcher)
    assert counts[0] == counts[1]
