"""Account security services: password history, API tokens, the second factor, the
last-login notice. Every write here is audited (governance.services.audit_record).

Views (governance/account_views.py), the token API (governance/api.py), the password hook
(governance/passwords.py) and the signal receivers (governance/signals.py) call these.
"""
from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from governance import clock
from governance.errors import InvalidInput
from governance.models import ADMIN_ROLES, AuditLog, PasswordHistory, User
from governance.personal_data import phone_at_rest
from governance.services import audit_record

# --- passwords ---------------------------------------------------------------------------------


def password_changed_record(*, user: User, keep: int) -> None:
    """A new password was saved: remember its hash (the newest `keep` only), revoke the
    user's API tokens (a stolen token must not outlive the password)."""
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id").values_list("id", flat=True)[keep:]
    PasswordHistory.objects.filter(id__in=list(stale)).delete()
    tokens_revoke(user=user)


# --- API tokens (django-rest-knox) -------------------------------------------------------------


def staff_phone_set(user: User, raw: str) -> None:
    """Put a staff member's phone, as typed, on the (unsaved) account: validated (InvalidInput
    otherwise), encrypted, hashed and masked like every phone kept; empty clears it."""
    user.phone_enc, user.phone_hash, user.phone_masked = phone_at_rest(raw)


def token_issue(*, user: User) -> str:
    """A new token for this sign-in (only its hash is stored). Expired tokens go; beyond
    API_TOKENS_PER_USER the oldest go too."""
    now = clock.now()
    AuthToken.objects.filter(user=user, expiry__lt=now).delete()
    keep = max(settings.API_TOKENS_PER_USER - 1, 0)
    older = AuthToken.objects.filter(user=user).order_by("-created").values_list("digest", flat=True)[keep:]
    AuthToken.objects.filter(digest__in=list(older)).delete()
    _instance, token = AuthToken.objects.create(user=user)
    return token


def tokens_revoke(*, user: User, token: AuthToken | None = None) -> int:
    """Revoke one token (the API sign-out) or all of the user's (page sign-out, new password)."""
    tokens = AuthToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(digest=token.digest)
    deleted, _rows = tokens.delete()
    return deleted


# --- second factor (django-otp TOTP) -----------------------------------------------------------


def otp_required(user: User) -> bool:
    """Must this user present a second factor? Administrators always, the roles listed in
    OTP_REQUIRED_ROLES, and anyone who enrolled a device of their own accord."""
    if not settings.OTP_ENFORCED:
        return otp_device(user) is not None
    if user.role in ADMIN_ROLES or user.role in settings.OTP_REQUIRED_ROLES:
        return True
    return otp_device(user) is not None


def otp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def otp_enrol_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows (one per user, reused
    until confirmed, so reloading the page does not change the QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("手机验证器"), confirmed=False)
    return device


@transaction.atomic
def otp_enrol_confirm(*, user: User, token: str, ip_address: str | None) -> TOTPDevice:
    """The user typed the first code from their authenticator: the device becomes their one
    confirmed device (a previous one, e.g. a lost phone, is removed)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        raise InvalidInput(_("请重新打开绑定页面"), code="otp_no_device")
    if not device.verify_token(token):
        raise InvalidInput(_("动态口令不正确，请核对手机时间后重试"), code="otp_invalid")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="otp_enrolled", target_type="user", target_id=user.pk,
                 region_id=user.region_id, ip_address=ip_address)
    return device


def otp_verify(*, user: User, token: str, ip_address: str | None) -> TOTPDevice:
    """Check a sign-in code against the user's confirmed device (django-otp throttles
    repeated failures on the device itself); a failure is audited."""
    device = otp_device(user)
    if device is None:
        raise InvalidInput(_("尚未绑定动态口令"), code="otp_no_device")
    allowed, _details = device.verify_is_allowed()
    if allowed and device.verify_token(token):
        audit_record(actor=user, action="otp_verified", target_type="user", target_id=user.pk,
                     region_id=user.region_id, ip_address=ip_address)
        return device
    audit_record(actor=user, action="otp_failed", target_type="user", target_id=user.pk,
                 region_id=user.region_id, ip_address=ip_address)
    if not allowed:
        raise InvalidInput(_("动态口令错误次数过多，请稍后再试"), code="otp_throttled")
    raise InvalidInput(_("动态口令不正确"), code="otp_invalid")


# --- last-login notice -------------------------------------------------------------------------


def last_login_notice(*, user: User) -> str:
    """“上次登录：<time>，地址 <ip>” and the failed attempts on this username since then,
    from the audit log; read before this sign-in is recorded."""
    previous = AuditLog.objects.filter(actor=user, action="login").order_by("-created_at", "-id").first()
    if previous is None:
        return _("这是您首次登录本平台")
    failed = AuditLog.objects.filter(action="login_failed", detail__username=user.username,
                                     created_at__gt=previous.created_at).count()
    when = formats.date_format(timezone.localtime(previous.created_at), "Y-m-d H:i")
    message = _("上次登录：%(when)s，地址 %(ip)s") % {"when": when, "ip": previous.ip_address or "-"}
    if failed:
        message += _("；此后有 %(n)d 次失败的登录尝试，如非本人操作请立即修改密码") % {"n": failed}
    return message
