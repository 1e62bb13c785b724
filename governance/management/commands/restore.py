"""`manage.py restore DIR [--database-url URL] [--create-database] [--media-root DIR] [--force]`:
checks every checksum and the encryption keys, then restores the database and the uploaded
files (governance/backup.py, docs/operations.md)."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from governance.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = "从 manage.py backup 的目录恢复数据库和附件(先核对校验和与加密密钥)。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份目录(zongzhi-YYYYMMDDTHHMMSSZ)")
        parser.add_argument("--database-url", default=None,
                            help="恢复到的数据库(默认为当前配置的 DATABASE_URL);演练时用一个新的库名或新文件")
        parser.add_argument("--create-database", action="store_true", help="PostgreSQL:先创建该数据库")
        parser.add_argument("--media-root", default=None, help="附件恢复到的目录(默认 MEDIA_ROOT)")
        parser.add_argument("--no-media", action="store_true", help="不恢复附件")
        parser.add_argument("--force", action="store_true", help="目标库或目录非空时覆盖")
        parser.add_argument("--ignore-keys", action="store_true",
                            help="当前加密密钥与备份时不同也继续(恢复后的身份证号、电话将无法解密)")
        parser.add_argument("--verify-only", action="store_true", help="只核对校验和,不恢复")

    def handle(self, *args, path: str, database_url: str | None, create_database: bool, media_root: str | None,
               no_media: bool, force: bool, ignore_keys: bool, verify_only: bool, **options):
        started = time.monotonic()
        try:
            if verify_only:
                manifest = backup_verify(path)
                self.stdout.write(self.style.SUCCESS(f"{len(manifest['files'])} files match their checksums"))
                return
            result = backup_restore(path, database_url=database_url, media_root=media_root, media=not no_media,
                                    create_database=create_database, force=force, ignore_keys=ignore_keys)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"restored into {result.database}, {result.media_files} files ({time.monotonic() - started:.1f} s)"))
