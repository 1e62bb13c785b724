"""Backup and restore: `manage.py backup` then `manage.py restore` into a fresh database (a new
PostgreSQL database, or a new SQLite file) and an empty media directory finds every case,
event and attachment, and a party's ID number decrypts with the keys kept apart. A damaged
backup, other keys and a non-empty target are refused before anything is written."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from disputes.contract import CaseInput, PartyInput, case_register
from disputes.models import Attachment, Case, CaseEvent, CaseParty, Channel, PartyKind, PartyRole
from disputes.services import attachment_add
from governance.backup import MANIFEST, key_fingerprints
from governance.models import Role
from governance.personal_data import decrypt
from tests.disputes.services.conftest import ID_A, ID_B, PHONE_A
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cases(tree, media, reference_data) -> list[Case]:
    """Two cases with parties (ID numbers, a phone) and an attachment each."""
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    category = CategoryFactory()
    made = []
    for id_number in (ID_A, ID_B):
        case = case_register(
            actor=clerk,
            data=CaseInput(title="宅基地纠纷", narrative="两户因宅基地边界发生争执。", category_id=category.pk,
                           channel=Channel.VISIT, occurred_at=timezone.now() - dt.timedelta(days=1),
                           village_id=tree.village_a1x.pk),
            parties=[PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="张三", id_number=id_number,
                                phone=PHONE_A)],
        )
        attachment_add(actor=clerk, case_id=case.pk,
                       uploaded_file=SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"))
        made.append(case)
    return made


class Restored:
    """Plain SQL against the restored database (not through Django: it is not configured)."""

    def __init__(self, tmp_path: Path):
        s = connection.settings_dict
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            self.name = f"{s['NAME']}_restored"
            self.pg = {"host": s["HOST"] or "127.0.0.1", "port": str(s["PORT"] or 5432), "user": s["USER"]}
            self.drop()
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{self.pg['host']}:{self.pg['port']}/{self.name}"
        else:
            self.name = str(tmp_path / "restored.sqlite3")
            self.url = f"sqlite:///{self.name}"

    def rows(self, sql: str) -> list[tuple]:
        if self.vendor == "postgresql":
            import psycopg2

            conn = psycopg2.connect(dbname=self.name, password=connection.settings_dict["PASSWORD"] or None,
                                    **self.pg)
        else:
            conn = sqlite3.connect(self.name)
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            subprocess.run(["dropdb", "-h", self.pg["host"], "-p", self.pg["port"], "-U", self.pg["user"],
                            "--if-exists", "--force", self.name], check=True, capture_output=True)


def ids(model) -> list[int]:
    return sorted(model.objects.values_list("pk", flat=True))


def test_backup_then_restore_into_a_fresh_database_finds_everything(cases, media, tmp_path, settings):
    # Given cases, their timelines, parties and attachments
    assert len(ids(Attachment)) == 2 and len(ids(CaseEvent)) >= 4

    # When the operator backs up
    call_command("backup", output=str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / MANIFEST).read_text())

    # Then one timestamped directory holds the database, the files, a manifest with checksums,
    # and no key
    expected_db = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert backup.name.startswith("zongzhi-") and backup.name.endswith("Z")
    assert set(manifest["files"]) == {expected_db, "media.tar.gz"}
    assert manifest["media"]["files"] == 2 and manifest["keys"]["included"] is False
    assert manifest["keys"]["fingerprints"] == key_fingerprints()
    for file in backup.iterdir():
        content = file.read_bytes()
        assert settings.PARTY_DATA_KEY.encode() not in content and settings.PARTY_HASH_KEY.encode() not in content

    # When it is restored into a fresh database and an empty media directory
    restored = Restored(tmp_path)
    try:
        call_command("restore", str(backup), database_url=restored.url, media_root=str(tmp_path / "media2"),
                     create_database=connection.vendor == "postgresql")

        # Then every case, event and attachment is there
        def table_ids(model) -> list[int]:
            return [row[0] for row in restored.rows(f"SELECT id FROM {model._meta.db_table} ORDER BY id")]

        assert table_ids(Case) == ids(Case) and table_ids(CaseEvent) == ids(CaseEvent)
        assert table_ids(Attachment) == ids(Attachment) and table_ids(CaseParty) == ids(CaseParty)
        # each attachment's file, byte for byte
        for name in restored.rows(f"SELECT file FROM {Attachment._meta.db_table}"):
            assert (tmp_path / "media2" / name[0]).read_bytes() == PNG
        # and a party's ID number decrypts with the keys configured apart from the backup
        party = CaseParty.objects.get(case=cases[1])
        ((token,),) = restored.rows(f"SELECT id_number_enc FROM {CaseParty._meta.db_table} WHERE id = {party.pk}")
        assert decrypt(bytes(token)) == ID_B
    finally:
        restored.drop()


def test_restore_refuses_a_damaged_backup_other_keys_and_a_non_empty_target(cases, media, tmp_path, settings):
    call_command("backup", output=str(tmp_path / "backups"), no_media=False)
    (backup,) = (tmp_path / "backups").iterdir()
    restored = Restored(tmp_path)
    media2 = str(tmp_path / "media2")

    # the configured keys are not the backup's
    kept = settings.PARTY_DATA_KEY
    settings.PARTY_DATA_KEY = "ffeeddccbbaa99887766554433221100"
    with pytest.raises(CommandError, match="PARTY_DATA_KEY"):
        call_command("restore", str(backup), database_url=restored.url, media_root=media2)
    settings.PARTY_DATA_KEY = kept

    # the default target (the live database) is not empty
    with pytest.raises(CommandError, match="not empty|exists|in-memory"):
        call_command("restore", str(backup), media_root=media2, ignore_keys=True)

    # a damaged file
    archive = backup / "media.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-10])
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(backup), verify_only=True)
    assert not Path(media2).exists()
    assert connection.vendor == "postgresql" or not Path(restored.name).exists()


def test_prune_keeps_the_newest(tmp_path, media, db):
    from governance.backup import backup_create, backups_prune

    made = [backup_create(output_dir=tmp_path, now=dt.datetime(2026, 3, day, 2, tzinfo=dt.UTC)).path
            for day in (1, 2, 3)]
    assert backups_prune(output_dir=tmp_path, keep=2) == made[:1]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in made[1:]]
