"""Two dispatchers acknowledging one warning at once on PostgreSQL: one wins, the other
gets a Conflict (409 in the API, a message on the page)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from disputes.models import EarlyWarning, WarningKind, WarningState
from disputes.services import warning_follow
from disputes.services.warnings import warnings_evaluate_all
from governance import clock
from governance.errors import Conflict
from tests.disputes.services.test_concurrency import _race
from tests.disputes.warnings.conftest import NOW, case_at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def test_concurrent_acknowledgements_exactly_one_wins(people, only_rule, category, monkeypatch):
    only_rule(WarningKind.GROUP, min_people=5)
    case_at(NOW - dt.timedelta(days=1), people.tree.village_a1x, category, people_involved=9)
    with clock.frozen_at(NOW):
        warnings_evaluate_all()
    warning = EarlyWarning.objects.get()
    # Both read the open warning before either writes
    gate = threading.Barrier(2)
    real = warning_follow.warning_get

    def both_read_first(**kwargs):
        found = real(**kwargs)
        gate.wait(timeout=10)
        return found

    monkeypatch.setattr(warning_follow, "warning_get", both_read_first)
    results = _race([
        lambda: warning_follow.warning_acknowledge(actor=people.town_dispatcher, warning_id=warning.pk, note="甲"),
        lambda: warning_follow.warning_acknowledge(actor=people.county_dispatcher, warning_id=warning.pk, note="乙"),
    ])

    wins = [r for r in results if isinstance(r, EarlyWarning)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    stored = EarlyWarning.objects.get(pk=warning.pk)
    assert stored.state == WarningState.ACKNOWLEDGED and stored.note == wins[0].note
