"""Deployment checks for the security settings (`manage.py check --deploy`; CI fails on a
warning). They fire only with DEBUG off, i.e. in production."""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def security_settings_check(app_configs=None, **kwargs) -> list[Warning]:
    if settings.DEBUG:
        return []
    warnings = []
    if not settings.OTP_ENFORCED:
        warnings.append(Warning("OTP_ENFORCED is off: administrators sign in without a second factor.",
                                hint="Unset OTP_ENFORCED (it defaults to on).", id="governance.W001"))
    if not settings.TRUSTED_PROXY:
        warnings.append(Warning(
            "TRUSTED_PROXY is empty: behind the reverse proxy every client has the proxy's address, so "
            "one client's failures lock everyone out and the audit log records the proxy.",
            hint="Set TRUSTED_PROXY to the reverse proxy's address (docs/deployment.md).", id="governance.W002"))
    if settings.SESSION_IDLE_TIMEOUT_MINUTES <= 0 or settings.SESSION_IDLE_TIMEOUT_MINUTES > 30:
        warnings.append(Warning("SESSION_IDLE_TIMEOUT_MINUTES should be between 1 and 30 (等保 level 3).",
                                id="governance.W003"))
    return warnings
