"""`bench_run`: the sections `--only` selects, run as production runs (DEBUG off), on vacuumed
tables, one after the other; returns the report (report.py)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from benchmarks.bench import figures
from benchmarks.bench.assessment import assessment as assessment_figures
from benchmarks.bench.dashboard import dashboard_screen
from benchmarks.bench.grids import grids as grid_figures
from benchmarks.bench.harness import Bench
from benchmarks.bench.report import BenchReport
from benchmarks.bench.sweep import sweep as overdue_sweep
from benchmarks.scale.writer import tables_analyze
from disputes.models import Case, CaseEvent, Escalation
from governance.models import Notification

# Section → the words `--only` matches (a substring of any of them selects the section).
SECTIONS = {
    "lists": "lists list page api",
    "detail": "detail page api",
    "creation": "creation create case_register api",
    "dashboard": "dashboard page api statistics wall",
    "sweep": "sweep overdue",
    "assessment": "assessment",
    "grids": "grids point map",
}


def bench_run(*, repeat: int = 30, warmup: int = 3, log: Callable[[str], None] = print,
              sweep: bool = True, only: Sequence[str] = ()) -> BenchReport:
    """Run every section, or with `only` those whose name or keywords contain one of its substrings."""
    def wanted(section: str) -> bool:
        return not only or any(o.lower() in word for o in only for word in (section, *SECTIONS[section].split()))

    # As production runs: DEBUG off (no SQL log, no debug cursor wrappers). The test
    # client's host must be allowed; django-axes logs every force_login at INFO, which
    # would bury the table.
    axes_log = logging.getLogger("axes")
    axes_level = axes_log.level
    axes_log.setLevel(logging.WARNING)
    try:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            return _bench_run(repeat=repeat, warmup=warmup, log=log, sweep=sweep, wanted=wanted)
    finally:
        axes_log.setLevel(axes_level)


def _bench_run(*, repeat: int, warmup: int, log: Callable[[str], None], sweep: bool,
               wanted: Callable[[str], bool]) -> BenchReport:
    bench = Bench(repeat=repeat, warmup=warmup, log=log)
    bench.report.meta["debug"] = settings.DEBUG
    # Rolled-back writes (this command's own sweep, a load test's, a developer's) leave dead
    # row versions that every index scan then visits until VACUUM removes them. Production
    # runs autovacuum; a benchmark server may not (this project's does not), so the tables
    # the figures read are vacuumed first and after the sweep: the figures are the steady
    # state, not the state after the last rolled-back experiment.
    _vacuum(log)
    actors = figures.bench_actors()
    log(f"{bench.report.meta['cases']:,} cases on {connection.vendor}; county dispatcher {actors.county_dispatcher} "
        f"({actors.county}), township clerk {actors.township_clerk} ({actors.township})")
    for section, measure in (("lists", figures.lists), ("detail", figures.detail), ("creation", figures.creation)):
        if wanted(section):
            measure(bench, actors)
    if wanted("dashboard"):
        dashboard_screen(bench, actors)  # the rollup's recount first, then the page (figures.dashboard) and the rest
    if wanted("sweep"):
        if sweep:
            overdue_sweep(bench)
            _vacuum(log)
        else:
            bench.skip("overdue sweep", "--no-sweep")
    if wanted("assessment"):
        assessment_figures(bench)
    if wanted("grids"):
        grid_figures(bench, actors)
    return bench.report


def _vacuum(log: Callable[[str], None]) -> None:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    started = time.perf_counter()
    tables_analyze([Case, CaseEvent, Escalation, Notification])
    log(f"VACUUM ANALYZE of the case tables: {time.perf_counter() - started:.1f} s")

