"""The tasks are thin and registered in every process; beat runs the evaluation from the one
schedule in settings."""
from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.conf import settings

from disputes.models import EarlyWarning, WarningKind
from governance import clock
from tests.disputes.warnings.conftest import NOW, case_at

pytestmark = pytest.mark.django_db


def test_beat_evaluates_the_rules_from_the_one_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["evaluate-warnings"]
    assert entry["task"] == "disputes.tasks.warning_sweep_task"
    assert entry["schedule"] == settings.WARNING_SWEEP_INTERVAL_SECONDS
    for name in ("warning_sweep_task", "warnings_evaluate_case_task", "report_generate_task"):
        assert f"disputes.tasks.{name}" in current_app.tasks  # registered in the web process too


def test_tasks_evaluate_and_are_idempotent(people, only_rule, category):
    only_rule(WarningKind.GROUP, min_people=5)
    case = case_at(NOW - dt.timedelta(days=1), people.tree.village_a1x, category, people_involved=9)
    evaluate_case = current_app.tasks["disputes.tasks.warnings_evaluate_case_task"]
    sweep = current_app.tasks["disputes.tasks.warning_sweep_task"]
    with clock.frozen_at(NOW):
        assert evaluate_case.apply(args=(case.pk, None)).get() == {"raised": 1, "linked": 0}
        assert evaluate_case.apply(args=(case.pk, None)).get() == {"raised": 0, "linked": 0}
        assert sweep.apply().get() == {"raised": 0, "linked": 0}
    assert EarlyWarning.objects.count() == 1


def test_report_task_for_a_missing_or_superseded_version_does_nothing(db):
    generate = current_app.tasks["disputes.tasks.report_generate_task"]
    assert generate.apply(args=(999999, 1)).get() == "skipped"
