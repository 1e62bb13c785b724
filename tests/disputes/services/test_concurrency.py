"""Two real connections racing on PostgreSQL: exactly one dispatch wins, numbers never collide."""
import threading

import pytest
from django.db import connection, connections

from disputes import deadlines, services
from disputes.models import Case, CaseAssignment, CaseState
from governance.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    # Not serialized_rollback: restoring a snapshot after another transactional test's
    # flush re-inserts content types that post_migrate already recreated (duplicate key).
    # The seed rows these tests need come from the reference_data fixture instead.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(workers):
    """Run the callables in threads that start together; return their results/exceptions."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_dispatch_exactly_one_wins(world, monkeypatch):
    # given an accepted case and both dispatchers past their checks before either writes
    case = world.case_in(CaseState.ACCEPTED)
    gate = threading.Barrier(2)
    real = deadlines.step_changes

    def both_read_first(case_obj, step, now):
        gate.wait(timeout=10)
        return real(case_obj, step, now)

    monkeypatch.setattr(deadlines, "step_changes", both_read_first)
    # when two dispatches to different departments race
    results = _race([
        lambda: services.case_dispatch(actor=world.town_staff, case_id=case.pk, department_id=world.dept.pk),
        lambda: services.case_dispatch(actor=world.town_dispatcher, case_id=case.pk,
                                       department_id=world.other_handler.department_id),
    ])
    # then exactly one wins and the other gets a 409, never a 500
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "stale"
    assert CaseAssignment.objects.filter(case=case).count() == 1
    assert Case.objects.get(pk=case.pk).state == CaseState.DISPATCHED


def test_concurrent_registrations_draw_distinct_numbers(world):
    results = _race([lambda i=i: world.register(title=f"并发登记{i}") for i in range(4)])
    assert all(isinstance(r, Case) for r in results), results
    numbers = sorted(r.number for r in results)
    assert len(set(numbers)) == 4
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003", "0004"]
