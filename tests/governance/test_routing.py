"""governance.routing: the kernel mounts the URL modules the apps declare on their AppConfig."""
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from governance import routing


def configs(monkeypatch, *declared):
    monkeypatch.setattr(routing.apps, "get_app_configs", lambda: [SimpleNamespace(**d) for d in declared])


def test_page_prefixes_are_mounted_most_specific_first(monkeypatch):
    configs(monkeypatch,
            {"name": "kernel"},  # declares nothing: mounts nothing
            {"name": "b", "url_prefix": "grids/", "urls_module": "governance.web_urls"},
            {"name": "a", "url_prefix": "cases/", "urls_module": "governance.web_urls"},
            {"name": "c", "url_prefix": "cases/stats/", "urls_module": "governance.web_urls"})

    assert [str(p.pattern) for p in routing.app_urlpatterns()] == ["cases/stats/", "cases/", "grids/"]


def test_two_apps_may_not_share_a_prefix(monkeypatch):
    configs(monkeypatch,
            {"name": "a", "url_prefix": "cases/", "urls_module": "governance.web_urls"},
            {"name": "b", "url_prefix": "cases/", "urls_module": "governance.web_urls"})

    with pytest.raises(ImproperlyConfigured, match="both mount"):
        routing.app_urlpatterns()


@pytest.mark.parametrize("prefix", ["", "cases"])
def test_an_app_mounts_under_a_prefix_of_its_own(monkeypatch, prefix):
    configs(monkeypatch, {"name": "a", "url_prefix": prefix, "urls_module": "governance.web_urls"})

    with pytest.raises(ImproperlyConfigured, match="url_prefix"):
        routing.app_urlpatterns()


def test_an_app_mounts_further_page_modules_at_prefixes_of_their_own(monkeypatch):
    # Given an app with its staff pages at cases/ and a public module at public/
    configs(monkeypatch,
            {"name": "a", "url_prefix": "cases/", "urls_module": "governance.web_urls",
             "url_mounts": (("public/", "governance.api_urls"),)},
            {"name": "b", "url_prefix": "grids/", "urls_module": "governance.web_urls"})

    mounted = routing.app_urlpatterns()

    # Then both are mounted, most specific first, each with its module
    assert [(str(p.pattern), p.urlconf_name.__name__) for p in mounted] == [
        ("public/", "governance.api_urls"), ("cases/", "governance.web_urls"), ("grids/", "governance.web_urls")]


@pytest.mark.parametrize("mount", [("grids/", "governance.web_urls"), ("public", "governance.web_urls")])
def test_further_mounts_obey_the_prefix_rules(monkeypatch, mount):
    configs(monkeypatch,
            {"name": "a", "url_prefix": "cases/", "urls_module": "governance.web_urls", "url_mounts": (mount,)},
            {"name": "b", "url_prefix": "grids/", "urls_module": "governance.web_urls"})

    with pytest.raises(ImproperlyConfigured, match="both mount|url_prefix"):
        routing.app_urlpatterns()


def test_api_modules_are_mounted_in_installed_apps_order(monkeypatch):
    configs(monkeypatch,
            {"name": "a", "api_urls_module": "governance.web_urls"},
            {"name": "b"},
            {"name": "c", "api_urls_module": "governance.api_urls"})

    mounted = routing.app_api_urlpatterns()

    assert [p.urlconf_name.__name__ for p in mounted] == ["governance.web_urls", "governance.api_urls"]
    assert all(str(p.pattern) == "" for p in mounted)
