"""Database connections killed (pg_terminate_backend, as a failover, a restart or an
administrator does): in the middle of a case registration the request gets a clear error and
nothing of the case is saved; the next request works. An idle connection killed between
requests is replaced without an error. PostgreSQL only."""
from __future__ import annotations

import time

import psycopg2
import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

import disputes.services.core
from disputes.models import Case, CaseEvent, CaseParty
from governance.models import Notification, Role
from tests.disputes.api.conftest import CASES_URL, case_payload
from tests.factories import CategoryFactory, UserFactory
from tests.faults.conftest import report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        from tests.disputes.escalation.workers import unavailable

        unavailable("database fault tests need PostgreSQL (DATABASE_URL=postgres://…)")


def terminate(pid: int) -> None:
    """pg_terminate_backend(pid) from a second connection (an administrator's session)."""
    s = connection.settings_dict
    admin = psycopg2.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                             host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    admin.close()


def backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


@pytest.fixture
def api(tree):
    client = APIClient(raise_request_exception=False)
    client.force_login(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))
    return client


@pytest.fixture
def payload(tree, reference_data):
    return case_payload(tree.village_a1x, CategoryFactory())


def test_connection_killed_mid_registration_saves_nothing_and_the_next_request_works(api, payload, monkeypatch):
    # Given a registration that loses its database connection after the case, its parties and
    # its timeline row were written, just before its notifications
    original = disputes.services.core.notifications_create
    killed = []

    def kill_then_continue(**kwargs):
        if not killed:
            killed.append(backend_pid())
            terminate(killed[0])
        return original(**kwargs)

    monkeypatch.setattr(disputes.services.core, "notifications_create", kill_then_continue)

    # When the request is made
    response = api.post(CASES_URL, payload, format="json")

    # Then it gets a clear error (the API's JSON body, no traceback) and nothing is half-saved
    assert killed and response.status_code in (500, 503), response.content
    body = response.json()
    assert set(body) == {"message", "code", "extra"} and "Traceback" not in response.content.decode()
    close_old_connections()  # what Django does at the end of every request
    assert (Case.objects.count(), CaseParty.objects.count(), CaseEvent.objects.count(),
            Notification.objects.count()) == (0, 0, 0, 0)

    # and the next request works, on a new connection, and draws the first case number
    started = time.monotonic()
    again = api.post(CASES_URL, payload, format="json")
    recovered = round(time.monotonic() - started, 3)
    assert again.status_code == 201, again.content
    assert backend_pid() != killed[0]
    assert Case.objects.get().number.endswith("0001")  # the killed request's number was rolled back too
    report("database connection killed mid-request", status=response.status_code, half_saved=0,
           next_request_status=again.status_code, next_request_seconds=recovered)


def test_idle_connection_killed_between_requests_is_replaced_without_an_error(api, payload):
    # Given a persistent connection (CONN_MAX_AGE) left idle after a request
    assert api.get(CASES_URL).status_code == 200
    pid = backend_pid()

    # When the database drops it (failover, restart, idle timeout)
    terminate(pid)

    # Then the next request's health check replaces it and the request succeeds
    close_old_connections()  # request_started: CONN_HEALTH_CHECKS checks the connection before use
    response = api.post(CASES_URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert backend_pid() != pid
    report("idle database connection killed", next_request_status=response.status_code)
