"""Every user's own account pages: change password, enrol and verify the second factor.

- `/account/password/`: Django's password change with the platform's policy
  (governance/passwords.py); the session stays signed in, every API token is revoked
  (governance.accounts.password_changed_record) and the change is audited. An expired
  password brings the user here first (governance/security_middleware.py).
- `/account/otp/setup/`: the TOTP secret as a QR code rendered here as SVG (segno, no
  outside service) plus the secret as text, confirmed by the first code.
- `/account/otp/verify/`: the code after the password, once per session.
"""
from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from governance import accounts
from governance.errors import InvalidInput
from governance.forms import StyledForm
from governance.services import audit_record
from governance.signals import client_ip


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


class OtpTokenForm(StyledForm):
    token = forms.CharField(label=gettext_lazy("动态口令"), min_length=6, max_length=8,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("动态口令为 6 位数字"))
        return token


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@sensitive_post_parameters()
@never_cache
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit_record(actor=user, action="password_change", target_type="user", target_id=user.pk,
                     region_id=user.region_id, ip_address=client_ip(request))
        messages.success(request, _("密码已修改，其他设备上的 API 令牌已失效"))
        return redirect(_next_url(request))
    return render(request, "governance/account/password_change.html", {
        "form": form, "next": _next_url(request), "max_age_days": settings.PASSWORD_MAX_AGE_DAYS})


def _qr_svg(url: str) -> str:
    # segno writes a self-contained <svg> (no scripts, no style attribute): safe to inline.
    return segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=False)


@sensitive_post_parameters()
@never_cache
@login_required
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = accounts.otp_enrol_start(user=user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = accounts.otp_enrol_confirm(user=user, token=form.cleaned_data["token"],
                                                ip_address=client_ip(request))
        except InvalidInput as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            messages.success(request, _("动态口令已绑定，以后每次登录都需要输入手机验证器上的 6 位数字"))
            return redirect(_next_url(request))
    return render(request, "governance/account/otp_setup.html", {
        "form": form, "next": _next_url(request),
        # segno's own markup around the otpauth:// URL (issuer, username, secret): no user HTML.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # nosec B308 B703
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "already": accounts.otp_device(user) is not None,
    })


@sensitive_post_parameters()
@never_cache
@login_required
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if accounts.otp_device(user) is None:
        return redirect(f"{reverse('otp-setup')}?{urlencode({'next': _next_url(request)})}")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = accounts.otp_verify(user=user, token=form.cleaned_data["token"], ip_address=client_ip(request))
        except InvalidInput as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "governance/account/otp_verify.html", {"form": form, "next": _next_url(request)})
