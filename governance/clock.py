"""The kernel clock: the one place product code reads "now" from.

`now()` is `django.utils.timezone.now()` unless a moment has been frozen with
`frozen_at(moment)`. That is how the demo seeder plays months of history through the real
services ("this step happened last month") without patching Django: the services, the
sweep, the notifications and the `created_at`/`updated_at` stamps of `BaseModel`
(governance/fields.py) all read time here.

The frozen moment lives in a `ContextVar`, so it belongs to the current thread or asyncio
task only: another request, a worker thread or a task started elsewhere still sees real
time, and the moment is reset in `finally` even when the block raises. Outside a frozen
block `now()` reads `timezone.now()` at each call, so anything that moves Django's clock
(a test double in tests/) still moves this one.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("governance_clock_frozen", default=None)


def now() -> dt.datetime:
    """The current moment (aware): the frozen one inside `frozen_at`, else the real time."""
    moment = _frozen.get()
    return timezone.now() if moment is None else moment


def localdate() -> dt.date:
    """Today in the current time zone, as of `now()`."""
    return timezone.localdate(now())


@contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, `now()` answers `moment` (for this thread or task only).

    Blocks nest: the inner moment holds inside the inner block, the outer one again after it.
    """
    if timezone.is_naive(moment):
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)
