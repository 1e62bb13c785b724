"""Helpers for the tests that run real Celery worker processes (marked celery_worker).

The worker is a subprocess with DATABASE_URL pointing at the live test database (so the
tests need PostgreSQL: SQLite's in-memory test database cannot be shared with another
process) and REDIS_URL at a dedicated Redis database (REDIS_DB), so other suites sharing
the Redis server are not disturbed. Without a reachable Redis the tests skip locally and
fail in CI (CI=1).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

REDIS_DB = 6
CELERY = str(Path(sys.executable).with_name("celery"))
QUEUES = "default,sweeps,notifications"


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false")


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI requires it)")
    pytest.skip(reason)


def redis_url() -> str:
    """REDIS_URL (or the local default) with the dedicated database number."""
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def require_services() -> str:
    import redis

    if connection.vendor != "postgresql":
        unavailable("real-worker tests need PostgreSQL (DATABASE_URL=postgres://…)")
    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is not reachable at {url}: {exc}")
    return url


def database_url() -> str:
    """URL of the live test database (pytest-django's test_<name>)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host = s["HOST"] or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Worker:
    """`celery -A governance worker` in its own process group (kill -9 takes all of it)."""

    def __init__(self, *, url: str, log_dir: Path, concurrency: int = 2):
        self.name = f"h6-{uuid.uuid4().hex[:8]}"
        self.log = log_dir / f"{self.name}.log"
        env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": url, "CONN_MAX_AGE": "0",
               "CELERY_TASK_ALWAYS_EAGER": "0", "PYTHONUNBUFFERED": "1"}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [CELERY, "-A", "governance", "worker", "-Q", QUEUES, "-c", str(concurrency),
                 "-n", f"{self.name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-l", "info"],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_until(lambda: "ready." in self.output() or self.process.poll() is not None, timeout=60,
                   what=f"worker {self.name} ready")
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited:\n{self.output()[-3000:]}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9 the worker and its pool processes, mid-whatever they are doing."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def sender(url: str) -> Celery:
    """A client app that sends tasks by name, as beat does."""
    app = Celery("h6-tests", broker=url, set_as_current=False)
    app.conf.broker_transport_options = {"visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT}
    app.conf.broker_connection_retry_on_startup = True
    return app


def send_sweep(url: str, **kwargs) -> None:
    app = sender(url)
    try:
        app.send_task("disputes.tasks.deadline_sweep_task", kwargs=kwargs, queue="sweeps")
    finally:
        app.close()


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
