"""The notification outbox: unsent rows, delivered per channel, drained until empty.

The outbox is the `Notification` rows themselves: a producer writes them in the transaction
of the change it reports, and a row whose `sent_at` is null is waiting to go out. Nothing
else has to reach the broker for a notification to be delivered eventually:

- after commit, `notifications_send_on_commit(ids)` queues `notification_deliver_task` with
  the new ids (the fast path: seconds after the change);
- every minute beat queues `notification_drain_task`, which delivers every unsent row,
  oldest first, with no age cut-off, in bounded batches until none is left (the slow path:
  a message lost with a broker outage, a killed worker or a Redis restart costs at most a
  minute, and a backlog cannot starve new rows for longer than it takes to drain).

Delivering one row (`notification_deliver`) happens in one transaction that holds the row
locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL: a second worker skips it instead of waiting;
SQLite serialises writers with BEGIN IMMEDIATE). Each channel without a sent
`NotificationDelivery` is called; its row is written when the channel accepted the message,
and the notification's `sent_at` is set only when every channel has accepted it — in the
same transaction, so "marked sent" means sent. A failing channel is recorded (attempts,
error) and the row waits for `retry_at` (back-off 30 s doubling to an hour, never given up).
A worker killed between a gateway's acceptance and the commit leaves the row unsent; the next
attempt presents the same `key` (`notification:<id>:<channel>`) so a gateway deduplicating
on it delivers once (governance/channels.py).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Sequence

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection, transaction
from django.db.models import Q

from governance import clock
from governance.bulk import in_bulk_load
from governance.channels import Channel, channels_all
from governance.models import Notification, NotificationDelivery

logger = logging.getLogger(__name__)

# Ids per delivery task message (a task sends them one after the other).
DELIVER_CHUNK = 100
# Rows per drain batch, and how long one drain task works before it queues its successor.
DRAIN_BATCH = 200
DRAIN_BUDGET_SECONDS = 60
RETRY_BASE = dt.timedelta(seconds=30)
RETRY_MAX = dt.timedelta(hours=1)

SENT, FAILED, SKIPPED = "sent", "failed", "skipped"

# Named, not imported: governance/tasks.py imports this module. Celery resolves the registered
# task, so eager mode, routing and the task's options apply as with a direct call.
DELIVER_TASK = "governance.tasks.notification_deliver_task"
DRAIN_TASK = "governance.tasks.notification_drain_task"


def delivery_key(notification_id: int, channel: Channel) -> str:
    return f"notification:{notification_id}:{channel.channel_name()}"


def retry_delay(attempts: int) -> dt.timedelta:
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


# --- Enqueue after commit -------------------------------------------------------------------------

def _enqueue(chunk: list[int]) -> None:
    try:
        current_app.tasks[DELIVER_TASK].delay(chunk)
    except Exception:
        # The change is committed and the rows are in the outbox: the drain delivers them.
        logger.warning("delivery of %s notifications not queued (broker unreachable?); the outbox drain "
                       "delivers them within a minute of the broker's return", len(chunk), exc_info=True)


def notifications_send_on_commit(ids: Sequence[int]) -> None:
    """After the surrounding transaction commits, queue the delivery of `ids`. A broker outage
    then is logged, never raised: the committed rows are delivered by the drain."""
    if in_bulk_load():  # the rows wait for the drain (governance/bulk.py)
        return
    ids = list(ids)
    for start in range(0, len(ids), DELIVER_CHUNK):
        chunk = ids[start:start + DELIVER_CHUNK]
        transaction.on_commit(lambda chunk=chunk: _enqueue(chunk), robust=True)


# --- Delivery -------------------------------------------------------------------------------------

def _locked_unsent(notification_id: int) -> Notification | None:
    rows = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).select_related("recipient")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return rows.first()


def _record(delivery: NotificationDelivery, *, now: dt.datetime, sent: bool, error: str = "") -> None:
    """Write the channel's outcome. The caller holds the notification's row lock, so nobody
    else writes this delivery row meanwhile (SQLite: writers are serialised)."""
    delivery.attempts += 1
    if sent:
        delivery.sent_at, delivery.last_error = now, ""
    else:
        delivery.last_error = error[:300]
    if delivery.pk is None:
        delivery.save()
    else:
        delivery.save(update_fields=["attempts", "sent_at", "last_error", "updated_at"])


def notification_deliver(*, notification_id: int) -> str:
    """Send one unsent notification through every channel that has not accepted it yet.

    Returns SENT (this call finished it), FAILED (a channel refused; retried after retry_at)
    or SKIPPED (already sent, or another worker holds it right now). Idempotent: a
    redelivered task finds the row sent, or finds the channels already recorded sent.
    """
    with transaction.atomic():
        notification = _locked_unsent(notification_id)
        if notification is None:
            return SKIPPED
        deliveries = {d.channel: d for d in NotificationDelivery.objects.filter(notification_id=notification_id)}
        failures = []
        for channel in channels_all():
            name = channel.channel_name()
            delivery = deliveries.get(name) or NotificationDelivery(notification_id=notification_id, channel=name)
            if delivery.sent_at is not None:
                continue  # accepted by this channel before: never sent through it twice
            try:
                channel.send(recipient=notification.recipient, title=notification.title, body=notification.body,
                             link=notification.link, key=delivery_key(notification_id, channel))
            except SoftTimeLimitExceeded:
                raise  # the task's time is up: roll back, the row stays in the outbox
            except Exception as exc:  # any failure of the channel is retried, never lost
                failures.append(name)
                _record(delivery, now=clock.now(), sent=False, error=f"{type(exc).__name__}: {exc}")
                continue
            _record(delivery, now=clock.now(), sent=True)
        now = clock.now()
        if failures:
            notification.attempts += 1
            notification.retry_at = now + retry_delay(notification.attempts)
            notification.save(update_fields=["attempts", "retry_at", "updated_at"])
            logger.warning("notification %s: channel(s) %s failed (attempt %s), retry at %s",
                           notification_id, ",".join(failures), notification.attempts, notification.retry_at)
            return FAILED
        notification.sent_at, notification.retry_at = now, None
        notification.save(update_fields=["sent_at", "retry_at", "updated_at"])
        return SENT


def notifications_deliver(ids: Sequence[int]) -> dict[str, int]:
    counts = {SENT: 0, FAILED: 0, SKIPPED: 0}
    for notification_id in ids:
        counts[notification_deliver(notification_id=int(notification_id))] += 1
    return counts


# --- The drain ------------------------------------------------------------------------------------

@dataclasses.dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    more: bool = False  # the budget ran out with rows left: the task queues its successor


def notifications_due(*, now: dt.datetime, after: tuple[dt.datetime, int] | None, limit: int) -> list[tuple]:
    """(created_at, id) of unsent rows due for delivery, oldest first, after the keyset cursor.
    No age cut-off: a row waits however old it is. # Uses index: notification_unsent_idx"""
    rows = Notification.objects.filter(sent_at__isnull=True).filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    if after is not None:
        rows = rows.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
    return list(rows.order_by("created_at", "id").values_list("created_at", "id")[:limit])


def notifications_drain(*, batch_size: int = DRAIN_BATCH, budget_seconds: float = DRAIN_BUDGET_SECONDS) -> DrainResult:
    """Deliver every due unsent row, oldest first, batch after batch until none is left or the
    time budget is spent. The keyset cursor moves past rows skipped (held by another worker)
    or failed (waiting for their retry), so neither stalls the drain."""
    result = DrainResult()
    started = time.monotonic()
    cursor = None
    while True:
        batch = notifications_due(now=clock.now(), after=cursor, limit=batch_size)
        if not batch:
            break
        for _created, notification_id in batch:
            outcome = notification_deliver(notification_id=notification_id)
            setattr(result, outcome, getattr(result, outcome) + 1)
        cursor = batch[-1]
        if time.monotonic() - started >= budget_seconds:
            result.more = bool(notifications_due(now=clock.now(), after=cursor, limit=1))
            break
    if result.sent or result.failed:
        logger.info("outbox drain: %s sent, %s failed, %s skipped%s", result.sent, result.failed, result.skipped,
                    " (more queued)" if result.more else "")
    return result


def outbox_backlog(*, now: dt.datetime | None = None) -> dict[str, object]:
    """For monitoring: how many rows wait, and the age of the oldest (docs/operations.md)."""
    now = now or clock.now()
    rows = Notification.objects.filter(sent_at__isnull=True)
    oldest = rows.order_by("created_at").values_list("created_at", flat=True).first()
    return {"unsent": rows.count(), "oldest_age_seconds": int((now - oldest).total_seconds()) if oldest else 0,
            "failing": rows.filter(attempts__gt=0).count()}
