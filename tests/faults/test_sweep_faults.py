"""The deadline sweep through faults, with real workers and beats on Redis and PostgreSQL:
a worker killed with -9 and one stopped with SIGTERM in the middle of a sweep batch (held
there by a table lock, so the fault lands mid-batch every time), and two beats at once.
Each time every overdue case is escalated once and its notification reaches the handset
once (0 lost, 0 doubled, 0 sent twice)."""
from __future__ import annotations

import datetime as dt
import time

import psycopg2
import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from disputes.models import Case, CaseEvent, CaseState, Escalation, Step
from disputes.sweep import deadline_sweep
from governance.models import Notification, NotificationDelivery, RegionLevel, Role
from tests.disputes.escalation.workers import wait_until
from tests.factories import CaseFactory, CategoryFactory, UserFactory
from tests.faults.conftest import Stopwatch, report
from tests.faults.gateway import figures, gateway

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CASES = 60
BATCH = 20
SWEEP = "disputes.tasks.deadline_sweep_task"
DRAIN = "governance.tasks.notification_drain_task"


def overdue_cases(tree, n: int) -> None:
    """n in-progress cases owned by town A1 whose deadline passed an hour ago."""
    now = timezone.now()
    reporter = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    category = CategoryFactory()
    cases = []
    for _ in range(n):
        case = CaseFactory.build(category=category, registered_by=reporter, state=CaseState.IN_PROGRESS,
                                 step=Step.HANDLE, step_started_at=now - dt.timedelta(days=10),
                                 due_at=now - dt.timedelta(hours=1), owning_region=tree.town_a1)
        case.set_region(tree.village_a1x)
        cases.append(case)
    Case.objects.bulk_create(cases)


def done(dispatcher, n: int) -> bool:
    return (Escalation.objects.count() >= n
            and Notification.objects.filter(recipient=dispatcher, sent_at__isnull=False).count() >= n)


def assert_exactly_once(dispatcher, n: int) -> dict[str, int]:
    time.sleep(1.5)  # anything still running would show up as extra rows now
    ids = list(Notification.objects.filter(recipient=dispatcher).values_list("pk", flat=True))
    result = figures({f"notification:{pk}:sms" for pk in ids})
    result.update(
        cases=n, escalations=Escalation.objects.count(),
        escalated_twice=Escalation.objects.values("case_id").annotate(k=Count("id")).filter(k__gt=1).count(),
        escalate_events=CaseEvent.objects.filter(action="escalate").count(),
        at_county=Case.objects.filter(owning_level=RegionLevel.COUNTY).count(),
        notifications=len(ids),
        delivery_records=NotificationDelivery.objects.filter(notification_id__in=ids, sent_at__isnull=False).count(),
    )
    assert result == {**result, "escalations": n, "escalated_twice": 0, "escalate_events": n, "at_county": n,
                      "notifications": n, "delivered": n, "lost": 0, "handset_twice": 0, "accepted_twice": 0,
                      "unexpected": 0, "delivery_records": n}
    return result


class TableLock:
    """Holds SHARE on disputes_escalation from another connection: the sweep's batch runs up
    to its first Escalation insert and waits there, mid-transaction."""

    def __init__(self):
        s = connection.settings_dict
        self.conn = psycopg2.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                                     host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)
        self.conn.cursor().execute("LOCK TABLE disputes_escalation IN SHARE MODE")

    @staticmethod
    def waiters() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            return cursor.fetchone()[0]

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


@pytest.mark.parametrize("fault", ["kill -9", "SIGTERM"])
def test_worker_stopped_mid_sweep_escalates_and_notifies_exactly_once(tree, procs, send, broker_app, ticking, policies,
                                                                      fault):
    # Given 60 overdue cases, a county dispatcher to notify, and a first batch already swept
    overdue_cases(tree, CASES)
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    first = deadline_sweep(after_id=0, batch_size=BATCH)
    assert first.escalated == BATCH and first.next_after_id

    # When a worker's next batch is in the middle of its transaction
    lock = TableLock()
    victim = procs("worker", wait=False)
    standby = procs("worker", queues="standby", wait=False)
    victim.wait_ready(), standby.wait_ready()
    send(SWEEP, kwargs={"after_id": first.next_after_id, "batch_size": BATCH})
    wait_until(lambda: lock.waiters() >= 1, timeout=30, what="the batch waiting mid-transaction")

    # and the worker is killed with -9, or sent SIGTERM (main process only)
    clock = Stopwatch()
    if fault == "kill -9":
        victim.kill()
        lock.release()
    else:
        victim.terminate()
        lock.release()
        assert victim.wait(timeout=60) == 0  # warm shutdown: the batch finished and requeued its cursor
        assert Escalation.objects.count() == 2 * BATCH
    stopped = clock.seconds()

    # and another worker takes over the queues, beat sending the sweep and the drain every second
    standby.consume(broker_app)
    ticking(lambda: done(dispatcher, CASES), [(SWEEP, {"batch_size": BATCH}), (DRAIN, {})], timeout=60,
            what="every case escalated and notified")
    recovered = clock.seconds()

    # Then every case was escalated once and every notification reached the handset once
    result = assert_exactly_once(dispatcher, CASES)
    report(f"worker {fault} mid-sweep", **result, stop_seconds=stopped, recovered_seconds=recovered)


def test_two_beats_escalate_and_notify_exactly_once(tree, procs, policies):
    # Given 60 overdue cases and two beats by mistake, each sending the sweep and the drain every second
    overdue_cases(tree, CASES)
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    started = [procs("worker", concurrency=3, SWEEP_BATCH_SIZE=str(BATCH), wait=False),
               procs("beat", wait=False), procs("beat", wait=False)]
    for process in started:
        process.wait_ready()
    clock = Stopwatch()
    beats = started[1:]

    # When they run side by side
    wait_until(lambda: done(dispatcher, CASES), timeout=60, what="every case escalated and notified")
    finished = clock.seconds()
    wait_until(lambda: all(b.output().count("Sending due task sweep-deadlines") >= 3 for b in beats), timeout=30,
               what="overlapping sweeps from both beats")

    # Then nothing was escalated or sent twice
    result = assert_exactly_once(dispatcher, CASES)
    assert gateway().hlen("presented") == CASES
    report("two beats", **result, sweeps_sent=sum(b.output().count("Sending due task sweep-deadlines") for b in beats),
           done_seconds=finished)
