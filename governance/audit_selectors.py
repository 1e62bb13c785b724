"""Reads of the audit log for the audit administrator's page and export.

Jurisdiction: rows whose region lies inside the reader's scope; rows that belong to no region
(failed sign-ins, lockouts: nobody proved who they are) only for a reader at the top of the
region tree. The role check (governance.view_audit) is the caller's: the view requires it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from governance.models import AuditLog, Region
from governance.scoping import Scope

EXPORT_MAX_ROWS = 50_000


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    username: str = ""
    ip_address: str = ""
    target: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_list(*, scope: Scope, filters: AuditFilters) -> QuerySet[AuditLog]:
    """The audit rows the scope may read, newest first, narrowed by the filters.
    # Uses index: audit_created_idx (audit_action_idx with an action)
    """
    rows = _readable(scope)
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.username:
        rows = rows.filter(Q(actor__username=filters.username) | Q(detail__username=filters.username))
    if filters.ip_address:
        rows = rows.filter(ip_address=filters.ip_address)
    if filters.target:
        target_type, _sep, target_id = filters.target.partition(":")
        rows = rows.filter(target_type=target_type, **({"target_id": target_id} if target_id else {}))
    if filters.date_from:
        rows = rows.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(created_at__date__lte=filters.date_to)
    return rows.select_related("actor", "region").order_by("-created_at", "-id")


def _readable(scope: Scope) -> QuerySet[AuditLog]:
    inside = Q(**{f"region__{scope.column}": scope.region_id})
    top = Region.objects.filter(pk=scope.region_id, parent__isnull=True).exists()
    return AuditLog.objects.filter(inside | Q(region__isnull=True)) if top else AuditLog.objects.filter(inside)
