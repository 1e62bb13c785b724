"""Notifications: the inbox pages, marking read, and rows unique per recipient and event.
Delivery through the outbound channels (the outbox): tests/governance/test_outbox.py."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.channels import LogChannel, channel_get
from governance.models import Notification, Role
from governance.notifications import (
    NotificationDraft,
    notification_list,
    notification_unread_count,
    notifications_create,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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

    def test_default_channel_logs(self, clerk, caplog):
        assert isinstance(channel_get(), LogChannel)
        with caplog.at_level("INFO", logger="governance.channels"):
            LogChannel().send(recipient=clerk, title="案件升级", body="", link="/cases/1/", key="notification:1:log")
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

    def test_the_layout_shows_the_unread_count_and_an_htmx_partial_does_not_count_it(self, client, clerk):
        notify(clerk, 3)
        self.login(client, clerk)
        html = client.get(reverse("notifications")).content.decode()
        bell = html[html.index('data-testid="unread-count"'):]
        assert '<span class="badge bg-red text-red-fg">3</span>' in bell[:1200]
        with CaptureQueriesContext(connection) as partial:
            response = client.get(reverse("disputes:list"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert not [q for q in partial.captured_queries if "governance_notification" in q["sql"]]

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
