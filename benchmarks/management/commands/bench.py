"""manage.py bench: the hot paths beside their raw-SQL floors (benchmarks/bench/)."""
from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from benchmarks.bench.report import report_table, report_write
from benchmarks.bench.run import bench_run
from benchmarks.scale.spec import SIZES
from disputes.models import Case


class Command(BaseCommand):
    help = "Measure case lists, detail, creation, dashboard and the overdue sweep (p50/p95 and SQL floors)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=None,
                            help="seed with seed_scale first when the database holds fewer cases")
        parser.add_argument("--size", choices=sorted(SIZES), default=None,
                            help="a named size instead of --cases: " + ", ".join(f"{k}={v:,}" for k, v in SIZES.items()))
        parser.add_argument("--json", dest="json_path", default=None, help="write the figures as JSON here")
        parser.add_argument("--repeat", type=int, default=30, help="timed runs per figure (default 30)")
        parser.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
        parser.add_argument("--no-sweep", action="store_true", help="skip the 100,000-case overdue sweep")
        parser.add_argument("--seed", type=int, default=1, help="seed for seed_scale when it runs")
        parser.add_argument("--only", action="append", default=[], metavar="SUBSTRING",
                            help="run only the sections matching (repeatable): lists, detail, creation, "
                                 "dashboard, sweep, assessment, or a keyword such as api, page, create")

    def handle(self, *args, **opts) -> None:
        wanted = opts["cases"] or (SIZES[opts["size"]] if opts["size"] else None)
        if wanted:
            have = Case.objects.count()
            if have < wanted:
                self.stdout.write(f"{have:,} cases < {wanted:,}: seeding {wanted - have:,} with seed_scale")
                call_command("seed_scale", cases=wanted - have, seed=opts["seed"],
                             verbosity=opts["verbosity"], stdout=self.stdout, stderr=self.stderr)
        quiet = opts["verbosity"] == 0
        report = bench_run(repeat=opts["repeat"], warmup=opts["warmup"], sweep=not opts["no_sweep"],
                           only=opts["only"],
                           log=(lambda _m: None) if quiet else self.stdout.write)
        self.stdout.write(report_table(report))
        if opts["json_path"]:
            report_write(report, opts["json_path"])
            self.stdout.write(f"wrote {opts['json_path']}")
