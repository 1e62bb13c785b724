"""The measuring harness: warm-up, timed runs, p50/p95, the query count of one run, the floor
beside it; skips that say why; blocks whose writes always roll back; the run's metadata."""
from __future__ import annotations

import math
import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from benchmarks.bench.report import BenchReport, Figure
from disputes.models import Case


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _timed(fn: Callable[[int], object], runs: int) -> list[float]:
    out = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _git_sha() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=settings.BASE_DIR).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cursor.fetchone()[0]
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "db_version": db_version.split(" on ")[0], "load_avg_1m": round(os.getloadavg()[0], 2)}


def rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Bench:
    def __init__(self, *, repeat: int, warmup: int, log: Callable[[str], None]) -> None:
        self.repeat, self.warmup, self.log = repeat, warmup, log
        self.report = BenchReport(meta={
            "cases": Case.objects.count(), "db": connection.vendor, "git": _git_sha(), "machine": _machine(),
        })

    def skip(self, name: str, why: str = "not built yet") -> None:
        self.report.skipped.append(f"{name} ({why})")
        self.log(f"skipped: {name} ({why})")

    def figure(self, name: str, run: Callable[[int], object], floor: Callable[[int], object] | None = None,
               *, count_queries: bool = True, repeat: int | None = None) -> Figure:
        repeat = repeat or self.repeat
        for i in range(self.warmup):
            run(i)
            if floor:
                floor(i)
        queries = None
        if count_queries:
            with CaptureQueriesContext(connection) as ctx:
                run(0)
            queries = len(ctx.captured_queries)
        times = _timed(run, repeat)
        floor_times = _timed(floor, repeat) if floor else None
        p50 = statistics.median(times)
        fig = Figure(name=name, unit="ms", p50=round(p50, 2), p95=round(_percentile(times, 0.95), 2), n=repeat,
                     queries=queries)
        if floor_times:
            fig.floor = round(statistics.median(floor_times), 2)
            fig.ratio = round(p50 / fig.floor, 1) if fig.floor else None
        self.report.figures.append(fig)
        self.log(f"  {name}: p50 {fig.p50} ms, p95 {fig.p95} ms, floor {fig.floor}, queries {queries}")
        return fig

    def add(self, fig: Figure) -> None:
        self.report.figures.append(fig)
        self.log(f"  {fig.name}: {fig.p50} {fig.unit}")

    def ok(self, client: Client, url: str, params: dict | None, name: str) -> bool:
        """Whether the page answers 200 (else the figure is skipped with the status)."""
        response = client.get(url, params or {})
        if response.status_code != 200:
            self.skip(name, f"HTTP {response.status_code}")
            return False
        return True


def sql(query: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


class rolled_back:
    """An atomic block that always rolls back (savepoint when nested)."""

    def __enter__(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, exc_type, exc, tb) -> bool:
        transaction.set_rollback(True)
        self.atomic.__exit__(exc_type, exc, tb)
        return False


def url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
