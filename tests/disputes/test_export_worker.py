"""A large case-list export written by a real Celery worker on Redis and PostgreSQL: the job
goes from 排队中 to 已完成 with its progress, and the file has every row (governance/exports.py,
disputes.tasks.case_export_task). Skips locally without PostgreSQL or Redis (fails in CI)."""
from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import openpyxl
import pytest

from disputes.models import CaseState
from governance.exports import export_job_create
from governance.models import ExportJob, ExportStatus, Role
from tests.disputes.escalation import workers
from tests.factories import CaseFactory, CategoryFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# This suite's own Redis database (others share the server).
REDIS_DB = int(os.environ.get("EXPORT_TEST_REDIS_DB", "3"))


@pytest.fixture
def redis_url():
    workers.require_services()
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))
    workers.flush_redis(url)
    yield url
    workers.flush_redis(url)


def test_worker_writes_a_large_export_with_progress(tree, redis_url, tmp_path):
    dispatcher = UserFactory(role=Role.DISPATCHER, region=tree.county_a)
    category = CategoryFactory()
    for i in range(1200):
        CaseFactory(village=tree.village_a1x if i % 2 else tree.village_a2x, category=category,
                    registered_by=dispatcher, state=CaseState.ACCEPTED)
    CaseFactory(village=tree.village_b1x, category=category, registered_by=dispatcher)  # another county
    job = export_job_create(owner=dispatcher, title="案件清单导出", filename="cases.xlsx", kind="disputes.cases",
                            params={"filters": {"state": "accepted"}, "reveal": False}, rows_total=1200)
    worker = workers.Worker(url=redis_url, log_dir=tmp_path)
    try:
        app = workers.sender(redis_url)
        try:
            app.send_task("disputes.tasks.case_export_task", args=[job.pk], queue="default")
        finally:
            app.close()
        workers.wait_until(lambda: ExportJob.objects.get(pk=job.pk).status == ExportStatus.DONE, timeout=120,
                           what="the export job to finish")
    finally:
        worker.stop()
    job.refresh_from_db()
    assert job.rows_done == 1200 and job.percent == 100 and job.finished_at is not None
    with job.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
        assert sheet.max_row == 1201
