"""The deadline machinery of `disputes` that the benchmarks drive, imported here only.

`PolicyBook` stamps the sweep thresholds (`yellow_at`, `escalate_at`) on generated cases as
the services and the sweep would (scale/cases.py); `deadline_sweep_all` is the measured
overdue sweep (bench/sweep.py). One module, so a move of these functions inside `disputes`
changes one import here.
"""
from __future__ import annotations

from disputes.deadlines import PolicyBook
from disputes.sweep import deadline_sweep_all

__all__ = ["PolicyBook", "deadline_sweep_all"]
