"""Background Excel exports (ExportJob): create, run, read — the kernel half. The owning app
decides what is exported (its scoped selector gives the rows) and runs `export_job_run` from
its own Celery task; the kernel stores the file and serves it to its owner only.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock
from governance.errors import NotFound
from governance.models import ExportJob, ExportStatus, User
from governance.xlsx import xlsx_write


@transaction.atomic
def export_job_create(*, owner: User, title: str, filename: str, kind: str, params: dict[str, Any],
                      rows_total: int) -> ExportJob:
    return ExportJob.objects.create(owner=owner, title=title[:100], filename=filename[:150], kind=kind,
                                    params=params, rows_total=rows_total)


def export_job_run(*, job_id: int, header: Sequence[Any], rows: Iterable[Sequence[Any]], title: str) -> ExportJob:
    """Write the rows to the job's file, reporting progress; idempotent: a finished job is
    left as it is (a duplicate delivery writes nothing twice)."""
    # Uses index: the primary key; the conditional update claims the job once.
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
            status=ExportStatus.RUNNING, updated_at=clock.now()):
        return ExportJob.objects.get(pk=job_id)
    job = ExportJob.objects.get(pk=job_id)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=done, updated_at=clock.now())

    try:
        with tempfile.TemporaryFile() as target:
            count = xlsx_write(target, title=title, header=header, rows=rows, progress=progress)
            target.seek(0)
            job.file.save(job.filename, File(target), save=False)
    except Exception as exc:
        ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.FAILED, error=str(exc)[:200],
                                                   finished_at=clock.now(), updated_at=clock.now())
        raise
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.DONE, file=job.file.name, rows_done=count, rows_total=count,
        finished_at=clock.now(), updated_at=clock.now())
    job.refresh_from_db()
    return job


def export_job_get(*, user: User, job_id: Any) -> ExportJob:
    """The user's own export job; anyone else's, or a missing one, is NotFound."""
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise NotFound(_("未找到该导出任务")) from None
    # Uses index: the primary key (the owner is checked in the same WHERE)
    job = ExportJob.objects.filter(pk=pk, owner_id=user.pk).first()
    if job is None:
        raise NotFound(_("未找到该导出任务"))
    return job
