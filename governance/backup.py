"""Backup and restore of the database and the uploaded files (`manage.py backup` / `restore`).

One backup is one timestamped directory:

    zongzhi-20260310T020000Z/
        database.dump        PostgreSQL: pg_dump -Fc (custom format, one consistent snapshot)
        database.sqlite3     SQLite: a copy through the sqlite3 backup API (consistent while in use)
        media.tar.gz         MEDIA_ROOT (attachments), paths relative to it
        manifest.json        what, when, from which schema, SHA-256 and size of every file

The encryption keys (PARTY_DATA_KEY, PARTY_HASH_KEY) are NOT in the backup: a stolen backup
holds ID numbers and phones only as SM4 ciphertext and keyed hashes. The manifest keeps a
fingerprint of each (an HMAC of a fixed label under the key, not reversible), so a restore
can tell that the keys configured now are the ones the data was written under
(docs/operations.md says where the keys are kept instead).

The database is dumped before the files: an attachment row in the dump always has its file
in the tarball (files are stored before their row commits); a file uploaded meanwhile is an
unreferenced extra, harmless.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404: pg_dump/pg_restore/psql, fixed argument lists, no shell
import tarfile
from dataclasses import dataclass
from pathlib import Path

import environ
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
FORMAT = 1
PG_FILE, SQLITE_FILE, MEDIA_FILE = "database.dump", "database.sqlite3", "media.tar.gz"
KEY_SETTINGS = ("PARTY_DATA_KEY", "PARTY_HASH_KEY")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- Shared ---------------------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_fingerprints() -> dict[str, str]:
    """Not the keys: HMAC-SHA256(key, label), 16 hex characters each."""
    return {name: hmac.new(str(getattr(settings, name)).encode(), b"zongzhi-backup-key-check",
                           hashlib.sha256).hexdigest()[:16]
            for name in KEY_SETTINGS}


def _pg_args(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if (db.get("OPTIONS") or {}).get("sslmode"):  # e.g. DATABASE_URL=…?sslmode=require
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603: an argument list of PostgreSQL tools, no shell
    except FileNotFoundError:
        raise BackupError(f"{command[0]} not found: install the PostgreSQL client tools "
                          "(Debian: postgresql-client, the same major version as the server)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


# --- Backup ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


def _dump_database(target_dir: Path) -> str:
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        args, env = _pg_args(db)
        path = target_dir / PG_FILE
        _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(path), "-d", str(db["NAME"])],
             env)
        return PG_FILE
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        path = target_dir / SQLITE_FILE
        destination = sqlite3.connect(path)
        try:
            # The backup API copies page by page under the database's locks: a consistent copy
            # even while the web and the worker write.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return SQLITE_FILE
    raise BackupError(f"no backup procedure for the {connection.vendor} database")


def _archive_media(target_dir: Path) -> tuple[str, int, int]:
    root = Path(settings.MEDIA_ROOT)
    count = size = 0
    with tarfile.open(target_dir / MEDIA_FILE, "w:gz") as archive:
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
                count += 1
                size += path.stat().st_size
    return MEDIA_FILE, count, size


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def backup_create(*, output_dir: Path | str, media: bool = True, now: dt.datetime | None = None) -> BackupResult:
    """Write one backup directory under `output_dir` and return it. Nothing half-written is
    left behind: the directory is built under a temporary name and renamed when complete."""
    now = now or dt.datetime.now(dt.UTC)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    name = f"zongzhi-{now:%Y%m%dT%H%M%SZ}"
    final = output_dir / name
    if final.exists():
        raise BackupError(f"{final} exists already")
    work = output_dir / f".{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o700)
    try:
        database_file = _dump_database(work)
        manifest: dict = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": {"vendor": connection.vendor, "file": database_file, "migrations": _migrations()},
            "keys": {"included": False, "fingerprints": key_fingerprints(),
                     "note": "PARTY_DATA_KEY and PARTY_HASH_KEY are kept apart (docs/operations.md)"},
        }
        if media:
            media_file, count, size = _archive_media(work)
            manifest["media"] = {"file": media_file, "files": count, "bytes": size}
        manifest["files"] = {
            path.name: {"sha256": sha256_file(path), "bytes": path.stat().st_size}
            for path in sorted(work.iterdir())
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(path=final, manifest=manifest)


# --- Restore --------------------------------------------------------------------------------------

def backup_verify(path: Path | str) -> dict:
    """The manifest, after checking every file's size and SHA-256; BackupError otherwise."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} has no readable {MANIFEST}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, expected in manifest.get("files", {}).items():
        file = path / name
        if not file.is_file():
            raise BackupError(f"{name} is missing from {path}")
        if file.stat().st_size != expected["bytes"] or sha256_file(file) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def keys_check(manifest: dict) -> list[str]:
    """Names of the keys configured now that differ from the ones the backup was made under."""
    recorded = manifest.get("keys", {}).get("fingerprints", {})
    current = key_fingerprints()
    return [name for name in KEY_SETTINGS if recorded.get(name) and recorded[name] != current[name]]


def target_database(url: str | None) -> dict:
    """Settings dict of the restore target: `url`, or the configured default database."""
    if not url:
        return dict(connection.settings_dict)
    config = environ.Env.db_url_config(url)
    return {key: config.get(key, "") for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")}


def _restore_postgres(dump: Path, db: dict, *, create: bool, force: bool) -> None:
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError("a PostgreSQL dump restores into PostgreSQL only")
    args, env = _pg_args(db)
    if create:
        _run(["createdb", *args, str(db["NAME"])], env)
    else:
        probe = subprocess.run(  # nosec B603 B607: psql from PATH (the PostgreSQL client), argument list, no shell
            ["psql", *args, "-d", str(db["NAME"]), "-tAc",
             "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"],
            env=env, capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            raise BackupError(f"cannot reach database {db['NAME']}: {probe.stderr.strip()} "
                              "(add --create-database to create it)")
        if int(probe.stdout.strip() or 0) and not force:
            raise BackupError(f"database {db['NAME']} is not empty; restore into a new database "
                              "(--create-database) or replace its tables with --force")
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args,
               "-d", str(db["NAME"])]
    if force and not create:
        command[1:1] = ["--clean", "--if-exists"]
    _run([*command, str(dump)], env)


def _restore_sqlite(copy: Path, db: dict, *, force: bool) -> None:
    if not db["ENGINE"].endswith("sqlite3"):
        raise BackupError("a SQLite copy restores into SQLite only")
    name = str(db["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError("restore into a database file (sqlite:////path/to/file.sqlite3), not an in-memory database")
    target = Path(name)
    if target.exists() and target.stat().st_size and not force:
        raise BackupError(f"{target} exists; restore into a new file or replace it with --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    source, destination = sqlite3.connect(copy), sqlite3.connect(target)
    try:
        source.backup(destination)
        (result,) = destination.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"integrity check of the restored file failed: {result}")
    finally:
        source.close()
        destination.close()


def _restore_media(archive: Path, root: Path, *, force: bool) -> int:
    if root.is_dir() and any(root.iterdir()) and not force:
        raise BackupError(f"{root} is not empty; restore the files into an empty directory or use --force")
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        # filter="data": no absolute paths, no "..", no links out of the tree, no devices.
        tar.extractall(root, filter="data")
    return sum(1 for m in members if m.isfile())


@dataclass(frozen=True)
class RestoreResult:
    database: str
    media_files: int


def backup_restore(path: Path | str, *, database_url: str | None = None, media_root: Path | str | None = None,
                   media: bool = True, create_database: bool = False, force: bool = False,
                   ignore_keys: bool = False) -> RestoreResult:
    """Restore a backup directory into a database (by default the configured one) and a media
    directory (by default MEDIA_ROOT). Checks every checksum first, and that the encryption
    keys configured now are the backup's, before anything is written."""
    path = Path(path)
    manifest = backup_verify(path)
    differing = keys_check(manifest)
    if differing and not ignore_keys:
        raise BackupError(f"{', '.join(differing)} differ from the keys this backup was made under: the restored "
                          "ID numbers and phones could not be read or matched. Configure the keys kept for this "
                          "backup (docs/operations.md), or pass --ignore-keys")
    db = target_database(database_url)
    file = path / manifest["database"]["file"]
    if manifest["database"]["vendor"] == "postgresql":
        _restore_postgres(file, db, create=create_database, force=force)
    else:
        _restore_sqlite(file, db, force=force)
    files = 0
    if media and "media" in manifest:
        files = _restore_media(path / manifest["media"]["file"], Path(media_root or settings.MEDIA_ROOT),
                               force=force)
    return RestoreResult(database=str(db["NAME"]), media_files=files)


def backups_prune(*, output_dir: Path | str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups under `output_dir`; returns the deleted."""
    found = sorted(p for p in Path(output_dir).glob("zongzhi-*") if (p / MANIFEST).is_file())
    doomed = found[:-keep] if keep > 0 else []
    for old in doomed:
        shutil.rmtree(old)
    return doomed
