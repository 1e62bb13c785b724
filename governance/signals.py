"""Kernel signal receivers: sign-in, sign-out, failure, lockout and every change made in the
admin site go to the audit log; a sign-in starts the session's security state.

Connected in GovernanceConfig.ready(). A failed attempt records the typed username (never
the password) and the client address; the actor stays empty because nobody proved who they are.
"""
from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

# The real client's address behind the trusted proxy; apps import it from here.
from governance.client_ip import client_ip
from governance.roles import user_sync_role_group
from governance.services import audit_record

USERNAME_MAX = 150



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
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        # A page session (not an API token issue): start the idle clock and decide once
        # whether it owes a second factor (governance/security_middleware.py).
        from governance.accounts import otp_required
        from governance.security_middleware import OTP_STATE, session_touch

        session_touch(request)
        session[OTP_STATE] = "required" if otp_required(user) else "optional"


@receiver(user_logged_out, dispatch_uid="governance_audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:  # logging out an anonymous session records nothing
        _audit_session("logout", request, user)
        from governance.accounts import tokens_revoke

        tokens_revoke(user=user)


@receiver(user_locked_out, dispatch_uid="governance_audit_lockout")
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    audit_record(
        actor=None,
        action="lockout",
        target_type="user",
        detail={"username": str(username or "")[:USERNAME_MAX]},
        ip_address=ip_address or client_ip(request),
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="governance_audit_admin_change")
def audit_admin_change(sender, instance, created, raw=False, **kwargs) -> None:
    """Every add, change and delete made in the admin site (Django writes a LogEntry for each)."""
    if not created or raw:
        return
    flag = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "change")
    content_type = instance.content_type
    audit_record(
        actor_id=instance.user_id,
        action=f"admin_{flag}",
        target_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        target_id=str(instance.object_id or "")[:50],
        detail={"object": instance.object_repr[:200], "change": instance.get_change_message()[:500]},
    )


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
