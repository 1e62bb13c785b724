"""Notifications through faults, with real worker processes on Redis and PostgreSQL and a
simulated gateway (tests/faults/gateway.py): Redis down for web, workers and beat when a case
is committed and back afterwards, a worker killed with -9 mid-send (before and after the gateway accepted), a worker stopped
with SIGTERM mid-send. Each time: 0 lost, 0 on a handset twice; "marked sent" means the
gateway accepted it."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys

import pytest
import redis

from disputes.models import Case, CaseEvent
from governance.models import Notification, NotificationDelivery, Role
from governance.notifications import NotificationDraft, notifications_create
from tests.disputes.escalation.workers import wait_until
from tests.factories import CategoryFactory, UserFactory
from tests.faults.conftest import Stopwatch, report
from tests.faults.gateway import figures, gateway
from tests.faults.processes import process_env

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DELIVER = "governance.tasks.notification_deliver_task"
DRAIN = "governance.tasks.notification_drain_task"


def keys(ids) -> set[str]:
    return {f"notification:{pk}:sms" for pk in ids}


def all_sent(ids) -> bool:
    return not Notification.objects.filter(pk__in=ids, sent_at__isnull=True).exists()


def assert_delivered_once(ids, **expect) -> dict[str, int]:
    result = figures(keys(ids))
    deliveries = NotificationDelivery.objects.filter(notification_id__in=ids)
    result["marked_sent"] = Notification.objects.filter(pk__in=ids, sent_at__isnull=False).count()
    result["delivery_records"] = deliveries.filter(sent_at__isnull=False).count()
    assert result == {**result, "lost": 0, "handset_twice": 0, "unexpected": 0, "delivered": len(ids),
                      "marked_sent": len(ids), "delivery_records": len(ids), **expect}
    return result


def test_worker_killed_mid_send_loses_nothing_and_no_handset_gets_it_twice(tree, procs, send, broker_app, ticking):
    # Given 60 unsent notifications and a gateway that holds its first call after accepting
    # the message and every other call before accepting it
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    ids = sorted(notifications_create(drafts=[
        NotificationDraft(recipient_id=user.pk, event_key=f"fault:kill:{i}", title=f"通知 {i}") for i in range(60)]))
    gateway().set("hold", "mixed")
    victim = procs("worker", wait=False)
    standby = procs("worker", queues="standby", wait=False)
    victim.wait_ready(), standby.wait_ready()
    send(DELIVER, args=[ids[:30]])
    send(DELIVER, args=[ids[30:]])
    wait_until(lambda: gateway().scard("held_after") == 1 and gateway().scard("held_before") == 1,
               timeout=30, what="both pool processes mid-send")

    # When the worker is killed with -9 in the middle of both sends
    victim.kill()
    gateway().delete("hold")
    assert Notification.objects.filter(pk__in=ids, sent_at__isnull=False).count() == 0

    # and another worker takes over the queues, beat sending the drain every second
    clock = Stopwatch()
    standby.consume(broker_app)
    ticking(lambda: all_sent(ids), [(DRAIN, {})], timeout=60, what="every notification sent")
    recovered = clock.seconds()

    # Then every notification reached its handset once; the one killed after the gateway
    # accepted it was presented again with the same key and deduplicated by the gateway
    result = assert_delivered_once(ids, accepted_twice=1)
    assert result["presented_again"] == 2
    report("worker kill -9 mid-send", **result, recovered_seconds=recovered)


def test_worker_stopped_with_sigterm_mid_send_finishes_what_it_started(tree, procs, send, broker_app, ticking):
    # Given 60 unsent notifications in three messages, the gateway holding every call
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    ids = sorted(notifications_create(drafts=[
        NotificationDraft(recipient_id=user.pk, event_key=f"fault:term:{i}", title=f"通知 {i}") for i in range(60)]))
    gateway().set("hold", "before")
    victim = procs("worker", wait=False)
    standby = procs("worker", queues="standby", wait=False)
    victim.wait_ready(), standby.wait_ready()
    for start in range(0, 60, 20):
        send(DELIVER, args=[ids[start:start + 20]])
    wait_until(lambda: gateway().scard("held_before") == 2, timeout=30, what="both pool processes mid-send")

    # When SIGTERM reaches the main process only (systemd KillMode=mixed, celery multi stop)
    victim.terminate()
    gateway().delete("hold")
    clock = Stopwatch()
    assert victim.wait(timeout=60) == 0  # warm shutdown: the running sends finished first
    stopped = clock.seconds()
    by_victim = Notification.objects.filter(pk__in=ids, sent_at__isnull=False).count()
    assert by_victim == 40  # the two running messages, whole; the third was never started

    # and another worker takes the rest: the third message, returned to the queue untouched
    standby.consume(broker_app)
    wait_until(lambda: all_sent(ids), timeout=60, what="every notification sent")

    # Then nothing was presented twice at all
    result = assert_delivered_once(ids, accepted_twice=0, presented_again=0)
    report("worker SIGTERM mid-send", **result, shutdown_seconds=stopped, recovered_seconds=clock.seconds())


class PrivateRedis:
    """A redis-server of this test's own on a free port (no persistence, like a Redis that
    loses its queued messages when it dies), so it can really go down and come back without
    touching the Redis other suites share."""

    def __init__(self, tmp_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = tmp_path
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.up, timeout=20, what="private redis-server up")

    def up(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def url(self, db: int = 8) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture
def private_redis(tmp_path, services):
    if shutil.which("redis-server") is None:
        from tests.disputes.escalation.workers import unavailable

        unavailable("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    yield server
    if server.process.poll() is None:
        server.kill()


def test_redis_down_for_everyone_then_back_delivers_within_a_minute(tree, procs, private_redis, reference_data):
    # Given workers and beat on a Redis that then dies, losing whatever it held
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1, password="x")
    colleague = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1, password="x")
    category = CategoryFactory()
    worker = procs("worker", beat=True, REDIS_URL=private_redis.url())
    private_redis.kill()

    # When a case is committed while Redis is down
    code = f"from tests.faults.commit import main; main({clerk.pk}, {tree.village_a1x.pk}, {category.pk})"
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code],
                          env=process_env(REDIS_URL=private_redis.url()), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    # Then the case is saved, whole, and the lost message is only logged
    case_id = int(done.stdout.split("CASE ")[1].split()[0])
    assert Case.objects.filter(pk=case_id).exists() and CaseEvent.objects.filter(case_id=case_id).exists()
    assert "not queued" in done.stdout + done.stderr
    ids = list(Notification.objects.filter(event_key__startswith=f"case:{case_id}:", recipient=colleague)
               .values_list("pk", flat=True))
    assert len(ids) == 1 and not all_sent(ids)

    # and Redis comes back (empty), the worker restarted by its supervisor if it gave up
    private_redis.start()
    clock = Stopwatch()
    restarts = 0

    def delivered() -> bool:
        nonlocal worker, restarts
        if worker.process.poll() is not None:  # systemd Restart=always / compose restart: unless-stopped
            restarts += 1
            worker = procs("worker", beat=True, REDIS_URL=private_redis.url())
        return all_sent(ids)

    wait_until(delivered, timeout=60, what="notification delivered after Redis came back", interval=0.2)

    # and it went out once, within a minute of Redis's return
    recovered = clock.seconds()
    result = assert_delivered_once(ids, accepted_twice=0, presented_again=0)
    assert recovered < 60
    report("redis down for web, workers and beat, then back", **result, worker_restarts=restarts,
           delivered_after_redis_back_seconds=recovered)
