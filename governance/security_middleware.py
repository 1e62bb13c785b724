"""Request-level security policy.

- `PermissionsPolicyMiddleware`: the Permissions-Policy header (settings.PERMISSIONS_POLICY).
- `IdleTimeoutMiddleware`: a session unused for SESSION_IDLE_TIMEOUT_MINUTES is signed out
  (really: the session is flushed, its API tokens revoked, the audit records it) and the user
  is told why on the login page. The last-seen stamp is written at sign-in and then at most
  once a minute, so a page costs no session write of its own. Time is `governance.clock.now()`.
- `AccountPolicyMiddleware`: a signed-in session that still owes its second factor may reach
  only the verify (or enrolment) page, sign-out and the language switch; a session whose
  password expired only the change-password page. Pages redirect there, the API answers 403
  with the one error body. What the session owes is decided at sign-in and kept in the
  session (governance/signals.py), so a page pays no query for it.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from governance import clock
from governance.client_ip import client_ip
from governance.passwords import password_expired
from governance.services import audit_record

LAST_SEEN = "governance_last_seen"
OTP_STATE = "governance_otp"  # "required" or "optional"; set at sign-in
TOUCH_EVERY_SECONDS = 60


class PermissionsPolicyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def session_touch(request: HttpRequest) -> None:
    request.session[LAST_SEEN] = clock.now().timestamp()


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class IdleTimeoutMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return self.get_response(request)
        now = clock.now().timestamp()
        last_seen = session.get(LAST_SEEN)
        timeout = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if timeout > 0 and last_seen is not None and now - last_seen > timeout:
            return self._expire(request)
        if last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
            session[LAST_SEEN] = now
        return self.get_response(request)

    def _expire(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        audit_record(actor=user, action="session_timeout", target_type="user", target_id=user.pk,
                     region_id=user.region_id, ip_address=client_ip(request))
        logout(request)
        message = _("您已超过 %(n)d 分钟未操作，已自动退出，请重新登录") % {"n": settings.SESSION_IDLE_TIMEOUT_MINUTES}
        if _is_api(request):
            return JsonResponse({"message": message, "code": "session_expired", "extra": {}}, status=401,
                                json_dumps_params={"ensure_ascii": False})
        messages.warning(request, message)
        login_url = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            return HttpResponse(status=204, headers={"HX-Redirect": login_url})
        return redirect(login_url)


class AccountPolicyMiddleware:
    """The second factor first, then an expired password."""

    ALWAYS_OPEN = ("logout", "set_language", "favicon")

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self._open_paths: dict[str, frozenset[str]] | None = None

    def _paths(self) -> dict[str, frozenset[str]]:
        if self._open_paths is None:
            common = {reverse(name) for name in self.ALWAYS_OPEN}
            self._open_paths = {
                "otp": frozenset(common | {reverse("otp-verify"), reverse("otp-setup")}),
                "password": frozenset(common | {reverse("password-change")}),
            }
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if session.get(OTP_STATE) == "required" and not user.is_verified():
            if request.path in self._paths()["otp"]:
                return self.get_response(request)
            from governance.accounts import otp_device

            target = "otp-verify" if otp_device(user) is not None else "otp-setup"
            return self._refuse(request, target, _("请先完成动态口令验证"), "otp_required")
        if password_expired(user) and request.path not in self._paths()["password"]:
            return self._refuse(request, "password-change", _("密码已过期，请先修改密码"), "password_expired")
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, url_name: str, message: str, code: str) -> HttpResponse:
        if _is_api(request):
            return JsonResponse({"message": message, "code": code, "extra": {}}, status=403,
                                json_dumps_params={"ensure_ascii": False})
        url = f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
