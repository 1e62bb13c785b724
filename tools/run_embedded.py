"""`make run`'s last step: the web server and the embedded Celery worker (with beat), side by side.

- Whichever stops first stops the other (a crash of one ends the pair with its exit status).
- Ctrl-C stops both and the command exits 0. On a terminal the pair runs in a process group of
  its own that owns the terminal, so the interrupt reaches the pair and not `make`: make
  re-raises an interrupt it receives itself and would end with status 130 (or report the
  recipe's error) whatever the recipe returned.
- SIGTERM or SIGHUP to this process stops both and exits 0. Sent to make's own pid, make still
  exits 143: it re-raises a fatal signal after its recipe ends, by design.
- Without a terminal (CI's smoke test, nohup) the pair stays in the caller's process group, so a
  signal to that group reaches all of them as before.

    python tools/run_embedded.py --host 127.0.0.1 --port 8000
    python tools/run_embedded.py --web "sleep 100" --worker "sleep 100"   (tests)
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
GRACE_SECONDS = 15  # celery's warm shutdown finishes the task in hand


def default_commands(host: str, port: str) -> tuple[list[str], list[str]]:
    bin_dir = Path(sys.executable).parent
    worker = [str(bin_dir / "celery"), "-A", "governance", "worker", "-B", "-s", "var/celerybeat-schedule",
              "-Q", "default,sweeps,notifications", "--concurrency", "1", "-l", "info"]
    web = [sys.executable, "manage.py", "runserver", f"{host}:{port}"]
    return worker, web


def _terminal() -> int | None:
    """The controlling terminal's descriptor when we are in its foreground, else None."""
    for fd in (0, 1, 2):
        with contextlib.suppress(OSError):
            if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp():
                return fd
    return None


def _signal(children: list[subprocess.Popen], sig: int) -> None:
    """The two main processes only: celery stops its pool, runserver's reloader its server."""
    for child in children:
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, sig)


def _default_signals() -> None:
    """In the child before exec: an ignored signal would be inherited (SIGTTOU is ignored here,
    SIGINT by a shell that started us in the background)."""
    for sig in (signal.SIGINT, signal.SIGTTOU):
        signal.signal(sig, signal.SIG_DFL)


def run(worker_cmd: list[str], web_cmd: list[str]) -> int:
    tty = _terminal()
    stop_requested = False
    children: list[subprocess.Popen] = []
    pgid: int | None = None

    def on_stop(signum, _frame) -> None:
        nonlocal stop_requested
        stop_requested = True
        _signal(children, signal.SIGTERM)

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_stop)
    # Handing the terminal back from a background group would stop us with SIGTTOU.
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)

    def start(cmd: list[str]) -> subprocess.Popen:
        group = {"process_group": pgid if pgid is not None else 0} if tty is not None else {}
        return subprocess.Popen(cmd, cwd=ROOT, restore_signals=True, preexec_fn=_default_signals, **group)

    try:
        children.append(start(worker_cmd))
        if tty is not None:
            pgid = children[0].pid
            os.tcsetpgrp(tty, pgid)  # Ctrl-C now reaches the pair, not make
        children.append(start(web_cmd))
        first_pid, first_status = os.wait()
        first = next(c for c in children if c.pid == first_pid)
        first.returncode = os.waitstatus_to_exitcode(first_status)
        _signal(children, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    finally:
        if tty is not None:
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty, os.getpgrp())
    print("stopped", flush=True)
    code = first.returncode
    # A stop we were asked for, or the pair ending on an interrupt or a terminate: not an error.
    if stop_requested or code in (0, -signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGINT, 128 + signal.SIGTERM):
        return 0
    return code if code > 0 else 128 - code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument("--worker", help="worker command instead of celery (a shell-quoted string)")
    parser.add_argument("--web", help="web command instead of runserver (a shell-quoted string)")
    args = parser.parse_args(argv)
    worker, web = default_commands(args.host, args.port)
    return run(shlex.split(args.worker) if args.worker else worker, shlex.split(args.web) if args.web else web)


if __name__ == "__main__":
    sys.exit(main())
