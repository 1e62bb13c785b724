"""Kernel middleware: no personal data left in a cache.

`PrivateNoStoreMiddleware`: every response to a signed-in caller (a session cookie or an
`Authorization` header on the request, or a session cookie set by the response — the
sign-in itself) carries `Cache-Control: no-store` (and `Pragma: no-cache` for HTTP/1.0
proxies). Pages and API answers to staff carry party names, masked or revealed numbers and
case facts; no browser history, shared proxy or back button may keep a copy. The rule reads
headers only — never the database — so it holds during an outage too.
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def carries_identity(request: HttpRequest, response: HttpResponse) -> bool:
    return (settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META
            or settings.SESSION_COOKIE_NAME in response.cookies)


class PrivateNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if carries_identity(request, response):
            # A view's own no-store (e.g. "private, no-store") stands; anything else is replaced.
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
