"""Real Celery workers on real Redis and PostgreSQL: the sweep as beat triggers it, a worker
killed with -9 in the middle, and two workers sweeping at once — every overdue case is
escalated exactly once (0 lost, 0 doubled).

PostgreSQL only: the worker process must share the test database (see workers.py).
"""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone

from disputes.models import Case, CaseEvent, CaseState, Escalation, EscalationPolicy, Step
from governance.models import Notification, RegionLevel, Role
from tests.disputes.escalation.workers import Worker, flush_redis, require_services, send_sweep, wait_until
from tests.factories import CaseFactory, CategoryFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CRASH_CASES = 3000
SMALL_BATCH = 100


@pytest.fixture
def redis_url():
    url = require_services()
    flush_redis(url)
    yield url
    flush_redis(url)


@pytest.fixture
def workers(redis_url, tmp_path):
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(url=redis_url, log_dir=tmp_path, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(autouse=True)
def policies(db):
    """The seeded defaults (a transactional test's flush removes migration data)."""
    for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
        EscalationPolicy.objects.get_or_create(
            level=level, category=None, risk_grade=None,
            defaults={"yellow_ratio": Decimal("0.80"), "escalate_after_hours": 0},
        )


def overdue_cases(tree, n: int) -> list[int]:
    """n in-progress cases in town A1 whose handling deadline passed an hour ago (registered
    by a grid worker, so no center staff exists to notify: these tests count escalations)."""
    now = timezone.now()
    clerk = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x, password="x")
    category = CategoryFactory()
    cases = []
    for _ in range(n):
        case = CaseFactory.build(
            category=category, registered_by=clerk, state=CaseState.IN_PROGRESS, step=Step.HANDLE,
            step_started_at=now - dt.timedelta(days=10), due_at=now - dt.timedelta(hours=1),
            owning_region=tree.town_a1,
        )
        case.set_region(tree.village_a1x)
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=1000)
    return list(Case.objects.values_list("pk", flat=True))


def assert_exactly_once(n: int) -> dict[str, int]:
    """Every case escalated once: Escalation rows, escalate events and owners all agree."""
    escalations = Escalation.objects.count()
    per_case = Escalation.objects.values("case_id").annotate(n=Count("id")).filter(n__gt=1).count()
    events = CaseEvent.objects.filter(action="escalate").count()
    red_events = CaseEvent.objects.filter(action="red").count()
    at_county = Case.objects.filter(owning_level=RegionLevel.COUNTY).count()
    figures = {"cases": n, "escalations": escalations, "escalate_events": events, "red_events": red_events,
               "at_county": at_county, "lost": n - at_county, "doubled": per_case + max(0, events - n)}
    print(f"\nexactly-once figures: {figures}")
    assert figures == {**figures, "escalations": n, "escalate_events": n, "red_events": n, "at_county": n,
                       "lost": 0, "doubled": 0}
    return figures


def settle(n: int, timeout: float) -> None:
    wait_until(lambda: Escalation.objects.count() >= n, timeout=timeout, what=f"{n} escalations")
    time.sleep(1.0)  # anything still running would show up as extra rows now


def test_sweep_triggered_as_beat_would_escalates_and_notifies(tree, workers, redis_url):
    # Given three overdue township cases and a dispatcher at the county center
    overdue_cases(tree, 3)
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a, password="x")
    workers()

    # When the beat entry's task is sent by name
    send_sweep(redis_url)

    # Then the worker escalated them and its notification tasks sent the messages once
    settle(3, timeout=60)
    assert_exactly_once(3)
    wait_until(lambda: Notification.objects.filter(recipient=dispatcher, sent_at__isnull=False).count() == 3,
               timeout=60, what="notifications sent by the worker")
    assert Notification.objects.filter(recipient=dispatcher).count() == 3


def test_worker_killed_mid_sweep_then_a_new_worker_finishes_exactly_once(tree, workers, redis_url):
    # Given thousands of overdue cases and a sweep running in small batches
    overdue_cases(tree, CRASH_CASES)
    first = workers()
    send_sweep(redis_url, batch_size=SMALL_BATCH)

    # When the worker is killed with -9 in the middle of the sweep
    try:
        wait_until(lambda: Escalation.objects.exists(), timeout=60, what="the sweep to start", interval=0.02)
    except AssertionError:
        print(first.output()[-5000:])
        raise
    first.kill()
    at_kill = Escalation.objects.count()
    print(f"\nkilled the worker after {at_kill} of {CRASH_CASES} escalations")
    assert 0 < at_kill < CRASH_CASES

    # and a new worker runs the sweep again (as the next beat would)
    workers()
    send_sweep(redis_url, batch_size=SMALL_BATCH)

    # Then every overdue case was escalated exactly once
    settle(CRASH_CASES, timeout=120)
    assert_exactly_once(CRASH_CASES)


def test_two_workers_and_overlapping_sweeps_escalate_exactly_once(tree, workers, redis_url):
    # Given thousands of overdue cases and two workers
    overdue_cases(tree, CRASH_CASES)
    one, two = workers(), workers()

    # When four sweeps start at once (overlapping beats), each requeuing its own cursor
    for _ in range(4):
        send_sweep(redis_url, batch_size=SMALL_BATCH)

    # Then the workers shared the work (SKIP LOCKED) and nothing was done twice
    settle(CRASH_CASES, timeout=120)
    assert_exactly_once(CRASH_CASES)
    for worker in (one, two):
        assert "deadline_sweep_task" in worker.output() and "succeeded" in worker.output()
