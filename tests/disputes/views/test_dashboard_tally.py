"""The dashboard's rollup (CaseTally): the workers' count equals a count of the cases, it is
rewritten by difference, the screen reads it while it is fresh and says when it was counted,
the lists it links to stay live, a township reads only its township, a stale or disabled
rollup gives way to live counts, and the API counts live."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, CaseState, CaseTally, CaseTallyRun, WarningLevel
from disputes.services.tally import unscoped_case_tally_refresh
from disputes.tasks import case_tally_refresh_task
from governance.models import RegionLevel
from tests.disputes.views.conftest import client_for
from tests.disputes.views.test_dashboard_figures import list_count, world

PAGE = reverse("disputes:dashboard")
FIGURES = reverse("disputes:dashboard_figures")
DATA = reverse("disputes:dashboard_data")


def tallied() -> dict[tuple, int]:
    return {(t.region_id, t.state, t.warning_level): t.count for t in CaseTally.objects.all()}


def counted() -> dict[tuple, int]:
    rows = (Case.objects.order_by().annotate(finest=Coalesce("village_id", "township_id", "county_id", "city_id"))
            .values_list("finest", "state", "warning_level").annotate(n=Count("*")))
    return {(finest, state, card): n for finest, state, card, n in rows}


def county_case(people, **fields) -> Case:
    """A case recorded at the county (no township or village on its path)."""
    case = people.case(**fields)
    Case.objects.filter(pk=case.pk).update(township=None, village=None, owning_region=people.tree.county_a,
                                           owning_level=RegionLevel.COUNTY)
    return case


def tiles(response) -> dict[str, int]:
    return {t["figure"].key: t["figure"].value for t in response.context["tiles"]}


def test_the_rollup_counts_every_case_by_finest_region_state_and_card(people):
    world(people)
    county_case(people, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    result = unscoped_case_tally_refresh()
    assert tallied() == counted() and result.keys == len(counted())
    row = CaseTally.objects.get(region=people.tree.county_a, state=CaseState.IN_PROGRESS)
    assert (row.city_id, row.county_id, row.township_id, row.village_id) == (people.tree.city.pk,
                                                                             people.tree.county_a.pk, None, None)
    row = CaseTally.objects.filter(region=people.tree.village_a2x).first()
    assert (row.county_id, row.township_id, row.village_id) == (people.tree.county_a.pk, people.tree.town_a2.pk,
                                                                people.tree.village_a2x.pk)
    assert CaseTallyRun.objects.get(pk=1).counted_at is not None


def test_a_recount_writes_only_the_difference(people):
    world(people)
    unscoped_case_tally_refresh()
    assert unscoped_case_tally_refresh().changed == 0
    moved = Case.objects.filter(state=CaseState.DISPATCHED).first()
    Case.objects.filter(pk=moved.pk).update(state=CaseState.IN_PROGRESS)  # its old key empties
    Case.objects.filter(state=CaseState.REJECTED).delete()
    result = unscoped_case_tally_refresh()
    assert result.changed == 3 and tallied() == counted()
    assert not CaseTally.objects.filter(state__in=[CaseState.DISPATCHED, CaseState.REJECTED]).exists()


def test_the_screen_reads_the_fresh_rollup_says_when_and_its_lists_stay_live(people):
    world(people)
    unscoped_case_tally_refresh()
    client = client_for(people.dispatcher_a)
    people.case(village=people.tree.village_a1x)  # registered after the count
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.context["counted_at"] is not None and 'data-testid="counted-at"' in html
    to_accept = next(t for t in response.context["tiles"] if t["figure"].key == "to_accept")
    assert to_accept["figure"].value == 1 and list_count(client, to_accept["url"]) == 2  # the list is live
    assert tiles(response)["registered_today"] == 10  # period figures are counted live
    data = client.get(DATA).json()
    assert data["counted_at"] and sum(r["states"][CaseState.REGISTERED] for r in data["regions"]) == 1
    unscoped_case_tally_refresh()
    response = client.get(FIGURES)
    assert 'data-testid="counted-at"' in response.content.decode()
    for tile in response.context["tiles"]:
        assert list_count(client, tile["url"]) == tile["figure"].value, tile["figure"].key
    assert sum(r["states"][CaseState.REGISTERED] for r in client.get(DATA).json()["regions"]) == 2
    assert 'data-testid="counted-at"' in client.get(reverse("disputes:wall")).content.decode()  # the wall says it too


def test_a_township_reads_only_its_township_from_the_rollup(people):
    world(people)
    unscoped_case_tally_refresh()
    client = client_for(people.dispatcher_b1)
    response = client.get(PAGE)
    assert response.context["counted_at"] is not None
    values = tiles(response)
    assert values["red"] == 1 and values["to_dispatch"] == 1 and values["in_progress"] == 0
    data = client.get(DATA).json()
    assert [r["name"] for r in data["regions"]] == [people.tree.village_b1x.name]
    assert data["totals"] == {"open": 1, "yellow": 0, "red": 1, "intake_30d": 1}


def test_a_stale_or_disabled_rollup_gives_way_to_live_counts(people, settings):
    world(people)
    unscoped_case_tally_refresh()
    people.case(village=people.tree.village_a1x)
    client = client_for(people.dispatcher_a)
    CaseTallyRun.objects.filter(pk=1).update(counted_at=timezone.now() - dt.timedelta(minutes=6))  # 5 × 60 s
    response = client.get(PAGE)
    assert response.context["counted_at"] is None and 'data-testid="counted-at"' not in response.content.decode()
    assert tiles(response)["to_accept"] == 2 and client.get(DATA).json()["counted_at"] is None
    unscoped_case_tally_refresh()
    settings.DASHBOARD_TALLY_SECONDS = 0
    people.case(village=people.tree.village_a1x)
    assert tiles(client.get(PAGE))["to_accept"] == 3


def test_the_api_counts_live(people):
    world(people)
    unscoped_case_tally_refresh()
    people.case(village=people.tree.village_a1x)
    body = client_for(people.dispatcher_a).get("/api/v1/dashboard/").json()
    assert {f["key"]: f["value"] for f in body["figures"]}["to_accept"] == 2
    assert "counted_at" not in body  # the contract is unchanged


def test_with_the_rollup_the_screen_costs_a_constant_number_of_queries(people):
    client = client_for(people.dispatcher_a)
    world(people)
    unscoped_case_tally_refresh()
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few_page, CaptureQueriesContext(connection):
        client.get(PAGE)
    with CaptureQueriesContext(connection) as few_data:
        client.get(DATA)
    for _ in range(4):
        world(people)
    unscoped_case_tally_refresh()
    with CaptureQueriesContext(connection) as many_page:
        client.get(PAGE)
    with CaptureQueriesContext(connection) as many_data:
        client.get(DATA)
    assert len(few_page) == len(many_page) and len(few_data) == len(many_data)
    # session, user, tally stamp, state×card, 4 live figures (今日登记, 升级到本级, and each rate
    # with its denominator), 4 queues (the 上报件 size is the figure's: 7 queries), their rows
    # and open dispatches (2), notifications, regions; the chart data: session, user, tally
    # stamp, bars, region names, 30-day intake
    assert len(many_page) == 19 and len(many_data) == 6
    # the polls: the figures (session, user, stamp, state×card, 4 live figures) and a queue
    # (session, user, its size, its page's ids, their rows, their open dispatches)
    with CaptureQueriesContext(connection) as figures:
        client.get(FIGURES)
    with CaptureQueriesContext(connection) as queue:
        client.get(reverse("disputes:dashboard_queue", args=["overdue"]))
    assert len(figures) == 8 and len(queue) == 6


def test_the_task_recounts_and_beat_runs_it_every_minute_on_the_sweeps_queue(people, settings):
    world(people)
    assert case_tally_refresh_task()["keys"] == len(counted())
    entry = settings.CELERY_BEAT_SCHEDULE["count-case-tally"]
    assert entry["task"] == case_tally_refresh_task.name and entry["schedule"] == 60
    assert entry["options"]["queue"] == "sweeps"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_recounts_run_one_after_the_other(tree):
    # Given cases and two workers recounting at once (duplicate beat, redelivery)
    from tests.factories import CaseFactory
    for village in (tree.village_a1x, tree.village_a2x, tree.village_b1x):
        CaseFactory(village=village)
    errors: list[BaseException] = []

    def recount() -> None:
        try:
            unscoped_case_tally_refresh()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recount) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then the lock serialises them: no duplicate key, the count is right
    assert errors == [] and tallied() == counted()
