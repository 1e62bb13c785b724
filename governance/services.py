"""Kernel writes: audit records (notifications live in governance/notifications.py)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from governance.client_ip import current_client_ip
from governance.models import AuditLog, User


def audit_record(
    *,
    actor: User | None = None,
    actor_id: int | None = None,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    region_id: int | None = None,
    ip_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one row to the audit log (never updated, never deleted: governance.models.AuditLog).
    Without `ip_address`, the address of the request being served (none in a worker)."""
    return AuditLog.objects.create(
        actor_id=actor.pk if actor is not None else actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        region_id=region_id,
        ip_address=ip_address if ip_address is not None else current_client_ip(),
        detail=detail or {},
    )


def audit_record_many(rows: Iterable[AuditLog]) -> None:
    """Append unsaved AuditLog rows in one INSERT (a batch of the deadline sweep's changes);
    rows without an address get the request's, as audit_record does."""
    rows = list(rows)
    address = current_client_ip()
    for row in rows:
        if row.ip_address is None:
            row.ip_address = address
    AuditLog.objects.bulk_create(rows)


def audit_refusal(*, request, message: str, code: str) -> AuditLog | None:
    """A page or API request refused for role or jurisdiction (403): audited with the path."""
    if request is None:
        return None
    from governance.client_ip import client_ip

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return audit_record(
        actor=user if signed_in else None,
        action="permission_denied",
        target_type="path",
        target_id=request.path[:50],
        region_id=user.region_id if signed_in else None,
        ip_address=client_ip(request),
        detail={"method": request.method, "path": request.path[:300], "code": code, "message": message[:200]},
    )
