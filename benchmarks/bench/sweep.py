"""The overdue sweep at scale: `SWEEP_CASES` open cases on time are made overdue inside a
rolled-back block and swept by the real `deadline_sweep_all`, beside one set-based UPDATE
(floors.sweep_floor); also its throughput, peak RSS, an empty sweep right after it and a sweep
of the committed data when nothing is due."""
from __future__ import annotations

import datetime as dt
import time

from django.db import connection

from benchmarks.bench.floors import sweep_floor
from benchmarks.bench.harness import Bench, rolled_back, rss_mb, sql
from benchmarks.bench.report import Figure
from benchmarks.deadlines import deadline_sweep_all
from disputes.models import TIMED_STATES, Case
from governance import clock

SWEEP_CASES = 100_000


def sweep(bench: Bench) -> None:
    # bench_run turns DEBUG off for every section: with DEBUG on, Django would format and
    # keep the SQL of every query (bulk INSERTs of tens of thousands of rows), which
    # costs time and hundreds of MB that are the debug log's, not the sweep's.
    connection.queries_log.clear()
    _sweep(bench)


def _sweep(bench: Bench) -> None:
    now = clock.now()
    timed = [str(s) for s in TIMED_STATES]
    marks = ", ".join(["%s"] * len(timed))
    # Open cases on time (no card), newest deadlines last: the ones made overdue below.
    # Uses index: case_timed_due
    ids = [r[0] for r in sql(
        f"SELECT id FROM disputes_case WHERE state IN ({marks}) AND warning_level = 'none' AND due_at > %s "
        f"ORDER BY due_at LIMIT {SWEEP_CASES}", [*timed, now])]
    if not ids:
        bench.skip("overdue sweep", "no open case on time")
        return
    n = len(ids)
    label = f"overdue sweep {n:,} newly overdue"
    overdue_at = now - dt.timedelta(minutes=1)

    def make_overdue() -> None:
        for start in range(0, n, 10_000):
            chunk = ids[start:start + 10_000]
            sql(f"UPDATE disputes_case SET due_at = %s WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [overdue_at, *chunk])

    # The catch-up before: cases already past due in the seed data but not yet carded by a
    # sweep are not "newly overdue"; sweep them first, inside the same rolled-back block.
    # Nothing due on the committed data: a sweep as of a moment before anything in it
    # falls due (no catch-up first, so no dead index entries of this transaction).
    # Uses index: case_sweep_yellow, case_sweep_red, case_sweep_escalate
    earliest = sql(
        f"SELECT LEAST((SELECT MIN(yellow_at) FROM disputes_case WHERE state IN ({marks}) AND warning_level = "
        f"'none'), (SELECT MIN(due_at) FROM disputes_case WHERE state IN ({marks}) AND warning_level IN "
        f"('none', 'yellow')), (SELECT MIN(escalate_at) FROM disputes_case WHERE state IN ({marks}) AND "
        "warning_level = 'red'))", [*timed, *timed, *timed])[0][0] if connection.vendor == "postgresql" and (
        "yellow_at" in {f.name for f in Case._meta.fields}) else None  # LEAST: PostgreSQL only
    quiet_wall = None
    if earliest is not None:
        with rolled_back():
            deadline_sweep_all(now=earliest - dt.timedelta(seconds=1))  # warm-up
            started = time.perf_counter()
            quiet = deadline_sweep_all(now=earliest - dt.timedelta(seconds=1))
            quiet_wall = (time.perf_counter() - started) * 1000
        assert quiet.red + quiet.yellow + quiet.escalated == 0
    rss_before = rss_mb()
    with rolled_back():
        deadline_sweep_all(now=now)
        make_overdue()
        started = time.perf_counter()
        result = deadline_sweep_all(now=now)
        wall = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        empty = deadline_sweep_all(now=now)
        empty_wall = (time.perf_counter() - started) * 1000
    rss_after = rss_mb()
    changed = result.red + result.yellow + result.escalated
    with rolled_back():
        make_overdue()
        started = time.perf_counter()
        sweep_floor(now, timed)
        floor = (time.perf_counter() - started) * 1000
    figures = bench.report.figures
    figures.append(Figure(name=label, unit="ms", p50=round(wall, 1), p95=round(wall, 1), n=1,
                          floor=round(floor, 1), ratio=round(wall / floor, 1) if floor else None))
    figures.append(Figure(name=f"{label}: throughput", unit="cases/s",
                          p50=round(n / (wall / 1000)), p95=round(n / (wall / 1000)), n=1))
    figures.append(Figure(name=f"{label}: peak RSS", unit="MB", p50=round(rss_after, 1),
                          p95=round(rss_after, 1), n=1))
    figures.append(Figure(name="overdue sweep, nothing due", unit="ms", p50=round(empty_wall, 1),
                          p95=round(empty_wall, 1), n=1))
    if quiet_wall is not None:
        figures.append(Figure(name="overdue sweep, nothing due (committed data)", unit="ms",
                              p50=round(quiet_wall, 1), p95=round(quiet_wall, 1), n=1))
    bench.log(f"  {label}: {wall:.0f} ms ({changed} changes: red {result.red}, yellow {result.yellow}, "
              f"escalated {result.escalated}); floor {floor:.0f} ms; peak RSS {rss_before:.0f} → {rss_after:.0f} MB; "
              f"empty sweep {empty_wall:.0f} ms ({empty.red + empty.yellow + empty.escalated} changes) right after "
              f"it in the same transaction; nothing due on the committed data: {quiet_wall} ms")
