"""Kernel writes: audit records and notifications."""
from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from governance.models import AuditLog, Notification, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    region_id: int | None = None,
    ip_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        region_id=region_id,
        ip_address=ip_address,
        detail=detail or {},
    )


def notification_create(
    *, recipient_id: int, event_key: str, title: str, body: str = "", link: str = ""
) -> Notification | None:
    """Create one notification; a second call for the same (recipient, event) does nothing."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient_id=recipient_id, event_key=event_key, title=title, body=body, link=link
            )
    except IntegrityError:
        return None
