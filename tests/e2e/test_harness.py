"""The browser harness's own rules (tests/e2e/conftest.py, docs/testing.md)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

WAIT_FOR_FUNCTION = re.compile(r"wait_for_function\(\s*f?([\"'])(.*?)\1", re.DOTALL)


def test_the_live_server_shares_no_database_connection_with_the_test(live_server):
    """On SQLite's in-memory database the live server hands the test thread's one connection to
    every request thread, and a page answering parallel polls deadlocks: the SQLite test
    database is a file (tests/conftest.py), so nothing is shared."""
    assert live_server.thread.connections_override == {}


def test_browser_waits_are_functions_not_expressions():
    """A bare expression is re-evaluated with eval on every poll, which the pages' CSP refuses:
    such a wait fails whenever its condition is not already true at the first check."""
    sources = {path.name: path.read_text(encoding="utf-8") for path in Path(__file__).parent.glob("*.py")}
    expressions = [f"{name}: {m.group(2)}" for name, text in sources.items()
                   for m in WAIT_FOR_FUNCTION.finditer(text) if "=>" not in m.group(2)]
    assert expressions == []
