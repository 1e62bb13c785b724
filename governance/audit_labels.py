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

from django.apps import apps
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


# Object types that are not a model ("app_label.model" types are named by the model itself).
_TARGETS: dict[str, Promise | str] = {
    "user": _("用户"),
    "path": _("页面"),
    "file": _("文件"),
    "auditlog": _("审计日志"),
    "case": _("案件"),
}


def audit_target_label(target_type: str) -> str:
    """The object type of an audit row as a name: a model's verbose name for "app.model", a
    kernel word for the others, else the type itself."""
    label = _TARGETS.get(target_type)
    if label is not None:
        return str(label)
    if target_type.count(".") == 1:
        try:
            return str(apps.get_model(target_type)._meta.verbose_name)
        except (LookupError, ValueError):
            pass
    return target_type


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
