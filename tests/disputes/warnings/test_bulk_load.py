"""A bulk load (the demo seed) queues no per-case warning evaluation: the periodic run covers
its cases (governance/bulk.py); outside one, each registration queues its evaluation."""
from __future__ import annotations

import pytest

from disputes.services.warnings import case_warnings_enqueue
from governance.bulk import bulk_load

pytestmark = pytest.mark.django_db


def test_a_bulk_load_queues_no_evaluation_per_case(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, bulk_load():
        case_warnings_enqueue(case_id=1, actor_id=None)
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        case_warnings_enqueue(case_id=1, actor_id=None)
    assert len(callbacks) == 1
