"""Notification delivery tasks (queue "notifications"). Thin: they take ids and call
governance.notifications. Both are idempotent, so they run with acks_late and
reject_on_worker_lost: a lost worker means the message is delivered again, and the
conditional claim in notification_deliver keeps a second delivery from sending twice.
"""
from __future__ import annotations

from celery import shared_task

from governance.channels import ChannelError
from governance.notifications import notification_deliver, notifications_resend_unsent


@shared_task(
    name="governance.tasks.notification_send_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ChannelError,),
    # Back-off 1 s, 2 s, 4 s … capped at 10 minutes: always below the Redis visibility
    # timeout (settings.CELERY_VISIBILITY_TIMEOUT, 1 hour), so a waiting retry is never
    # redelivered to a second worker.
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
    soft_time_limit=30,
    time_limit=60,
    ignore_result=True,
)
def notification_send_task(notification_id: int) -> bool:
    return notification_deliver(notification_id=notification_id)


@shared_task(
    name="governance.tasks.notification_fanout_task",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=100,
    time_limit=120,
    ignore_result=True,
)
def notification_fanout_task(notification_ids: list[int]) -> int:
    """One send task per notification, so each retries on its own."""
    for notification_id in notification_ids:
        notification_send_task.apply_async(args=[notification_id])
    return len(notification_ids)


@shared_task(
    name="governance.tasks.notification_resend_task",
    soft_time_limit=100,
    time_limit=120,
    ignore_result=True,
)
def notification_resend_task() -> int:
    """Beat: re-enqueue notifications whose fan-out message was lost (see
    governance.notifications.notifications_resend_unsent)."""
    return notifications_resend_unsent()
