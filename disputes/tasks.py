"""Periodic deadline sweep (queue "sweeps"). Thin: the work is disputes.sweep.

Beat sends `disputes.tasks.deadline_sweep_task` every SWEEP_INTERVAL_SECONDS
(settings.CELERY_BEAT_SCHEDULE). Each run sweeps ONE batch in one transaction and, when the
batch was full, requeues itself with the cursor. The task is idempotent (conditional updates,
unique Escalation and Notification rows), hence acks_late + reject_on_worker_lost: a worker
killed mid-batch rolls its transaction back and the message is delivered again.
"""
from __future__ import annotations

from celery import shared_task
from django.conf import settings

from disputes.exports import case_export_header, case_export_rows
from disputes.services.tally import unscoped_case_tally_refresh
from disputes.sweep import DEFAULT_BATCH_SIZE, deadline_sweep
from governance.exports import export_job_run
from governance.models import ExportJob
from governance.scoping import scope_for


@shared_task(
    name="disputes.tasks.deadline_sweep_task",
    acks_late=True,
    reject_on_worker_lost=True,
    # One batch of 5,000 takes about a second on PostgreSQL (docs/performance.md); the limits
    # only stop a batch stuck on a lock or a broken database. Both are far below the visibility timeout.
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def deadline_sweep_task(after_id: int = 0, batch_size: int | None = None) -> dict[str, int | None]:
    size = int(batch_size or getattr(settings, "SWEEP_BATCH_SIZE", DEFAULT_BATCH_SIZE))
    result = deadline_sweep(after_id=int(after_id), batch_size=size)
    if result.next_after_id is not None:
        deadline_sweep_task.apply_async(kwargs={"after_id": result.next_after_id, "batch_size": size}, queue="sweeps")
    return {"yellow": result.yellow, "red": result.red, "escalated": result.escalated, "urged": result.urged,
            "next_after_id": result.next_after_id}


@shared_task(
    name="disputes.tasks.case_export_task",
    acks_late=True,
    reject_on_worker_lost=True,
    # Within CELERY_LONGEST_TASK_SECONDS (the visibility timeout is sized from it): the
    # write-only writer does 100,000 rows in well under a minute.
    soft_time_limit=150,
    time_limit=180,
    ignore_result=True,
)
def case_export_task(job_id: int) -> None:
    """Write one background case-list export (idempotent: a claimed job is not written twice)."""
    job = ExportJob.objects.select_related("owner__region").get(pk=int(job_id))
    scope = scope_for(job.owner)
    rows = case_export_rows(scope=scope, filters=job.params.get("filters") or {},
                            reveal=bool(job.params.get("reveal")))
    export_job_run(job_id=job.pk, header=case_export_header(), rows=rows, title=job.title)


@shared_task(
    name="disputes.tasks.case_tally_refresh_task",
    acks_late=True,
    reject_on_worker_lost=True,
    # One count of 1,000,000 cases takes under a second on PostgreSQL (docs/performance.md);
    # idempotent (it recounts and writes the difference), so a redelivery only counts again.
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def case_tally_refresh_task() -> dict[str, float]:
    """Recount the dashboard's rollup of cases by region, state and card."""
    result = unscoped_case_tally_refresh()
    return {"keys": result.keys, "changed": result.changed, "seconds": result.seconds}


# 研判预警 and 研判报告: their own module, found by the worker through this import.
from disputes.warning_tasks import (  # noqa: E402, F401
    report_generate_task,
    warning_sweep_task,
    warnings_evaluate_case_task,
)
