"""`manage.py seed_demo`: the demo city 铜川市 with departments, users and every app's data.

Each app contributes its own `demo.py` with `seed(*, stdout, rng)`; this command finds them
with autodiscover_modules (the kernel imports no feature app) and calls them in
INSTALLED_APPS order, which is the dependency order (the kernel first, each app after the
apps it builds on). Every seeder is idempotent, so the command may run again.
"""
from __future__ import annotations

import random
import sys
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from governance.bulk import bulk_load
from governance.demo import DEMO_PASSWORD, NAMED_USERS
from governance.errors import ApplicationError

DEMO_SEED = 20260101


class Command(BaseCommand):
    help = "生成演示数据(铜川市):区划、成员单位、演示账号、网格、矛盾纠纷案件。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="随机数种子(默认固定,结果可复现)")

    def handle(self, *args, seed: int, **options):
        autodiscover_modules("demo")
        started = time.monotonic()
        for config in apps.get_app_configs():
            module = sys.modules.get(f"{config.name}.demo")
            if module is None or not hasattr(module, "seed"):
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"[{config.verbose_name}]"))
            app_started = time.monotonic()
            # One Random per app: what one app draws never shifts another app's data.
            rng = random.Random(f"{seed}:{config.label}")
            try:
                # The demo's history notifies thousands of inboxes and registers every case: the
                # outbox drain and the warning sweep cover them rather than one queued task per
                # case in front of real work on make run's one worker (governance/bulk.py).
                with bulk_load():
                    module.seed(stdout=self.stdout, rng=rng)
            except ApplicationError as exc:
                raise CommandError(f"{config.label}: {exc.message}") from exc
            self.stdout.write(f"  用时 {time.monotonic() - app_started:.1f} 秒")
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪,共用时 {time.monotonic() - started:.1f} 秒"))
        self.stdout.write(f"演示账号统一密码: {DEMO_PASSWORD}(完整列表见 docs/demo.md)")
        for user in NAMED_USERS:
            self.stdout.write(f"  {user.username:<20} {user.title}")
