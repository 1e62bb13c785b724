"""URL modules the installed apps mount, read from their AppConfig (the kernel names none).

An app declares on its AppConfig:

- `url_prefix` and `urls_module`: its pages, included at `url_prefix` (e.g. "cases/") with
  the module's own `app_name` as namespace;
- `url_mounts` (optional): further page modules at prefixes of their own, as
  `(prefix, module)` pairs — pages that must live outside `url_prefix` (a public page for
  residents at "public/" beside the staff pages at "cases/"); each module's `app_name` is
  its namespace, and its prefix takes part in the same checks as `url_prefix`;
- `api_urls_module`: its API routes, included under /api/v1/ after the kernel's own.

`governance/urls.py` and `governance/api_urls.py` include `app_urlpatterns()` and
`app_api_urlpatterns()`. Page prefixes are mounted most specific first (longer prefix first,
then alphabetically), so the order does not depend on INSTALLED_APPS and an app mounted
inside another's prefix is reached; two apps may not share a prefix, and the empty prefix is
the kernel's. API modules are mounted in INSTALLED_APPS order (their paths name each app's
own resources and do not overlap).
"""
from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLResolver, include, path


def _declaring(attribute: str) -> list:
    return [config for config in apps.get_app_configs() if getattr(config, attribute, None)]


def _page_mounts(config) -> list[tuple[str, str]]:
    """(prefix, module) of every page module `config` declares."""
    mounts = [(getattr(config, "url_prefix", ""), config.urls_module)] if getattr(config, "urls_module", None) else []
    return mounts + [tuple(mount) for mount in getattr(config, "url_mounts", ()) or ()]


def app_urlpatterns() -> list[URLResolver]:
    """Every app's pages at its `url_prefix` (and its further `url_mounts`)."""
    mounts: dict[str, str] = {}
    owners: dict[str, str] = {}
    for config in apps.get_app_configs():
        for prefix, module in _page_mounts(config):
            if not prefix or not prefix.endswith("/"):
                raise ImproperlyConfigured(
                    f"{config.name}: url_prefix must be a path ending in '/', got {prefix!r}")
            if prefix in mounts:
                raise ImproperlyConfigured(f"{config.name} and {owners[prefix]} both mount their pages at {prefix!r}")
            mounts[prefix] = module
            owners[prefix] = config.name
    return [
        path(prefix, include(module))
        for prefix, module in sorted(mounts.items(), key=lambda mount: (-len(mount[0]), mount[0]))
    ]


def app_api_urlpatterns() -> list[URLResolver]:
    """Every app's API routes, for the /api/v1/ URLconf."""
    return [path("", include(config.api_urls_module)) for config in _declaring("api_urls_module")]
