"""`manage.py backup [--output DIR] [--keep N] [--no-media]`: one timestamped directory with the
database, the uploaded files, a manifest and checksums; the encryption keys are not in it
(governance/backup.py, docs/operations.md)."""
from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.backup import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = "备份数据库和上传的附件到一个带时间戳的目录(含清单和校验和;加密密钥不在备份中)。"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.BACKUP_DIR),
                            help="备份的上级目录(默认 BACKUP_DIR)")
        parser.add_argument("--no-media", action="store_true", help="不备份附件")
        parser.add_argument("--keep", type=int, default=0,
                            help="完成后只保留最新的 N 份备份(0 = 不删除)")

    def handle(self, *args, output: str, no_media: bool, keep: int, **options):
        started = time.monotonic()
        try:
            result = backup_create(output_dir=output, media=not no_media)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for name, entry in result.manifest["files"].items():
            self.stdout.write(f"{name}  {entry['bytes']:>12,} bytes  sha256 {entry['sha256'][:16]}…")
        for old in backups_prune(output_dir=output, keep=keep) if keep else []:
            self.stdout.write(f"removed {old}")
        self.stdout.write(self.style.SUCCESS(f"{result.path}  ({time.monotonic() - started:.1f} s)"))
