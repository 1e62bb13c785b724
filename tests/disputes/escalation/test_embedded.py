"""The embedded default (DESIGN §5): no Redis, no PostgreSQL. `celery -A governance worker -B`
on kombu's filesystem broker runs the beat schedule and the same sweep code against a SQLite
file. (Its own SQLite file: pytest's in-memory test database cannot be shared.)"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings

from tests.disputes.escalation.workers import CELERY, QUEUES, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.slow]

SEED = """
import datetime as dt
from django.utils import timezone
from tests.factories import CaseFactory, RegionTree, UserFactory
tree = RegionTree()
reporter = UserFactory(role="grid_worker", region=tree.village_a1x, password="x")
now = timezone.now()
CaseFactory(village=tree.village_a1x, registered_by=reporter, state="in_progress", step="handle",
            step_started_at=now - dt.timedelta(days=10), due_at=now - dt.timedelta(hours=1))
"""


def test_worker_with_beat_escalates_on_sqlite_without_redis(tmp_path):
    # Given a migrated SQLite file with one overdue case, and no REDIS_URL
    db = tmp_path / "embedded.sqlite3"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    # Its own broker folder: what a developer's `make run` left queued in var/broker (hundreds of
    # messages, expired by now) would reach this worker first, one per poll, before any sweep.
    env.update(DATABASE_URL=f"sqlite:///{db}", SWEEP_INTERVAL_SECONDS="1", PYTHONUNBUFFERED="1",
               BROKER_DIR=str(tmp_path / "broker"))
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=settings.BASE_DIR, env=env, check=True,
                   capture_output=True)
    subprocess.run([*manage, "shell", "-c", SEED], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True)

    # When the embedded worker starts with the beat (as `make run` starts it)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [CELERY, "-A", "governance", "worker", "-B", "-s", str(tmp_path / "beat-schedule"), "-Q", QUEUES,
             "-c", "1", "-l", "info"],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        def escalations() -> int:
            with sqlite3.connect(db) as conn:
                return conn.execute("select count(*) from disputes_escalation").fetchone()[0]

        # Then the beat's sweep escalated the case through the filesystem broker
        try:
            wait_until(escalations, timeout=90, what="the embedded sweep", interval=0.5)
        except AssertionError:
            print(log.read_text(errors="replace")[-4000:])
            raise
        with sqlite3.connect(db) as conn:
            assert conn.execute("select owning_level from disputes_case").fetchone() == ("county",)
        assert "filesystem" in log.read_text(errors="replace")
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
