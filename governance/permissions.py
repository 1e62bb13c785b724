"""Which roles may do what: one declared map per app, used by services, pages and API alike.

Apps register their action → roles maps here (`register_actions`) so the kernel can answer
`can(scope, "<app>.<action>")` without importing feature apps. Object-level predicates
(is this object inside the scope, is the user the assignee…) live next to the services that
need them and always start with `scope.covers(obj)`.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from governance.errors import Forbidden
from governance.models import Role

_ACTIONS: dict[str, frozenset[str]] = {
    # 三员分立: the audit log is the audit administrator's alone (read and export); accounts
    # are the security administrator's; the system administrator keeps reference data.
    "governance.view_audit": frozenset({Role.AUDIT_ADMIN}),
    "governance.export_audit": frozenset({Role.AUDIT_ADMIN}),
    "governance.manage_users": frozenset({Role.SECURITY_ADMIN}),
}


def register_actions(actions: dict[str, Iterable[str]]) -> None:
    for name, roles in actions.items():
        _ACTIONS[name] = frozenset(roles)


def roles_for(action: str) -> frozenset[str]:
    """Roles allowed to perform `action`; unknown actions allow no one (fail closed)."""
    return _ACTIONS.get(action, frozenset())


def can(scope, action: str) -> bool:
    return scope is not None and scope.role in roles_for(action)


def require(scope, action: str) -> None:
    if not can(scope, action):
        raise Forbidden(_("当前角色无权执行此操作"), extra={"action": action})


