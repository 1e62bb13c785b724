"""What each audit action code means, in the reader's language.

The audit log stores short codes (`login_failed`, `party.reveal`); the audit administrator's
page, its filter and its export show these labels instead. The kernel names its own codes
here; every app registers the codes it writes from its AppConfig.ready()
(`audit_labels_register`). A test parses every `audit_record(...)` call in the code base and
fails when a code it writes has no label, so the filter offers every action there is without
asking the database for the distinct codes of millions of rows.
"""
from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Promise | str] = {
    "login": _("登录"),
    "logout": _("退出登录"),
    "login_failed": _("登录失败"),
    "login_refused": _("拒绝登录"),
    "lockout": _("账号锁定"),
    "session_timeout": _("空闲超时退出"),
    "password_change": _("修改密码"),
    "otp_enrolled": _("绑定动态口令"),
    "otp_verified": _("动态口令验证通过"),
    "otp_failed": _("动态口令验证失败"),
    "permission_denied": _("越权访问被拒绝"),
    "download": _("下载文件"),
    "audit_export": _("导出审计日志"),
    "data_repair": _("数据修复"),
    "admin_add": _("后台新增"),
    "admin_change": _("后台修改"),
    "admin_delete": _("后台删除"),
}


def audit_labels_register(labels: Mapping[str, Promise | str]) -> None:
    """Add an app's action codes and their labels (a code registered twice keeps the last label)."""
    _LABELS.update(labels)


def audit_label(code: str) -> str:
    """The label of `code`, or the code itself when no app registered it."""
    label = _LABELS.get(code)
    return str(label) if label is not None else code


def audit_action_choices() -> list[tuple[str, str]]:
    """(code, label) of every registered action, ordered by label, for the filter's list."""
    return sorted(((code, str(label)) for code, label in _LABELS.items()), key=lambda pair: pair[1])


def audit_codes() -> frozenset[str]:
    return frozenset(_LABELS)
