"""manage.py sweep_deadlines [--dry-run] [--batch-size N] [--now ISO] [--recompute-thresholds]

Runs the whole deadline sweep synchronously (every batch) and prints what changed. For
operators, and for deployments that schedule it from cron instead of Celery beat. The
same code as the Celery task; safe to run beside the workers (rows are locked per batch).

--recompute-thresholds first re-stamps the yellow/escalation thresholds of every open timed
case from the current escalation policies (after a policy edit; without it an edit applies
to steps started afterwards).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from disputes.deadlines import thresholds_recompute
from disputes.sweep import DEFAULT_BATCH_SIZE, SAMPLE_LIMIT, deadline_sweep_all
from governance import clock

LIST_LIMIT = SAMPLE_LIMIT  # the result keeps at most this many case numbers per kind


class Command(BaseCommand):
    help = "Sweep case deadlines once: yellow/red cards, escalation (township → county → city), automatic 催办."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compute and print, then roll back")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--recompute-thresholds", action="store_true",
                            help="re-stamp the thresholds of open cases from the current policies first")
        parser.add_argument("--now", help="ISO date-time to sweep as of (default: now)")
        parser.add_argument("--limit", type=int, default=LIST_LIMIT, help="case numbers to list per kind")

    def handle(self, *args, dry_run: bool, batch_size: int, now: str | None, limit: int,
               recompute_thresholds: bool = False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        at = clock.now()
        if now:
            at = parse_datetime(now)
            if at is None:
                raise CommandError(f"--now: not an ISO date-time: {now}")
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        if recompute_thresholds and not dry_run:
            restamped = thresholds_recompute()
            self.stdout.write(f"thresholds re-stamped from the current policies: {restamped} cases changed")
        if dry_run:
            with transaction.atomic():
                if recompute_thresholds:
                    restamped = thresholds_recompute()
                    self.stdout.write(f"[dry run] thresholds re-stamped: {restamped} cases would change")
                result = deadline_sweep_all(now=at, batch_size=batch_size)
                transaction.set_rollback(True)  # nothing written, no notification sent
        else:
            result = deadline_sweep_all(now=at, batch_size=batch_size)

        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}swept as of {at.isoformat()}: yellow {result.yellow}, red {result.red}, "
            f"escalated {result.escalated}, urged {result.urged}"
        )
        totals = {"yellow": result.yellow, "red": result.red, "escalate": result.escalated, "urge": result.urged}
        for kind, total in totals.items():
            changes = [c for c in result.changes if c.kind == kind][:limit]
            if not changes:
                continue
            shown = [f"{c.number}→{c.to_level}" if c.to_level else c.number for c in changes]
            more = f" (+{total - len(changes)} more)" if total > len(changes) else ""
            self.stdout.write(f"  {kind}: {', '.join(shown)}{more}")
