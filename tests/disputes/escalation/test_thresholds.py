"""Stamped sweep thresholds: what the sweep's index probes read, policy edits, the re-stamp
command, constant-cost empty sweeps and bounded results."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.deadlines import thresholds_recompute
from disputes.models import Case, WarningLevel
from disputes.sweep import SAMPLE_LIMIT, SweepChange, SweepResult, deadline_sweep, deadline_sweep_all
from governance.models import RegionLevel

pytestmark = pytest.mark.django_db
S = dt.timedelta(seconds=1)
H = dt.timedelta(hours=1)


def test_thresholds_are_stamped_from_the_policy(make_case, now, township_policy):
    # Given the township default: yellow at 80% of the step, escalation 3 h after red
    township_policy.escalate_after_hours = 3
    township_policy.save()
    case = make_case(start=now - 10 * H, due=now - S)

    # Then the yellow threshold is 80% into the step and nothing escalates before red
    assert case.yellow_at == now - 2 * H - 0.8 * S and case.escalate_at is None

    # When the red card is set, the escalation threshold is stamped with it
    deadline_sweep(now=now)
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.RED and case.escalate_at == now + 3 * H


def test_red_at_the_top_level_has_no_escalation_threshold(make_case, now, tree):
    case = make_case(start=now - 10 * H, due=now - S, owning_level=RegionLevel.CITY, owning_region=tree.city)

    result = deadline_sweep_all(now=now)

    case.refresh_from_db()
    assert (result.red, case.warning_level, case.escalate_at) == (1, WarningLevel.RED, None)


def test_policy_edit_applies_to_later_steps_until_thresholds_are_recomputed(make_case, now, township_policy):
    # Given a running step stamped under the 80% default
    running = make_case(start=now - 10 * H, due=now + 10 * H)  # yellow at now + 6 h

    # When the policy moves yellow to 50% (now - 10 h + 10 h = now)
    township_policy.yellow_ratio = "0.50"
    township_policy.save()
    later = make_case(start=now - 10 * H, due=now + 10 * H)

    # Then only the step started after the edit uses it
    first = deadline_sweep_all(now=now + S)
    running.refresh_from_db()
    later.refresh_from_db()
    assert first.yellow == 1
    assert (running.warning_level, later.warning_level) == (WarningLevel.NONE, WarningLevel.YELLOW)

    # And after the re-stamp the running step follows the edited policy too
    assert thresholds_recompute() == 1
    assert thresholds_recompute() == 0  # nothing left to change
    second = deadline_sweep_all(now=now + S)
    running.refresh_from_db()
    assert second.yellow == 1 and running.warning_level == WarningLevel.YELLOW


def test_command_recomputes_thresholds_before_sweeping(make_case, now, township_policy, capsys):
    running = make_case(start=now - 10 * H, due=now + 10 * H)
    township_policy.yellow_ratio = "0.50"
    township_policy.save()

    call_command("sweep_deadlines", "--dry-run", "--recompute-thresholds", f"--now={(now + S).isoformat()}")
    dry = capsys.readouterr().out
    running.refresh_from_db()
    assert "1 cases would change" in dry and "yellow 1" in dry
    assert running.yellow_at == now - 10 * H + 16 * H and running.warning_level == WarningLevel.NONE

    call_command("sweep_deadlines", "--recompute-thresholds", f"--now={(now + S).isoformat()}")
    out = capsys.readouterr().out
    running.refresh_from_db()
    assert "1 cases changed" in out and "yellow 1" in out
    assert running.yellow_at == now and running.warning_level == WarningLevel.YELLOW


@pytest.mark.parametrize("kind", ["on time", "yellow", "red, escalation later"])
def test_empty_sweep_costs_the_same_for_2_and_10_cases(make_case, now, township_policy, kind):
    township_policy.escalate_after_hours = 1000
    township_policy.save()

    def queries_of_an_empty_sweep(n: int) -> int:
        Case.objects.all().delete()
        for _ in range(n):
            if kind == "on time":
                make_case(start=now - H, due=now + 100 * H)
            else:
                make_case(start=now - 10 * H, due=now + H if kind == "yellow" else now - S)
        deadline_sweep_all(now=now)  # the cards these cases are due
        with CaptureQueriesContext(connection) as queries:
            result = deadline_sweep_all(now=now)
        assert (result.yellow, result.red, result.escalated) == (0, 0, 0)
        return len(queries)

    assert queries_of_an_empty_sweep(2) == queries_of_an_empty_sweep(10)


def test_result_keeps_counts_and_a_bounded_sample():
    def batch(start: int, n: int) -> SweepResult:
        changes = tuple(SweepChange("red", i, f"N{i}") for i in range(start, start + n))
        return SweepResult(red=n, changes=changes[:SAMPLE_LIMIT])

    total = SweepResult()
    for start in range(0, 10 * SAMPLE_LIMIT, SAMPLE_LIMIT):
        total = total + batch(start, SAMPLE_LIMIT) + SweepResult(yellow=1, changes=(SweepChange("yellow", -1, "Y"),))

    assert total.red == 10 * SAMPLE_LIMIT and total.yellow == 10
    assert [c.case_id for c in total.changes if c.kind == "red"] == list(range(SAMPLE_LIMIT))
    assert sum(c.kind == "yellow" for c in total.changes) == 10
