"""`manage.py outbox_status [--max-age SECONDS] [--json]`: how many notifications wait in the
outbox, how old the oldest is, how many are failing. With --max-age it exits 1 when the
oldest waits longer (a monitoring probe: the drain runs every minute, so a few minutes means
workers, beat or the channel are down; docs/operations.md)."""
from __future__ import annotations

import json as jsonlib
import sys

from django.core.management.base import BaseCommand

from governance.outbox import outbox_backlog


class Command(BaseCommand):
    help = "通知外发队列(outbox)状况:待发数量、最早一条的等待秒数、失败重试中的数量。"

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=None,
                            help="最早一条待发通知等待超过该秒数时以状态码 1 退出(用于监控)")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, max_age: int | None, json: bool, **options):
        backlog = outbox_backlog()
        if json:
            self.stdout.write(_dumps(backlog))
        else:
            self.stdout.write(f"unsent {backlog['unsent']}, oldest {backlog['oldest_age_seconds']} s, "
                              f"failing {backlog['failing']}")
        if max_age is not None and backlog["oldest_age_seconds"] > max_age:
            self.stderr.write(f"oldest unsent notification waits {backlog['oldest_age_seconds']} s > {max_age} s")
            sys.exit(1)


def _dumps(value) -> str:
    return jsonlib.dumps(value)
