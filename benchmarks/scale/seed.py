"""`scale_seed`: create (or reuse) the synthetic city and add cases to it (`manage.py seed_scale`)."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from contextlib import nullcontext

from django.db import connection, transaction

from benchmarks.scale.cases import CaseGenerator
from benchmarks.scale.city import city_build, city_load, reference_data_ensure
from benchmarks.scale.spec import SHANGHAI, UTC, ScaleResult, ScaleSpec
from benchmarks.scale.writer import bulk_load_prepared, is_postgres, tables_analyze
from disputes.models import Case, CaseAssignment, CaseEvent, CaseParty, Escalation
from governance.models import Department, Region, User
from grids.models import Grid


def scale_seed(spec: ScaleSpec, *, progress_bar: Callable[[int, str], object] | None = None,
               log: Callable[[str], None] = lambda _m: None) -> ScaleResult:
    """Create (or reuse) the synthetic city and add `spec.cases` cases to it."""
    import time

    started = time.monotonic()
    rng = random.Random(spec.seed)
    now = dt.datetime.now(tz=UTC) if spec.anchor is None else dt.datetime.combine(
        spec.anchor, dt.time(12, 0), tzinfo=SHANGHAI).astimezone(UTC)
    result = ScaleResult()
    reference_data_ensure()
    if not Region.objects.filter(code=spec.city_code).exists():
        with transaction.atomic():
            city_build(spec, rng, now, log)
        result.city_created = True
    city = city_load(spec.city_code)
    log(f"city {spec.city_code}: {len(city.counties)} counties, {len(city.townships)} townships, "
        f"{sum(len(t.grids) for t in city.townships)} grids")
    if spec.cases:
        bar = progress_bar(spec.cases, "cases") if progress_bar else None
        generator = CaseGenerator(spec, city, rng, now)
        if is_postgres():
            with connection.cursor() as cursor:
                # Chunks are re-creatable synthetic data: no need to wait for the WAL flush.
                cursor.execute("SET synchronous_commit TO off")
        # A bulk load (at least as many new cases as there are, and not a handful) drops the
        # foreign keys and secondary indexes of the case tables and rebuilds them at the end.
        bulk = spec.cases >= max(20_000, Case.objects.count())
        with bulk_load_prepared(list(generator.writers)) if bulk else nullcontext():
            generated = generator.generate(lambda n: bar.update(n) if bar else None)
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        if bar:
            bar.close()
        result.cases, result.parties, result.events = generated.cases, generated.parties, generated.events
        result.assignments, result.escalations = generated.assignments, generated.escalations
    tables_analyze([Region, Grid, Department, User, Case, CaseParty, CaseEvent, CaseAssignment, Escalation])
    result.seconds = time.monotonic() - started
    return result
