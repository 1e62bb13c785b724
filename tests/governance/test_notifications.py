"""Notifications: the inbox pages, marking read, and delivery through the outbound channel
exactly once per recipient and event, even when the send task is delivered twice."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.channels import Channel, ChannelError, LogChannel, channel_get
from governance.models import Notification, Role
from governance.notifications import (
    NotificationDraft,
    notification_deliver,
    notification_list,
    notification_unread_count,
    notifications_create,
    notifications_resend_unsent,
    notifications_send_on_commit,
)
from governance.tasks import notification_fanout_task, notification_resend_task, notification_send_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SENT: list[dict] = []


class RecordingChannel(Channel):
    def send(self, *, recipient, title, body, link):
        SENT.append({"recipient": recipient.pk, "title": title, "link": link})


class FailingChannel(Channel):
    attempts = 0

    def send(self, *, recipient, title, body, link):
        FailingChannel.attempts += 1
        raise ConnectionError("gateway down")


@pytest.fixture
def recording(settings):
    SENT.clear()
    settings.NOTIFICATION_CHANNEL_BACKEND = "tests.governance.test_notifications.RecordingChannel"
    return SENT


@pytest.fixture
def clerk(tree):
    return UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)


@pytest.fixture
def other(tree):
    return UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a2)


def notify(user, n: int = 1, key: str = "case:1:red") -> list[Notification]:
    ids = notifications_create(drafts=[
        NotificationDraft(recipient_id=user.pk, event_key=f"{key}:{i}", title=f"红牌超期：T{i}", link=f"/cases/{i}/")
        for i in range(n)
    ])
    return list(Notification.objects.filter(pk__in=ids).order_by("pk"))


class TestCreateAndSend:
    def test_create_is_unique_per_recipient_and_event(self, clerk, other):
        drafts = [NotificationDraft(recipient_id=u.pk, event_key="case:7:escalate:3", title="案件升级") for u in
                  (clerk, other)]
        first = notifications_create(drafts=drafts)
        second = notifications_create(drafts=drafts)
        assert len(first) == 2 and sorted(second) == sorted(first)
        assert Notification.objects.count() == 2

    def test_create_stores_every_field_in_its_column(self, clerk, other):
        # PostgreSQL inserts through unnest(arrays): a column order mistake would swap these.
        drafts = [NotificationDraft(recipient_id=clerk.pk, event_key="case:8:red", title="红牌预警", body="已超期",
                                    link="/cases/8/"),
                  NotificationDraft(recipient_id=other.pk, event_key="case:8:red", title="红牌预警2", body="",
                                    link=""),
                  # the same recipient and event twice in one call: stored once
                  NotificationDraft(recipient_id=clerk.pk, event_key="case:8:red", title="红牌预警", body="已超期",
                                    link="/cases/8/")]
        ids = notifications_create(drafts=drafts)
        rows = {n.recipient_id: n for n in Notification.objects.filter(pk__in=ids)}
        assert len(ids) == 2 and set(rows) == {clerk.pk, other.pk}
        mine = rows[clerk.pk]
        assert (mine.event_key, mine.title, mine.body, mine.link) == ("case:8:red", "红牌预警", "已超期", "/cases/8/")
        assert mine.created_at is not None and mine.updated_at is not None
        assert mine.read_at is None and mine.sent_at is None
        assert rows[other.pk].title == "红牌预警2"

    def test_send_task_delivered_twice_sends_once(self, clerk, recording):
        (notification,) = notify(clerk)

        # When the same message is delivered twice (acks_late redelivery, duplicate fan-out)
        first = notification_send_task.apply(args=[notification.pk]).get()
        second = notification_send_task.apply(args=[notification.pk]).get()

        # Then the channel was called once and the row is stamped as sent
        assert (first, second) == (True, False)
        assert recording == [{"recipient": clerk.pk, "title": "红牌超期：T0", "link": "/cases/0/"}]
        notification.refresh_from_db()
        assert notification.sent_at is not None

    def test_channel_failure_releases_the_claim_and_retries(self, clerk, settings, recording):
        (notification,) = notify(clerk)
        settings.NOTIFICATION_CHANNEL_BACKEND = "tests.governance.test_notifications.FailingChannel"

        with pytest.raises(ChannelError):
            notification_deliver(notification_id=notification.pk)
        notification.refresh_from_db()
        assert notification.sent_at is None  # free for the retry

        # the task retries (eagerly here, with back-off on a worker) until it gives up
        FailingChannel.attempts = 0
        result = notification_send_task.apply(args=[notification.pk])
        assert result.state == "FAILURE"
        assert FailingChannel.attempts == notification_send_task.max_retries + 1

        settings.NOTIFICATION_CHANNEL_BACKEND = "tests.governance.test_notifications.RecordingChannel"
        assert notification_send_task.apply(args=[notification.pk]).get() is True
        assert len(recording) == 1

    def test_send_task_declares_retries_below_the_visibility_timeout(self, settings):
        task = notification_send_task
        assert task.acks_late and task.reject_on_worker_lost
        assert task.autoretry_for == (ChannelError,) and task.retry_backoff is True
        assert task.retry_backoff_max <= 600 < settings.CELERY_VISIBILITY_TIMEOUT

    def test_fanout_enqueues_one_send_per_notification(self, clerk, monkeypatch):
        sent = []
        monkeypatch.setattr(notification_send_task, "apply_async", lambda args: sent.append(args))
        ids = [n.pk for n in notify(clerk, 3)]

        assert notification_fanout_task.apply(args=[ids]).get() == 3
        assert sorted(a[0] for a in sent) == sorted(ids)

    def test_send_on_commit_waits_for_the_commit(self, clerk, django_capture_on_commit_callbacks, monkeypatch):
        queued = []
        monkeypatch.setattr(notification_fanout_task, "delay", lambda ids: queued.append(ids))
        ids = [n.pk for n in notify(clerk, 2)]

        with django_capture_on_commit_callbacks(execute=True):
            notifications_send_on_commit(ids)
            assert queued == []
        assert queued == [ids]

    def test_default_channel_logs(self, clerk, caplog):
        assert isinstance(channel_get(), LogChannel)
        with caplog.at_level("INFO", logger="governance.channels"):
            LogChannel().send(recipient=clerk, title="案件升级", body="", link="/cases/1/")
        assert "案件升级" in caplog.text and clerk.username in caplog.text


class TestSelectors:
    def test_list_and_unread_count_are_per_recipient(self, clerk, other):
        notify(clerk, 3)
        notify(other, 1, key="case:9:red")
        assert notification_list(user=clerk).count() == 3
        assert notification_unread_count(user=clerk) == 3 and notification_unread_count(user=other) == 1


class TestPages:
    def login(self, client, user):
        client.force_login(user)

    def test_list_shows_own_notifications_with_links_to_cases(self, client, clerk, other):
        notify(clerk, 2)
        notify(other, 1, key="case:9:red")
        self.login(client, clerk)

        response = client.get(reverse("notifications"))

        assert response.status_code == 200
        assert response.content.decode().count('data-testid="notification"') == 2
        assert response.context["unread_count"] == 2

    def test_list_query_count_is_constant(self, client, clerk):
        self.login(client, clerk)
        notify(clerk, 2)
        with CaptureQueriesContext(connection) as two:
            client.get(reverse("notifications"))
        notify(clerk, 8, key="case:2:red")
        with CaptureQueriesContext(connection) as ten:
            response = client.get(reverse("notifications"))
        assert len(response.context["page_obj"]) == 10
        assert len(two.captured_queries) == len(ten.captured_queries)

    def test_mark_one_read_then_open_the_case(self, client, clerk):
        first, second = notify(clerk, 2)
        self.login(client, clerk)

        response = client.post(reverse("notification-read", args=[first.pk]))
        assert response.status_code == 302 and response.url == reverse("notifications")
        response = client.post(reverse("notification-read", args=[second.pk]), {"open": "1"})
        assert response.status_code == 302 and response.url == "/cases/1/"

        assert notification_unread_count(user=clerk) == 0

    def test_mark_all_read(self, client, clerk, other):
        notify(clerk, 3)
        notify(other, 1, key="case:9:red")
        self.login(client, clerk)

        response = client.post(reverse("notifications-read-all"))

        assert response.status_code == 302
        assert notification_unread_count(user=clerk) == 0 and notification_unread_count(user=other) == 1

    def test_another_users_notification_looks_missing(self, client, clerk, other):
        (theirs,) = notify(other, 1, key="case:9:red")
        self.login(client, clerk)

        response = client.post(reverse("notification-read", args=[theirs.pk]))

        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_get_cannot_mark_read_and_anonymous_users_are_sent_to_login(self, client, clerk):
        (mine,) = notify(clerk)
        self.login(client, clerk)
        assert client.get(reverse("notification-read", args=[mine.pk])).status_code == 405
        client.logout()
        response = client.get(reverse("notifications"))
        assert response.status_code == 302 and reverse("login") in response.url


class TestResendUnsent:
    """A fan-out message lost with the broker leaves rows unsent: beat re-enqueues them."""

    def test_only_rows_unsent_for_half_an_hour_to_a_day_are_enqueued_again(self, clerk, monkeypatch):
        now = timezone.now()
        rows = {name: n for name, n in zip(["lost", "late", "fresh", "stale", "sent"], notify(clerk, 5), strict=True)}
        ages = {"lost": dt.timedelta(hours=2), "late": dt.timedelta(minutes=31), "fresh": dt.timedelta(minutes=5),
                "stale": dt.timedelta(days=2), "sent": dt.timedelta(hours=2)}
        for name, age in ages.items():
            Notification.objects.filter(pk=rows[name].pk).update(created_at=now - age)
        Notification.objects.filter(pk=rows["sent"].pk).update(sent_at=now - dt.timedelta(hours=1))
        enqueued = []
        monkeypatch.setattr(notification_fanout_task, "delay", lambda ids: enqueued.append(ids))

        assert notification_resend_task.apply().get() == 2
        assert enqueued == [[rows["lost"].pk, rows["late"].pk]]  # oldest first

    def test_a_resent_row_whose_first_send_was_only_late_is_sent_once(self, clerk, recording):
        (notification,) = notify(clerk)
        Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
        notifications_resend_unsent()  # eager: fan-out and send run now
        notification_send_task.apply(args=[notification.pk])  # the original message, delivered late
        assert len(recording) == 1

    def test_beat_runs_the_resend_every_ten_minutes_on_the_notifications_queue(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["resend-unsent-notifications"]
        assert entry["task"] == notification_resend_task.name
        assert entry["schedule"] == 600 and entry["options"]["queue"] == "notifications"
