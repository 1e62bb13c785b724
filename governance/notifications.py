"""The in-app inbox and outbound delivery of notifications.

Reads (`notification_list`, `notification_unread_count`) are per recipient: a user sees only
their own rows, and another user's row looks missing (404). Writes: marking read, creating
rows in bulk (unique per recipient and event, so a repeated fan-out writes nothing twice) and
delivering one row through the outbound channel at most once (`notification_deliver`: a
conditional UPDATE claims the row before the channel is called).

Producers (the apps' services and periodic sweeps) create rows inside their transaction and
call `notifications_send_on_commit(ids)`, which enqueues the send tasks after commit.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from celery import current_app
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from governance import clock
from governance.channels import ChannelError, channel_get
from governance.errors import NotFound
from governance.models import Notification, User

logger = logging.getLogger(__name__)

# Ids per fan-out task message (keeps each message small).
FANOUT_CHUNK = 500


@dataclass(frozen=True)
class NotificationDraft:
    recipient_id: int
    event_key: str
    title: str
    body: str = ""
    link: str = ""


# --- Reads --------------------------------------------------------------------------------------

def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first. # Uses index: notification_unread_idx (recipient prefix)"""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    # Uses index: notification_unread_idx
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


# --- Writes -------------------------------------------------------------------------------------

@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (idempotent). Another user's row: NotFound."""
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise NotFound(_("未找到该通知")) from None
    notification = Notification.objects.filter(pk=pk, recipient_id=user.pk).first()
    if notification is None:
        raise NotFound(_("未找到该通知"))
    if notification.read_at is None:
        now = clock.now()
        Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=now, updated_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    now = clock.now()
    # Uses index: notification_unread_idx
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=now, updated_at=now)


def notifications_create(*, drafts: Sequence[NotificationDraft]) -> list[int]:
    """Insert the rows (one per recipient and event; existing ones are left alone) and return
    the ids of all rows for these drafts. Runs inside the caller's transaction."""
    if not drafts:
        return []
    if connection.vendor == "postgresql":
        _insert_unnest(drafts)
    else:
        Notification.objects.bulk_create(
            [
                Notification(recipient_id=d.recipient_id, event_key=d.event_key, title=d.title, body=d.body,
                             link=d.link)
                for d in drafts
            ],
            ignore_conflicts=True,
        )
    keys = {d.event_key for d in drafts}
    recipients = {d.recipient_id for d in drafts}
    wanted = {(d.recipient_id, d.event_key) for d in drafts}
    # Uses index: notification_once_per_event (recipient, event_key); without the recipients
    # this was a sequential scan of every notification ever written.
    return [
        pk for pk, recipient_id, key in Notification.objects.filter(
            recipient_id__in=recipients, event_key__in=keys, sent_at__isnull=True)
        .values_list("pk", "recipient_id", "event_key")
        if (recipient_id, key) in wanted
    ]


def _insert_unnest(drafts: Sequence[NotificationDraft]) -> None:
    """PostgreSQL: one INSERT … SELECT FROM unnest(arrays) for any number of rows. The sweep
    writes ~8 rows per overdue case (41,000 per batch of 5,000 cases); bulk_create spent 2.7 s
    of a batch's 10 s building model instances and SQL parameters, this sends five arrays."""
    meta = Notification._meta
    column = {f.name: connection.ops.quote_name(f.column) for f in meta.concrete_fields}
    now = clock.now()
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "  # nosec B608: quoted table and column names; values are parameters
        f"({column['created_at']}, {column['updated_at']}, {column['recipient']}, {column['event_key']}, "
        f"{column['title']}, {column['body']}, {column['link']}) "
        "SELECT %s, %s, d.recipient, d.event_key, d.title, d.body, d.link "
        "FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::text[], %s::varchar[]) "
        "AS d(recipient, event_key, title, body, link) "
        f"ON CONFLICT ({column['recipient']}, {column['event_key']}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [
            now, now, [d.recipient_id for d in drafts], [d.event_key for d in drafts], [d.title for d in drafts],
            [d.body for d in drafts], [d.link for d in drafts],
        ])


# The fan-out task (governance/tasks.py), named rather than imported: tasks.py calls this
# module, so importing it back would make a circle. Celery resolves the registered task, so
# eager mode, routing and the task's options apply as with a direct call.
FANOUT_TASK = "governance.tasks.notification_fanout_task"


def _fanout(chunk: list[int]) -> None:
    current_app.tasks[FANOUT_TASK].delay(chunk)


def _fanout_chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i:i + FANOUT_CHUNK]) for i in range(0, len(ids), FANOUT_CHUNK)]


def notifications_send_on_commit(ids: Sequence[int]) -> None:
    """After the surrounding transaction commits, hand the ids to the notifications queue.

    A broker outage at that moment must not undo (or fail) the committed work: the rows are in
    the inbox already, so the error is logged (robust callback) and the outbound copy is lost.
    """
    if not ids:
        return
    for chunk in _fanout_chunks(ids):
        transaction.on_commit(lambda chunk=chunk: _fanout(chunk), robust=True)


# A row still unsent this long after it was written lost its fan-out message (a broker outage
# at commit time, a Redis restart with the message queued); older than a day it is stale.
RESEND_AFTER = dt.timedelta(minutes=30)
RESEND_WITHIN = dt.timedelta(days=1)
RESEND_LIMIT = 5_000


def notifications_unsent(*, now: dt.datetime, limit: int = RESEND_LIMIT) -> list[int]:
    """Ids of rows written between a day and half an hour ago that were never sent, oldest
    first."""
    # Uses index: notification_unsent_idx (created_at, partial: sent_at IS NULL)
    return list(
        Notification.objects.filter(sent_at__isnull=True, created_at__lt=now - RESEND_AFTER,
                                    created_at__gte=now - RESEND_WITHIN)
        .order_by("created_at", "id").values_list("pk", flat=True)[:limit]
    )


def notifications_resend_unsent(*, now: dt.datetime | None = None) -> int:
    """Hand unsent rows to the notifications queue again (beat, every 10 minutes). A row
    whose first send is merely late is claimed by whichever task comes first; the other
    finds nothing to claim (notification_deliver), so nothing is sent twice."""
    ids = notifications_unsent(now=now or clock.now())
    for chunk in _fanout_chunks(ids):
        _fanout(chunk)
    if ids:
        logger.warning("re-enqueued %s unsent notifications (oldest id %s)", len(ids), ids[0])
    return len(ids)


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification through the outbound channel, at most once.

    The row is claimed first by a conditional UPDATE (sent_at set where it is null); a second
    delivery of the same task finds nothing to claim and sends nothing. When the channel
    fails, the claim is released and ChannelError propagates so the task retries with
    back-off. Returns True when this call sent it.
    """
    now = clock.now()
    if not Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(sent_at=now):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        channel_get().send(
            recipient=notification.recipient, title=notification.title, body=notification.body,
            link=notification.link,
        )
    except Exception as exc:
        Notification.objects.filter(pk=notification_id, sent_at=now).update(sent_at=None)
        if isinstance(exc, ChannelError):
            raise
        raise ChannelError(str(exc)) from exc
    return True
