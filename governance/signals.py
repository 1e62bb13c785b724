"""Kernel signal receivers: sign-in success and failure go to the audit log.

Connected in GovernanceConfig.ready(). A failed attempt records the typed username (never
the password) and the client address; the actor stays empty because nobody proved who they are.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from governance.roles import user_sync_role_group
from governance.services import audit_record

USERNAME_MAX = 150


def client_ip(request) -> str | None:
    """REMOTE_ADDR as set by the server (the proxy in front sets it; see docs/deployment)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _audit_session(action: str, request, user) -> None:
    audit_record(
        actor=user,
        action=action,
        target_type="user",
        target_id=user.pk,
        region_id=user.region_id,
        ip_address=client_ip(request),
    )


@receiver(user_logged_in, dispatch_uid="governance_audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    _audit_session("login", request, user)


@receiver(user_logged_out, dispatch_uid="governance_audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:  # logging out an anonymous session records nothing
        _audit_session("logout", request, user)


@receiver(user_login_failed, dispatch_uid="governance_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:USERNAME_MAX]
    audit_record(
        actor=None,
        action="login_failed",
        target_type="user",
        detail={"username": username},
        ip_address=client_ip(request),
    )


def audit_login_refused(*, user, request, reason: str) -> None:
    """The password was right but the account may not sign in (e.g. no jurisdiction)."""
    audit_record(
        actor=user,
        action="login_refused",
        target_type="user",
        target_id=user.pk,
        detail={"reason": reason},
        ip_address=client_ip(request),
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="governance_sync_role_group")
def sync_role_group(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        user_sync_role_group(instance)
