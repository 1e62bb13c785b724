"""Notification delivery tasks (queue "notifications"). Thin: they take ids and call
governance.outbox.

Both are idempotent (a sent row is skipped, a row another worker holds is skipped), so they
run with acks_late and reject_on_worker_lost: a lost worker means the message is delivered
again. Retries live in the database (Notification.retry_at), not in countdown messages, so
no message waits in the broker longer than a task runs (the visibility timeout in settings
only has to outlast the longest task).
"""
from __future__ import annotations

from celery import shared_task

from governance.outbox import notifications_deliver, notifications_drain

# Every task's hard limit here is at most settings.CELERY_LONGEST_TASK_SECONDS (checked by
# tests/governance/test_outbox.py), which the broker's visibility timeout is derived from.


@shared_task(
    name="governance.tasks.notification_deliver_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=100,
    time_limit=120,
    ignore_result=True,
)
def notification_deliver_task(notification_ids: list[int]) -> dict[str, int]:
    """The fast path: the rows a transaction just committed (at most outbox.DELIVER_CHUNK)."""
    return notifications_deliver(notification_ids)


@shared_task(
    bind=True,
    name="governance.tasks.notification_drain_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=100,
    time_limit=120,
    ignore_result=True,
)
def notification_drain_task(self) -> dict[str, int]:
    """Beat, every minute: every unsent row, oldest first, until none is left; a drain that
    used its time budget queues its successor."""
    result = notifications_drain()
    if result.more:
        self.apply_async()
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped, "more": int(result.more)}


# The names of the tasks before the outbox (messages queued by the previous release are still
# understood after an upgrade; nothing sends them any more).
@shared_task(name="governance.tasks.notification_send_task", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=100, time_limit=120, ignore_result=True)
def notification_send_task(notification_id: int) -> dict[str, int]:
    return notifications_deliver([notification_id])


@shared_task(name="governance.tasks.notification_fanout_task", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=100, time_limit=120, ignore_result=True)
def notification_fanout_task(notification_ids: list[int]) -> dict[str, int]:
    return notifications_deliver(notification_ids)


@shared_task(name="governance.tasks.notification_resend_task", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=100, time_limit=120, ignore_result=True)
def notification_resend_task() -> dict[str, int]:
    return notification_drain_task()
