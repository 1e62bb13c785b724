"""Password policy (等保 level 3): AUTH_PASSWORD_VALIDATORS in settings name these.

- `ComplexityValidator`: at least `min_length` characters (8) from at least three of four
  classes: upper-case letters, lower-case letters, digits, other characters.
- `UsernameNotContainedValidator`: the username (case-insensitive) is not inside the password.
- `HistoryValidator`: none of the user's last `count` (5) passwords; its `password_changed`
  hook (called by Django whenever a password is saved) records the new hash and hands the
  rest of a change to `governance.accounts.password_changed_record` (tokens revoked, audit).
- `password_expired(user)`: the password is older than PASSWORD_MAX_AGE_DAYS; the account
  policy middleware then keeps the user on the change page (governance/security_middleware.py).
"""
from __future__ import annotations

import datetime as dt
import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from governance import clock

CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("other", lambda c: not c.isalnum() or c in string.punctuation),
)
CLASSES_REQUIRED = 3


def character_classes(password: str) -> int:
    return sum(1 for _name, test in CLASSES if any(test(c) for c in password))


class ComplexityValidator:
    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(_("密码至少 %(n)d 位") % {"n": self.min_length}, code="password_too_short"))
        if character_classes(password) < CLASSES_REQUIRED:
            errors.append(ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类"), code="password_too_simple"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("至少 %(n)d 位，包含大写字母、小写字母、数字、特殊字符中的至少三类") % {"n": self.min_length}


class UsernameNotContainedValidator:
    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if username and username in password.casefold():
            raise ValidationError(_("密码不能包含用户名"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("不能包含用户名")


class HistoryValidator:
    def __init__(self, count: int = 5) -> None:
        self.count = count

    def _recent(self, user) -> list[str]:
        from governance.models import PasswordHistory

        return list(PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
                    .values_list("password", flat=True)[: self.count])

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None or self.count <= 0:
            return
        # The current hash is the newest history row, except for accounts seeded with a hash.
        hashes = self._recent(user)
        if user.password and user.password not in hashes:
            hashes = [user.password, *hashes][: self.count]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(_("新密码不能与最近 %(n)d 次使用过的密码相同") % {"n": self.count},
                                  code="password_reused")

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from governance.accounts import password_changed_record

        password_changed_record(user=user, keep=max(self.count, 1))

    def get_help_text(self) -> str:
        return _("不能与最近 %(n)d 次使用过的密码相同") % {"n": self.count}


def password_expired(user) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not user.has_usable_password():
        return False
    changed = user.password_changed_at or user.date_joined
    return changed is not None and clock.now() - changed > dt.timedelta(days=days)
