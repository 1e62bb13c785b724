"""A bulk load (the demo seed, an import): while it runs, services write their rows as usual but
queue no per-row background task — the periodic jobs cover those rows (the outbox drain
delivers the notifications within a minute; the warning sweep evaluates the cases), instead of
thousands of one-row tasks queueing in front of real work on a small worker."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_active: ContextVar[bool] = ContextVar("governance_bulk_load", default=False)


@contextmanager
def bulk_load() -> Iterator[None]:
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def in_bulk_load() -> bool:
    return _active.get()
