"""The tasks (bodies run directly, eager in tests) and the recompute button with its progress."""
import threading

import pytest
from django.db import connection
from django.urls import reverse

from assessment import services
from assessment.models import AssessmentPeriod, PeriodKind, PeriodState, UnitScore
from assessment.tasks import period_compute_task, periods_recompute_task
from governance import clock
from governance.models import Role
from tests.assessment.test_periods import at, late_case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def months(tree):
    services.rubric_seed_default(region=tree.city, year=2026)
    services.periods_ensure(region=tree.city, year=2026, kinds=(PeriodKind.MONTH,))
    return {p.number: p for p in AssessmentPeriod.objects.filter(region=tree.city, kind=PeriodKind.MONTH)}


def test_the_nightly_task_computes_the_started_open_periods_only(tree, months):
    late_case(tree, tree.village_a1x, 8)
    with clock.frozen_at(at(20)):
        assert periods_recompute_task() == 11  # January … November; December not started
    assert AssessmentPeriod.objects.filter(state=PeriodState.COMPUTED).count() == 11
    assert not UnitScore.objects.filter(period=months[12]).exists()


def test_a_published_period_is_left_alone_by_the_task(tree, months):
    services.period_compute(period_id=months[11].pk)
    services.period_publish(actor=UserFactory(role=Role.ADMINISTRATOR, region=tree.city), period_id=months[11].pk)
    assert period_compute_task(months[11].pk) == "period_frozen"


def test_the_recompute_button_runs_the_task_and_shows_progress(client, tree, months, django_capture_on_commit_callbacks):
    admin = UserFactory(role=Role.ADMINISTRATOR, region=tree.city, is_staff=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:period_action", args=[months[11].pk, "compute"]))
    assert response.status_code == 302
    months[11].refresh_from_db()
    assert months[11].state == PeriodState.COMPUTED and months[11].progress == 100
    progress = client.get(reverse("assessment:period_progress", args=[months[11].pk])).content.decode()
    assert "100%" in progress and "hx-trigger" not in progress

    leader = UserFactory(role=Role.LEADER, region=tree.town_a1)
    client.force_login(leader)
    assert client.post(reverse("assessment:period_action", args=[months[10].pk, "compute"])).status_code == 403


@pytest.mark.postgres  # row locks need PostgreSQL
@pytest.mark.django_db(transaction=True)
def test_two_computations_at_once_write_one_set_of_rows(tree, months, reference_data):
    late_case(tree, tree.village_a1x, 8)
    errors = []

    def run():
        try:
            services.period_compute(period_id=months[11].pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert UnitScore.objects.filter(period=months[11]).count() == 3
