"""The client's address, as every rate limit, lockout and audit row needs it.

Behind the documented nginx (deploy/nginx.conf.example) REMOTE_ADDR is the proxy's address,
so one attacker would lock everyone out and the audit would record the proxy. The proxy
appends the address it saw to X-Forwarded-For; that hop is believed only when the request
really comes from a proxy listed in settings.TRUSTED_PROXY (addresses or CIDR ranges).
Anything a client writes into X-Forwarded-For itself sits to the left of the proxy's hop
and is ignored. Parsing and choosing the hop is django-ipware's (python-ipware's engine,
`proxy_count` = settings.TRUSTED_PROXY_HOPS further proxies in front of the trusted one).
"""
from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from ipware import get_client_ip


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def from_trusted_proxy(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXY)))


def client_ip(request) -> str | None:
    """The real client's address (a string), or None when there is no request."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    if not from_trusted_proxy(peer):
        return peer
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=settings.TRUSTED_PROXY_HOPS,
        request_header_order=["HTTP_X_FORWARDED_FOR", "X_FORWARDED_FOR"],
        strict=False,
    )
    # A trusted proxy that sent no usable header: its own address is all we know.
    return ip or peer


# The address of the request this thread or task is serving, for audit rows written deep
# inside a service that has no request in hand (a case transition, a grid change).
_current: ContextVar[str | None] = ContextVar("governance_client_ip", default=None)


def current_client_ip() -> str | None:
    """The client address of the request being served, or None (a worker, a command)."""
    return _current.get()


class ClientAddressMiddleware:
    """Remembers the real client address for the length of the request (see current_client_ip)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
