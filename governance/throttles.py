"""API rate limits (DRF throttles) keyed on the real client address and the signed-in user.

Rates are read from settings.API_THROTTLE_RATES on every request (not frozen at import as
DRF's own classes do), so an environment change or a test's override applies at once.
Counts live in the default cache: Redis in production, shared by every process.
"""
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from governance.client_ip import client_ip


class _SettingsRates:
    scope: str

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class UserApiThrottle(_SettingsRates, UserRateThrottle):
    """Every API request of a signed-in user (per user); anonymous ones per address."""

    scope = "user"


class AnonApiThrottle(_SettingsRates, AnonRateThrottle):
    """Requests without a user (per client address)."""

    scope = "anon"


class TokenObtainThrottle(_SettingsRates, SimpleRateThrottle):
    """POST /api/v1/auth/token/: per client address, before any password is checked."""

    scope = "token"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
