"""Task bodies called directly, and the operators' command."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from disputes import tasks
from disputes.models import Case, CaseEvent, Escalation
from governance.celery import app as celery_app
from governance.models import RegionLevel

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_sweep_task_requeues_itself_with_the_cursor_when_the_batch_was_full(make_case, monkeypatch):
    # Given three overdue cases and a batch size of two
    now = dt.datetime.now(dt.UTC)
    cases = [make_case(start=now - 10 * H, due=now - H) for _ in range(3)]
    sent = []
    monkeypatch.setattr(tasks.deadline_sweep_task, "apply_async",
                        lambda **options: sent.append(options))

    # When the task body runs (as beat starts it), then as the requeued message would run it
    first = tasks.deadline_sweep_task(batch_size=2)
    second = tasks.deadline_sweep_task(**sent[0]["kwargs"])

    # Then the first batch requeued the cursor on the sweeps queue and the second finished
    assert first["escalated"] == 2 and first["next_after_id"] == cases[1].pk
    assert sent[0] == {"kwargs": {"after_id": cases[1].pk, "batch_size": 2}, "queue": "sweeps"}
    assert second["escalated"] == 1 and second["next_after_id"] is None and len(sent) == 1
    assert Escalation.objects.count() == 3


def test_sweep_task_is_declared_for_at_least_once_delivery():
    task = tasks.deadline_sweep_task
    assert task.name == "disputes.tasks.deadline_sweep_task"  # the beat entry's name
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert celery_app.amqp.router.route({}, task.name)["queue"].name == "sweeps"
    assert task.soft_time_limit < task.time_limit < 3600


def test_command_dry_run_changes_nothing_then_the_real_run_does(make_case, now, capsys):
    overdue = make_case(start=now - 10 * H, due=now - H)
    make_case(start=now - 9 * H, due=now + H)

    call_command("sweep_deadlines", "--dry-run", "--now", now.isoformat())
    dry = capsys.readouterr().out
    assert "[dry run]" in dry and "yellow 1, red 1, escalated 1" in dry and overdue.number in dry
    assert not Escalation.objects.exists() and not CaseEvent.objects.exists()

    call_command("sweep_deadlines", "--now", now.isoformat(), "--batch-size", "1")
    out = capsys.readouterr().out
    assert "yellow 1, red 1, escalated 1" in out and f"{overdue.number}→county" in out
    assert Case.objects.get(pk=overdue.pk).owning_level == RegionLevel.COUNTY

    call_command("sweep_deadlines", "--now", now.isoformat())
    assert "yellow 0, red 0, escalated 0" in capsys.readouterr().out
