"""The notification outbox: unsent rows delivered per channel, marked sent only after every
channel accepted them, idempotent on redelivery, drained oldest first until empty (no age
cut-off), and a broker outage at commit costs nothing but time."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from celery import current_app
from django.utils import timezone

import governance.tasks
from governance import outbox
from governance.bulk import bulk_load
from governance.channels import Channel, ChannelError
from governance.models import Notification, NotificationDelivery, Role
from governance.notifications import NotificationDraft, notifications_create, notifications_send_on_commit
from governance.outbox import FAILED, SENT, SKIPPED, notification_deliver, notifications_drain
from governance.tasks import (
    notification_deliver_task,
    notification_drain_task,
    notification_fanout_task,
    notification_resend_task,
    notification_send_task,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

accepted: list[tuple[str, str]] = []  # (channel, key) per accepted message
down: set[str] = set()  # channel names that refuse for now


class SmsChannel(Channel):
    name = "sms"

    def send(self, *, recipient, title, body, link, key):
        if self.name in down:
            raise ChannelError("gateway down")
        accepted.append((self.name, key))


class AppChannel(SmsChannel):
    name = "app"


@pytest.fixture(autouse=True)
def channels(settings):
    accepted.clear()
    down.clear()
    settings.NOTIFICATION_CHANNELS = [f"{__name__}.SmsChannel"]
    return settings


@pytest.fixture
def clerk(tree):
    return UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)


def notify(user, n: int = 1, key: str = "case:1:red") -> list[int]:
    return sorted(notifications_create(drafts=[
        NotificationDraft(recipient_id=user.pk, event_key=f"{key}:{i}", title=f"红牌超期：T{i}") for i in range(n)
    ]))


class TestDeliver:
    def test_delivered_twice_sends_once_and_records_the_channel(self, clerk):
        (pk,) = notify(clerk)

        # When the same message is delivered twice (acks_late redelivery, drain beside the fast path)
        first = notification_deliver_task.apply(args=[[pk]]).get()
        second = notification_deliver_task.apply(args=[[pk]]).get()

        # Then the channel accepted it once, the row is sent and its delivery recorded
        assert (first[SENT], second[SKIPPED]) == (1, 1)
        assert accepted == [("sms", f"notification:{pk}:sms")]
        row = Notification.objects.get(pk=pk)
        delivery = NotificationDelivery.objects.get(notification_id=pk)
        assert row.sent_at is not None and (delivery.channel, delivery.attempts) == ("sms", 1)
        assert delivery.sent_at is not None

    def test_a_failing_channel_leaves_the_row_unsent_with_a_retry_time(self, clerk):
        (pk,) = notify(clerk)
        down.add("sms")

        assert notification_deliver(notification_id=pk) == FAILED

        row = Notification.objects.get(pk=pk)
        delivery = NotificationDelivery.objects.get(notification_id=pk)
        assert row.sent_at is None and row.attempts == 1 and row.retry_at > timezone.now()
        assert delivery.sent_at is None and delivery.attempts == 1 and "gateway down" in delivery.last_error
        # not due before retry_at: the drain leaves it alone
        assert notifications_drain().failed == 0 and accepted == []

    def test_only_the_channel_that_failed_is_tried_again(self, clerk, channels):
        channels.NOTIFICATION_CHANNELS = [f"{__name__}.SmsChannel", f"{__name__}.AppChannel"]
        (pk,) = notify(clerk)
        down.add("app")
        assert notification_deliver(notification_id=pk) == FAILED
        assert accepted == [("sms", f"notification:{pk}:sms")]

        # When the app channel is back and the retry time has come
        down.clear()
        Notification.objects.filter(pk=pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))
        assert notifications_drain().sent == 1

        # Then only the app channel was called again: sms is not sent twice
        assert accepted == [("sms", f"notification:{pk}:sms"), ("app", f"notification:{pk}:app")]
        assert Notification.objects.get(pk=pk).sent_at is not None
        assert NotificationDelivery.objects.filter(notification_id=pk, sent_at__isnull=False).count() == 2

    def test_an_error_inside_the_transaction_marks_nothing(self, clerk, monkeypatch):
        (pk,) = notify(clerk)

        def broken_record(*args, **kwargs):
            raise RuntimeError("database gone after the gateway accepted")

        monkeypatch.setattr(outbox, "_record", broken_record)
        with pytest.raises(RuntimeError):
            notification_deliver(notification_id=pk)
        assert Notification.objects.get(pk=pk).sent_at is None  # still in the outbox
        assert not NotificationDelivery.objects.exists()

    def test_a_task_out_of_time_mid_send_leaves_the_row_in_the_outbox(self, clerk, monkeypatch):
        from celery.exceptions import SoftTimeLimitExceeded

        (pk,) = notify(clerk)

        def slow_gateway(self, **kwargs):
            raise SoftTimeLimitExceeded()

        monkeypatch.setattr(SmsChannel, "send", slow_gateway)
        with pytest.raises(SoftTimeLimitExceeded):
            notification_deliver(notification_id=pk)
        row = Notification.objects.get(pk=pk)
        assert row.sent_at is None and row.attempts == 0 and not NotificationDelivery.objects.exists()

    def test_back_off_doubles_up_to_an_hour(self):
        assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 30)] == [30, 60, 120, 3600, 3600]


class TestDrain:
    def test_oldest_first_with_no_age_cut_off_in_bounded_batches_until_empty(self, clerk):
        # Given a backlog: rows a week old, a day old, and fresh ones (more than a batch)
        ids = notify(clerk, 25)
        now = timezone.now()
        Notification.objects.filter(pk__in=ids[:5]).update(created_at=now - dt.timedelta(days=7))
        Notification.objects.filter(pk__in=ids[5:10]).update(created_at=now - dt.timedelta(days=1))

        result = notifications_drain(batch_size=4)

        # Then every row went out, the oldest first
        assert (result.sent, result.more) == (25, False)
        order = [int(key.split(":")[1]) for _channel, key in accepted]
        assert order[:5] == ids[:5] and order[5:10] == ids[5:10] and sorted(order) == sorted(ids)
        assert not Notification.objects.filter(sent_at__isnull=True).exists()

    def test_rows_waiting_for_a_retry_do_not_stall_the_rest(self, clerk):
        ids = notify(clerk, 6)
        Notification.objects.filter(pk__in=ids[:3]).update(
            retry_at=timezone.now() + dt.timedelta(minutes=5), created_at=timezone.now() - dt.timedelta(hours=1))

        result = notifications_drain(batch_size=2)

        assert result.sent == 3
        assert {int(key.split(":")[1]) for _c, key in accepted} == set(ids[3:])

    def test_a_drain_out_of_time_queues_its_successor(self, clerk, monkeypatch):
        notify(clerk, 5)
        queued = []
        monkeypatch.setattr(outbox, "DRAIN_BUDGET_SECONDS", 0)
        monkeypatch.setattr(notification_drain_task, "apply_async", lambda *a, **k: queued.append(1))
        monkeypatch.setattr(governance.tasks, "notifications_drain",
                            lambda: notifications_drain(batch_size=2, budget_seconds=0))

        result = notification_drain_task.apply().get()

        assert result["sent"] == 2 and result["more"] == 1 and queued == [1]

    def test_tasks_of_the_previous_release_still_deliver(self, clerk):
        a, b, c = notify(clerk, 3)
        notification_send_task.apply(args=[a])
        notification_fanout_task.apply(args=[[b]])
        notification_resend_task.apply()
        assert sorted(int(k.split(":")[1]) for _c, k in accepted) == sorted([a, b, c])


class TestEnqueue:
    def test_queued_after_commit_in_chunks(self, clerk, django_capture_on_commit_callbacks, monkeypatch):
        queued = []
        monkeypatch.setattr(outbox, "DELIVER_CHUNK", 2)
        monkeypatch.setattr(notification_deliver_task, "delay", lambda ids: queued.append(ids))
        ids = notify(clerk, 3)

        with django_capture_on_commit_callbacks(execute=True):
            notifications_send_on_commit(ids)
            assert queued == []
        assert queued == [ids[:2], ids[2:]]

    def test_a_bulk_load_queues_no_task_and_the_drain_delivers(self, clerk, django_capture_on_commit_callbacks,
                                                              monkeypatch):
        queued = []
        monkeypatch.setattr(notification_deliver_task, "delay", lambda ids: queued.append(ids))
        ids = notify(clerk, 3)
        with django_capture_on_commit_callbacks(execute=True), bulk_load():
            notifications_send_on_commit(ids)
        assert queued == []
        with django_capture_on_commit_callbacks(execute=True):
            notifications_send_on_commit(ids[:1])  # outside the bulk load: the fast path again
        assert queued == [ids[:1]]
        assert notification_drain_task.apply().get()["sent"] == 3

    def test_broker_down_at_commit_loses_nothing(self, clerk, django_capture_on_commit_callbacks, monkeypatch,
                                                caplog):
        def unreachable(ids):
            raise ConnectionRefusedError("redis down")

        monkeypatch.setattr(notification_deliver_task, "delay", unreachable)
        ids = notify(clerk, 2)
        with caplog.at_level("WARNING", logger="governance.outbox"), \
                django_capture_on_commit_callbacks(execute=True):
            notifications_send_on_commit(ids)  # no exception reaches the committed change
        assert "not queued" in caplog.text
        assert Notification.objects.filter(pk__in=ids, sent_at__isnull=True).count() == 2

        # When the broker is back, the beat drain delivers them
        assert notification_drain_task.apply().get()["sent"] == 2


class TestSettings:
    def test_beat_drains_the_outbox_every_minute(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["drain-notification-outbox"]
        assert entry["task"] == notification_drain_task.name
        assert entry["schedule"] == 60 and entry["options"]["queue"] == "notifications"
        assert "resend-unsent-notifications" not in settings.CELERY_BEAT_SCHEDULE

    def test_visibility_timeout_outlasts_every_task_and_a_prefetched_wait(self, settings):
        ours = {name: task for name, task in current_app.tasks.items() if not name.startswith("celery.")}
        assert ours, "no tasks registered"
        for name, task in ours.items():
            limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
            assert limit <= settings.CELERY_LONGEST_TASK_SECONDS, name
            assert task.acks_late and task.reject_on_worker_lost, name
        assert settings.CELERY_VISIBILITY_TIMEOUT > 2 * settings.CELERY_LONGEST_TASK_SECONDS
        assert settings.CELERY_VISIBILITY_TIMEOUT <= 600  # a killed worker's messages return within minutes


class TestMonitoring:
    def test_outbox_status_reports_the_backlog_and_fails_a_probe_when_the_oldest_waits_too_long(self, clerk):
        from io import StringIO

        from django.core.management import call_command

        ids = notify(clerk, 3)
        Notification.objects.filter(pk=ids[0]).update(created_at=timezone.now() - dt.timedelta(minutes=10),
                                                      attempts=2)
        out = StringIO()
        call_command("outbox_status", "--json", stdout=out)
        backlog = json.loads(out.getvalue())
        assert backlog["unsent"] == 3 and backlog["failing"] == 1 and backlog["oldest_age_seconds"] >= 600

        with pytest.raises(SystemExit) as exit_info:
            call_command("outbox_status", "--max-age", "300", stdout=StringIO(), stderr=StringIO())
        assert exit_info.value.code == 1
        notifications_drain()
        call_command("outbox_status", "--max-age", "300", stdout=StringIO())  # drained: passes


def test_one_delivery_costs_a_constant_number_of_queries(clerk, django_assert_max_num_queries):
    ids = notify(clerk, 3)
    # lock + recipient, deliveries, insert delivery, update notification (+ savepoint/commit)
    with django_assert_max_num_queries(6):
        notification_deliver(notification_id=ids[0])
