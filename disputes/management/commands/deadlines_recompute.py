"""manage.py deadlines_recompute [--dry-run] [--batch-size N]

After administrators entered official days (工作日历调整, CalendarDay) for a year the
calendar package does not know, recompute the deadlines of open cases marked provisional
(期限待定) from their step's start and policy, and print how many moved. The CalendarDay
admin action 按工作日历重新计算待定期限 does the same. Safe beside running workers (rows
are locked per batch); run the sweep afterwards or let beat do it.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from disputes.deadlines import provisional_recompute
from governance import clock


class Command(BaseCommand):
    help = "Recompute provisional case deadlines after official calendar days were entered."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compute and print, then roll back")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if dry_run:
            with transaction.atomic():
                result = provisional_recompute(now=clock.now(), batch_size=batch_size)
                transaction.set_rollback(True)  # nothing written
        else:
            result = provisional_recompute(now=clock.now(), batch_size=batch_size)
        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(f"{prefix}provisional deadlines: {result.moved} cases moved, {result.confirmed} confirmed "
                          f"unchanged, {result.still_provisional} still provisional")
