"""A real Celery worker on Redis and PostgreSQL: the nightly task and the button's task sent
twice at once compute the period once over (one set of rows, the same totals).

Uses the disputes suite's worker harness with this suite's own Redis database
(ASSESSMENT_REDIS_DB, default 5) so it never shares one with the sweep's worker tests.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from assessment import services
from assessment.models import AssessmentPeriod, IndicatorScore, PeriodKind, PeriodState, UnitScore
from tests.assessment.test_periods import late_case
from tests.disputes.escalation import workers
from tests.disputes.escalation.workers import Worker, flush_redis, sender, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_url(monkeypatch):
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = urlunsplit((parts.scheme, parts.netloc, f"/{os.environ.get('ASSESSMENT_REDIS_DB', '5')}", "", ""))
    monkeypatch.setattr(workers, "redis_url", lambda: url)
    workers.require_services()
    flush_redis(url)
    yield url
    flush_redis(url)


def test_two_deliveries_at_once_compute_the_period_once_over(tree, redis_url, tmp_path, reference_data):
    services.rubric_seed_default(region=tree.city, year=2026)
    services.periods_ensure(region=tree.city, year=2026, kinds=(PeriodKind.MONTH,))
    period = AssessmentPeriod.objects.get(region=tree.city, kind=PeriodKind.MONTH, number=11)
    late_case(tree, tree.village_a1x, 8)
    worker = Worker(url=redis_url, log_dir=tmp_path, concurrency=2)
    try:
        app = sender(redis_url)
        try:
            for _ in range(2):
                app.send_task("assessment.tasks.period_compute_task", args=[period.pk], queue="default")
        finally:
            app.close()
        wait_until(lambda: worker.output().count("succeeded") >= 2, timeout=60, what="two computations")
    finally:
        worker.stop()
    period.refresh_from_db()
    assert period.state == PeriodState.COMPUTED and period.progress == 100
    assert UnitScore.objects.filter(period=period).count() == 3
    assert IndicatorScore.objects.filter(unit_score__period=period).count() == 3 * 22
