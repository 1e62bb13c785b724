"""Kernel pages: the role landing page, the error pages and /favicon.ico."""
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt

from governance.navigation import nav_links, role_home_url
from governance.services import audit_refusal


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its main screen (map in governance/navigation.py).

    When that screen's app is not wired yet, show a plain landing page with the user's
    jurisdiction and the links that do exist.
    """
    url = role_home_url(request.user)
    if url is not None:
        return redirect(url)
    return render(request, "governance/home.html", {"links": nav_links(request.user)})


# --- error pages (handler403/404/500 in governance/urls.py) ------------------------------------
# They answer in the site language inside the layout; the refusal's own message is shown
# (a page that says why, e.g. "调度大屏仅供调度员和领导使用"). Requests under /api/ get the one
# error body {"message", "code", "extra"} instead of a page. 500 renders a static page with no
# context processors (no database, no session): whatever broke may be what they would need.

def _api_error(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "code": code, "extra": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _error_page(request: HttpRequest, *, status: int, message: str, code: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(message, code, status)
    context = {"status": status, "message": message}
    if getattr(request, "htmx", False):
        # An htmx swap shows the message in place rather than a whole page inside a card.
        return render(request, "errors/message.html", context, status=status)
    return render(request, f"{status}.html", context, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the refusal's message (the service's Chinese sentence), or a general one."""
    message = str(exception) if exception is not None and str(exception) else _("您无权访问此页面")
    audit_refusal(request=request, message=message, code="forbidden")
    return _error_page(request, status=403, message=message, code="forbidden")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the same words for a missing page and a record outside the jurisdiction (the
    exception's text is not shown: it could say which one it was)."""
    return _error_page(request, status=404, message=_("未找到该页面或记录"), code="not_found")


def server_error(request: HttpRequest) -> HttpResponse:
    """500: a static page rendered without a request context — or 503 when what failed is
    the database connection (Django calls this handler inside its `except` block, so the
    exception is `sys.exc_info()`'s)."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        return _api_error(_("服务器内部错误，请稍后重试"), "server_error", 500)
    # Only the CSP nonce comes from the request (a random string set by the CSP middleware).
    nonce = str(getattr(request, "csp_nonce", "") or "")
    return HttpResponseServerError(loader.get_template("500.html").render({"csp_nonce": nonce}))


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the database cannot be reached (refused, killed, failing over).

    Pages get a static Chinese page (the layout reads the user and notifications from the
    database); the API the one error body. Nothing was half-saved: the request's
    transaction never committed."""
    if request.path.startswith("/api/"):
        response: HttpResponse = _api_error(_("数据库暂时无法连接，请稍后重试"), "service_unavailable", 503)
    else:
        nonce = str(getattr(request, "csp_nonce", "") or "")  # the inline style needs the CSP nonce
        response = HttpResponse(loader.get_template("503.html").render({"csp_nonce": nonce}), status=503)
    response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # no state changes: a POST to a missing API path is a 404, not a CSRF 403
def api_not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any path under /api/ that no route matches (a non-integer id, a typo): the JSON 404,
    also with DEBUG on (where Django would show its HTML debug page)."""
    return _api_error(_("未找到该页面或记录"), "not_found", 404)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own: the static icon (hashed name in
    production, so the redirect is temporary)."""
    response = redirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF refusal (settings.CSRF_FAILURE_VIEW): the one JSON error body under /api/ (a session
    client without the token), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return _api_error(_("CSRF 校验失败，请刷新页面后重试"), "csrf_failed", 403)
    return django_csrf_failure(request, reason=reason)
