"""Real-browser harness: Playwright (sync API) driving Debian's headless Chromium against
pytest-django's live server.

- Every test here is marked `e2e` (added in pytest_collection_modifyitems below, and should
  also be written on the test for readers).
- Chromium comes from the OS package (`apt-get install chromium fonts-noto-cjk`), not from
  `playwright install`. Missing browser: fails under CI=1, skips with that hint locally.
- The page may talk only to the live server: any request to another host is aborted and
  fails the test (the platform runs on an intranet: no CDN, no web fonts, no analytics).
- Playwright's sync API runs an event loop in this thread, so Django's async-safety guard
  would refuse ORM calls from the test body; DJANGO_ALLOW_ASYNC_UNSAFE turns it off for
  this suite only (the ORM calls are synchronous and in the test's own thread).
- `page.wait_for_function` takes a function (`"() => …"`, or `"(arg) => …"` with `arg=`),
  never a bare expression: Playwright evaluates an expression again with `eval` on every
  poll after the first, which the pages' Content-Security-Policy refuses (the wait then fails
  whenever the condition is not already true); a function is evaluated once.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Serve on 127.0.0.1 so "local" means exactly one address in the request guard.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

LOCAL_HOSTS = frozenset({"127.0.0.1"})
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"


def pytest_collection_modifyitems(config, items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "Chromium not found: install it with `apt-get install chromium fonts-noto-cjk`"
    if os.environ.get("CI", "") not in ("", "0", "false"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestGuard:
    """Aborts and records every request that leaves the live server."""

    def __init__(self) -> None:
        self.foreign: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            route.continue_()
            return
        if urlsplit(url).hostname not in LOCAL_HOSTS:
            self.foreign.append(url)
            route.abort()
            return
        route.continue_()


def _context(browser, live_server, viewport):
    guard = RequestGuard()
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    context.route("**/*", guard.route)
    return context, guard


@pytest.fixture
def make_page(browser, live_server) -> Iterator:
    """Factory: make_page(viewport=PHONE) → a fresh page in its own context (own cookies).

    At teardown the test fails if any page of this test requested a non-local URL.
    """
    opened = []

    def make(viewport: dict | None = None):
        context, guard = _context(browser, live_server, viewport or DESKTOP)
        opened.append((context, guard))
        page = context.new_page()
        page.request_guard = guard  # for the harness's own test
        return page

    yield make
    foreign = [url for _, guard in opened for url in guard.foreign]
    for context, _ in opened:
        context.close()
    assert not foreign, f"page requested non-local URLs: {foreign}"


@pytest.fixture
def page(make_page):
    return make_page(DESKTOP)


@pytest.fixture
def phone_page(make_page):
    return make_page(PHONE)


def login(page, username: str, password: str) -> None:
    """Sign in through the real login page."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def assert_styles_loaded(page) -> None:
    """Tabler's CSS and the site layer really applied (not just linked)."""
    loaded = page.evaluate(
        "() => [...document.styleSheets].map(s => s.href || '').filter(h => h.includes('/static/'))"
    )
    assert any("tabler.min.css" in h for h in loaded), loaded
    assert any("css/app.css" in h for h in loaded), loaded
    # Tabler sets the page background through a custom property; unstyled it stays transparent.
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "Noto Sans CJK SC" in font, font


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
