"""manage.py sweep_deadlines [--dry-run] [--batch-size N] [--now ISO]

Runs the whole deadline sweep synchronously (every batch) and prints what changed. For
operators, and for deployments that schedule it from cron instead of Celery beat. The
same code as the Celery task; safe to run beside the workers (rows are locked per batch).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from disputes.escalation import deadline_sweep_all

LIST_LIMIT = 50


class Command(BaseCommand):
    help = "Sweep case deadlines once: yellow/red cards and escalation (township → county → city)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compute and print, then roll back")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--now", help="ISO date-time to sweep as of (default: now)")
        parser.add_argument("--limit", type=int, default=LIST_LIMIT, help="case numbers to list per kind")

    def handle(self, *args, dry_run: bool, batch_size: int, now: str | None, limit: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        at = timezone.now()
        if now:
            at = parse_datetime(now)
            if at is None:
                raise CommandError(f"--now: not an ISO date-time: {now}")
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        if dry_run:
            with transaction.atomic():
                result = deadline_sweep_all(now=at, batch_size=batch_size)
                transaction.set_rollback(True)  # nothing written, no notification sent
        else:
            result = deadline_sweep_all(now=at, batch_size=batch_size)

        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}swept as of {at.isoformat()}: yellow {result.yellow}, red {result.red}, "
            f"escalated {result.escalated}"
        )
        for kind in ("yellow", "red", "escalate"):
            changes = [c for c in result.changes if c.kind == kind]
            if not changes:
                continue
            shown = [f"{c.number}→{c.to_level}" if c.to_level else c.number for c in changes[:limit]]
            more = f" (+{len(changes) - limit} more)" if len(changes) > limit else ""
            self.stdout.write(f"  {kind}: {', '.join(shown)}{more}")
