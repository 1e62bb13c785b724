"""Tenures (no overlap), training, and field work (patrols, screening with zero reports, hazards)."""
import datetime as dt

import pytest

from governance.clock import frozen_at
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Role
from grids.models import GridWorkerAssignment, Screening
from grids.services import (
    hazard_follow_up,
    hazard_record,
    patrol_record,
    screening_file,
    tenure_assign,
    tenure_end,
    training_record,
)
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with frozen_at(NOW):
        yield


@pytest.fixture
def world(tree):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    grid = GridFactory(region=tree.village_a1x)
    return clerk, worker, grid


def test_assign_and_end_a_tenure(world):
    clerk, worker, grid = world
    tenure = tenure_assign(actor=clerk, grid_id=grid.pk, worker_id=worker.pk, started_on=dt.date(2026, 1, 1),
                           employment="part_time")
    tenure_end(actor=clerk, tenure_id=tenure.pk, ended_on=dt.date(2026, 6, 1), reason="辞职")
    tenure.refresh_from_db()
    assert (tenure.employment, tenure.ended_on, tenure.end_reason) == ("part_time", dt.date(2026, 6, 1), "辞职")
    with pytest.raises(Conflict, match="该任职已结束"):
        tenure_end(actor=clerk, tenure_id=tenure.pk, ended_on=dt.date(2026, 6, 2))


@pytest.mark.parametrize(("start", "end"), [
    (dt.date(2026, 3, 1), None),  # open, starting inside the old range
    (dt.date(2025, 1, 1), dt.date(2026, 2, 1)),  # closed, reaching into it
    (dt.date(2026, 5, 31), None),  # the last day is shared
])
def test_overlapping_tenures_are_refused(world, start, end):
    clerk, worker, grid = world
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2026, 1, 1),
                                        ended_on=dt.date(2026, 5, 31))
    with pytest.raises(Conflict, match="与本次任职时间重叠") as exc:
        tenure_assign(actor=clerk, grid_id=grid.pk, worker_id=worker.pk, started_on=start, ended_on=end)
    assert exc.value.code == "tenure_overlap"
    assert GridWorkerAssignment.objects.count() == 1


def test_a_tenure_after_the_last_one_is_fine(world):
    clerk, worker, grid = world
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2026, 1, 1),
                                        ended_on=dt.date(2026, 5, 31))
    tenure_assign(actor=clerk, grid_id=grid.pk, worker_id=worker.pk, started_on=dt.date(2026, 6, 1))
    assert GridWorkerAssignment.objects.filter(ended_on__isnull=True).count() == 1


def test_the_database_refuses_a_second_open_tenure_and_a_backwards_one(world):
    from django.db import IntegrityError, transaction
    _, worker, grid = world
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2026, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2026, 3, 1),
                                            ended_on=dt.date(2026, 2, 1))


def test_a_worker_outside_the_grid_s_village_or_the_scope(tree, world):
    clerk, _, grid = world
    neighbour = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1y)
    with pytest.raises(InvalidInput, match="不在网格员.*的管辖区划内"):
        tenure_assign(actor=clerk, grid_id=grid.pk, worker_id=neighbour.pk, started_on=dt.date(2026, 1, 1))
    elsewhere = UserFactory(role=Role.GRID_WORKER, region=tree.village_a2x)
    with pytest.raises(NotFound):
        tenure_assign(actor=clerk, grid_id=grid.pk, worker_id=elsewhere.pk, started_on=dt.date(2026, 1, 1))


def test_training_is_recorded_with_hours(world):
    clerk, worker, _ = world
    training = training_record(actor=clerk, worker_id=worker.pk, held_on=dt.date(2026, 5, 1), topic="调解技巧",
                               hours="2.5")
    assert (str(training.hours), training.village_id) == ("2.5", worker.region_id)
    with pytest.raises(InvalidInput, match="学时应在"):
        training_record(actor=clerk, worker_id=worker.pk, held_on=dt.date(2026, 5, 1), topic="x", hours=0)


def test_a_worker_records_patrols_only_on_a_grid_they_hold(tree, world):
    clerk, worker, grid = world
    with pytest.raises(Forbidden, match="您目前不负责网格"):
        patrol_record(actor=worker, grid_id=grid.pk, patrolled_on=dt.date(2026, 6, 15), route="幸福路")
    tenure_assign(actor=clerk, grid_id=grid.pk, worker_id=worker.pk, started_on=dt.date(2026, 1, 1))
    patrol = patrol_record(actor=worker, grid_id=grid.pk, patrolled_on=dt.date(2026, 6, 15), route="幸福路",
                           findings="路灯损坏")
    assert (patrol.township_id, patrol.findings) == (tree.town_a1.pk, "路灯损坏")
    with pytest.raises(InvalidInput, match="日期不能晚于今天"):
        patrol_record(actor=worker, grid_id=grid.pk, patrolled_on=dt.date(2026, 6, 16), route="幸福路")
    with pytest.raises(InvalidInput, match="请填写巡查地点/路线"):
        patrol_record(actor=worker, grid_id=grid.pk, patrolled_on=dt.date(2026, 6, 15), route=" ")


def test_screening_zero_report_once_per_month(world):
    clerk, _, grid = world
    first = screening_file(actor=clerk, grid_id=grid.pk, period_start=dt.date(2026, 6, 9), disputes_found=0)
    assert (first.zero_report, first.period_start, first.filed_on) == (True, dt.date(2026, 6, 1), dt.date(2026, 6, 15))
    with pytest.raises(Conflict, match="2026-06 的排查已填报"):
        screening_file(actor=clerk, grid_id=grid.pk, period_start=dt.date(2026, 6, 1), disputes_found=2, notes="x")
    with pytest.raises(InvalidInput, match="请填写排查情况"):
        screening_file(actor=clerk, grid_id=grid.pk, period_start=dt.date(2026, 5, 1), disputes_found=2)
    with pytest.raises(InvalidInput, match="未来月份"):
        screening_file(actor=clerk, grid_id=grid.pk, period_start=dt.date(2026, 7, 1), disputes_found=0)
    assert Screening.objects.count() == 1


def test_hazard_deadline_and_follow_up(world):
    clerk, _, grid = world
    with pytest.raises(InvalidInput, match="整改期限不能早于排查日期"):
        hazard_record(actor=clerk, grid_id=grid.pk, inspected_on=dt.date(2026, 6, 10), location="菜市场",
                      description="消防通道堵塞", rectify_by=dt.date(2026, 6, 9))
    hazard = hazard_record(actor=clerk, grid_id=grid.pk, inspected_on=dt.date(2026, 6, 10), location="菜市场",
                           description="消防通道堵塞", rectify_by=dt.date(2026, 6, 20))
    hazard_follow_up(actor=clerk, hazard_id=hazard.pk, note="已督促清理", rectified=False)
    done = hazard_follow_up(actor=clerk, hazard_id=hazard.pk, note="已清理", rectified=True)
    assert done.rectified_on == dt.date(2026, 6, 15)
    with pytest.raises(Conflict, match="已整改完成"):
        hazard_follow_up(actor=clerk, hazard_id=hazard.pk, note="再次", rectified=True)
