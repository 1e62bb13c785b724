"""Assessment tasks (thin: the work is assessment.services.periods).

- `periods_recompute_task`: beat sends it nightly (settings.CELERY_BEAT_SCHEDULE); it
  enqueues one `period_compute_task` per open or computed period that has started.
- `period_compute_task(period_id)`: one period, also sent by the administrators' recompute
  button. Idempotent: the period's row lock serialises two runs, and a second run writes the
  same rows; a published or locked period is left alone (the Conflict is swallowed).
"""
from __future__ import annotations

from celery import shared_task

from assessment.services.periods import open_periods_due, period_compute, period_progress_set
from governance import clock
from governance.errors import Conflict


@shared_task(name="assessment.tasks.period_compute_task", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=150, time_limit=180, ignore_result=True)
def period_compute_task(period_id: int) -> str:
    try:
        period_compute(period_id=int(period_id), progress=lambda pct: period_progress_set(period_id=period_id, pct=pct))
    except Conflict as conflict:
        return conflict.code
    return "computed"


@shared_task(name="assessment.tasks.periods_recompute_task", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True, soft_time_limit=60, time_limit=90)
def periods_recompute_task() -> int:
    ids = open_periods_due(today=clock.localdate())
    for period_id in ids:
        period_compute_task.delay(period_id)
    return len(ids)
