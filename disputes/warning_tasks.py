"""Celery tasks of 研判预警 and 研判报告 (imported by disputes/tasks.py so the worker finds
them). Thin: take ids, call one service; every one is idempotent.

- `warnings_evaluate_case_task`: enqueued after a registration commits;
- `warning_sweep_task`: beat, every WARNING_SWEEP_INTERVAL_SECONDS (settings.CELERY_BEAT_SCHEDULE);
- `report_generate_task`: enqueued when a monthly report is requested.
"""
from __future__ import annotations

from celery import shared_task

from disputes.services.reports import report_generate
from disputes.services.warnings import warnings_evaluate_all, warnings_evaluate_case


@shared_task(name="disputes.tasks.warnings_evaluate_case_task", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=60, time_limit=90, ignore_result=True)
def warnings_evaluate_case_task(case_id: int, actor_id: int | None = None) -> dict[str, int]:
    result = warnings_evaluate_case(case_id=int(case_id), actor_id=int(actor_id) if actor_id else None)
    return {"raised": result.raised, "linked": result.linked}


@shared_task(name="disputes.tasks.warning_sweep_task", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=150, time_limit=180, ignore_result=True)
def warning_sweep_task() -> dict[str, int]:
    result = warnings_evaluate_all()
    return {"raised": result.raised, "linked": result.linked}


@shared_task(name="disputes.tasks.report_generate_task", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=150, time_limit=180, ignore_result=True)
def report_generate_task(report_id: int, version: int) -> str:
    return report_generate(report_id=int(report_id), version=int(version))
