"""Real Celery processes for the fault tests: workers and beats on Redis database 8, the
simulated gateway on database 9, the live PostgreSQL test database (workers.py in
tests/disputes/escalation explains why PostgreSQL). Without Redis or PostgreSQL the tests
skip locally and fail in CI (CI=1)."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from django.conf import settings
from django.db import connection

from tests.disputes.escalation.workers import CELERY, QUEUES, database_url, unavailable, wait_until

BROKER_DB = 8
GATEWAY_DB = 9


def _redis_db(db: int) -> str:
    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


def broker_url() -> str:
    return _redis_db(BROKER_DB)


def gateway_url() -> str:
    return _redis_db(GATEWAY_DB)


def require_services() -> None:
    if connection.vendor != "postgresql":
        unavailable("fault tests need PostgreSQL (DATABASE_URL=postgres://…)")
    for url in (broker_url(), gateway_url()):
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            unavailable(f"Redis is not reachable at {url}: {exc}")


def process_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": broker_url(), "CONN_MAX_AGE": "0",
            "CELERY_TASK_ALWAYS_EAGER": "0", "PYTHONUNBUFFERED": "1",
            "NOTIFICATION_CHANNELS": "tests.faults.gateway.GatewayChannel", "FAULT_GATEWAY_URL": gateway_url(),
            "SWEEP_INTERVAL_SECONDS": "1", "NOTIFICATION_DRAIN_INTERVAL_SECONDS": "1", **extra}


class CeleryProcess:
    """`celery -A governance worker` (optionally with -B) or `celery -A governance beat`, in its
    own process group: kill() is kill -9 of the whole group, terminate() is SIGTERM to the main
    process only (what systemd's KillMode=mixed and `celery multi stop` do)."""

    def __init__(self, kind: str, *, log_dir: Path, beat: bool = False, concurrency: int = 2, queues: str = QUEUES,
                 wait: bool = True, **env: str):
        self.name = f"hops-{kind}-{uuid.uuid4().hex[:6]}"
        self.nodename = f"{self.name}@{socket.gethostname()}"
        self.log = log_dir / f"{self.name}.log"
        schedule = str(log_dir / f"{self.name}-schedule")
        if kind == "worker":
            args = ["worker", "-Q", queues, "-c", str(concurrency), "-n", self.nodename, "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "-l", "info"]
            if beat:
                args += ["-B", "-s", schedule]
            self.ready_line = "ready."
        else:
            args, self.ready_line = ["beat", "-s", schedule, "-l", "info"], "beat: Starting"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen([CELERY, "-A", "governance", *args], cwd=settings.BASE_DIR,
                                            env=process_env(**env), stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        if wait:
            self.wait_ready()

    def wait_ready(self) -> CeleryProcess:
        wait_until(lambda: self.ready_line in self.output() or self.process.poll() is not None, timeout=60,
                   what=f"{self.name} ready")
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited:\n{self.output()[-3000:]}")
        return self

    def consume(self, app) -> None:
        """A standby worker (started with queues="standby", beside the one about to fail, so
        the recovery does not wait for a start-up) takes over the real queues."""
        for queue in QUEUES.split(","):
            replies = app.control.add_consumer(queue, destination=[self.nodename], reply=True, timeout=10)
            assert replies, f"{self.nodename} did not answer add_consumer({queue})"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self) -> None:
        """SIGTERM to the main process only: warm shutdown (running tasks finish, unstarted
        messages go back to the queue)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        if self.process.poll() is None:
            self.kill()
        else:  # reap pool children left in the group, if any
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
