"""Givens for the fault tests: clean Redis databases 8 (broker) and 9 (gateway), real Celery
processes stopped at the end, the in-process code sending through the same gateway, and a
helper that prints each scenario's figures for the closing report."""
from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
import redis
from django.conf import settings

from governance.models import RegionLevel
from tests.disputes.escalation.workers import sender, wait_until
from tests.faults.processes import CeleryProcess, broker_url, gateway_url, require_services


@pytest.fixture
def services(monkeypatch, settings):
    require_services()
    for url in (broker_url(), gateway_url()):
        redis.Redis.from_url(url).flushdb()
    monkeypatch.setenv("FAULT_GATEWAY_URL", gateway_url())
    settings.NOTIFICATION_CHANNELS = ["tests.faults.gateway.GatewayChannel"]
    yield
    for url in (broker_url(), gateway_url()):
        redis.Redis.from_url(url).flushdb()


@pytest.fixture
def procs(services, tmp_path):
    started: list[CeleryProcess] = []

    def start(kind: str = "worker", **kwargs) -> CeleryProcess:
        process = CeleryProcess(kind, log_dir=tmp_path, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:  # the scenario is over: no need to wait for a warm shutdown
        process.kill()


@pytest.fixture
def broker_app():
    app = sender(broker_url())
    app.conf.task_routes = settings.CELERY_TASK_ROUTES  # the queues beat and producers use
    yield app
    app.close()


@pytest.fixture
def send(broker_app):
    """send(task_name, args=…, kwargs=…): as beat or a producer would, by name, on Redis 8."""

    def send_task(name: str, **kwargs) -> None:
        broker_app.send_task(name, **kwargs)

    return send_task


@pytest.fixture
def ticking(send):
    """ticking(done, tasks): a beat in the test — send `tasks` every second until done()."""

    def run(done, tasks: list[tuple[str, dict]], *, timeout: float, what: str) -> None:
        def tick():
            if done():
                return True
            for name, kwargs in tasks:
                send(name, kwargs=kwargs)
            return False

        wait_until(tick, timeout=timeout, what=what, interval=1.0)

    return run


@pytest.fixture
def policies(reference_data):
    from disputes.models import EscalationPolicy

    for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
        EscalationPolicy.objects.get_or_create(level=level, category=None, risk_grade=None,
                                               defaults={"yellow_ratio": Decimal("0.80"), "escalate_after_hours": 0})


def report(scenario: str, **figures) -> None:
    """One line per scenario (collected for the issue's closing note)."""
    print(f"\nFAULT {scenario}: {json.dumps(figures, ensure_ascii=False)}")


class Stopwatch:
    def __init__(self):
        self.started = time.monotonic()

    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 2)
