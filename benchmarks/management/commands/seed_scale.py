"""manage.py seed_scale --cases N: a synthetic city at scale for benchmarks (benchmarks/scale/)."""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from benchmarks.scale.seed import scale_seed
from benchmarks.scale.spec import BENCH_PASSWORD, SIZES, ScaleSpec


class Command(BaseCommand):
    help = (
        "Create a synthetic city (counties, townships, villages, grids, departments, users) under a "
        "synthetic division code and add N cases with parties, dispatches and timelines. Uses COPY on "
        "PostgreSQL. Run it while nothing else writes to the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=None, help="cases to add")
        parser.add_argument("--size", choices=sorted(SIZES), default=None,
                            help="a named size instead of --cases: " + ", ".join(f"{k}={v:,}" for k, v in SIZES.items()))
        parser.add_argument("--counties", type=int, default=10)
        parser.add_argument("--townships", type=int, default=150)
        parser.add_argument("--villages-per-township", type=int, default=20)
        parser.add_argument("--grids-per-village", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--city-code", default="9901", help="4-digit synthetic city code (default 9901)")
        parser.add_argument("--anchor", type=dt.date.fromisoformat, default=None,
                            help="YYYY-MM-DD: the day the year of cases ends at (default today)")
        parser.add_argument("--chunk", type=int, default=None, help="cases per COPY/INSERT transaction")

    def handle(self, *args, **opts) -> None:
        if opts["cases"] is None:
            if opts["size"] is None:
                self.stderr.write("give --cases N or --size " + "|".join(SIZES))
                raise SystemExit(2)
            opts["cases"] = SIZES[opts["size"]]
        if len(opts["city_code"]) != 4 or not opts["city_code"].isdigit():
            self.stderr.write("--city-code must be 4 digits")
            raise SystemExit(2)
        spec = ScaleSpec(
            cases=opts["cases"], counties=opts["counties"], townships=opts["townships"],
            villages_per_township=opts["villages_per_township"], grids_per_village=opts["grids_per_village"],
            seed=opts["seed"], city_code=opts["city_code"], anchor=opts["anchor"], chunk=opts["chunk"],
        )
        quiet = opts["verbosity"] == 0
        result = scale_seed(
            spec,
            progress_bar=None if quiet else (lambda total, unit: tqdm(total=total, unit=unit, file=self.stderr)),
            log=(lambda _m: None) if quiet else (lambda m: self.stdout.write(m)),
        )
        if not quiet:
            self.stdout.write(
                f"{result.cases} cases, {result.parties} parties, {result.events} events, "
                f"{result.assignments} assignments, {result.escalations} escalations in {result.seconds:.1f} s "
                f"({result.cases / max(result.seconds, 1e-9):.0f} cases/s). "
                f"Users: {spec.city_code} prefix, password {BENCH_PASSWORD!r}."
            )
