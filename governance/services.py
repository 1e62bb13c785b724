"""Kernel writes: audit records (notifications live in governance/notifications.py)."""
from __future__ import annotations

from typing import Any

from governance.models import AuditLog, User


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
