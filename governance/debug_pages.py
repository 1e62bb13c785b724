"""The product's own error pages under `make run` too.

`make run` is development mode (DEBUG on), and with DEBUG on Django answers a missing page or
a crash with its technical page: English, the settings, the URL patterns, a traceback. A new
user trying the platform should meet the same Chinese 404/500 pages (and the API its JSON
body) as in production. This middleware swaps a technical error page for the project's
handlers' answer unless the developer asked for the technical pages (`DEBUG_ERROR_PAGES=1`).
With DEBUG off Django never renders a technical page, and the middleware does nothing.

It sits inside the CSP middleware (the product page's inline style gets its nonce) and after
authentication (the layout shows who is signed in). Django has already logged the exception.
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import get_resolver

# Both of Django's technical pages (404 and 500) carry this line; the product's pages do not.
TECHNICAL_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


def is_technical(response: HttpResponse) -> bool:
    return (response.status_code >= 400 and not response.streaming
            and response.get("Content-Type", "").startswith("text/html") and TECHNICAL_MARK in response.content)


class ProductErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not settings.DEBUG or settings.DEBUG_ERROR_PAGES or not is_technical(response):
            return response
        resolver = get_resolver()
        if response.status_code == 404:
            return resolver.resolve_error_handler(404)(request, None)
        return resolver.resolve_error_handler(500)(request)
