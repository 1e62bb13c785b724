"""`make run`'s pair of processes (tools/run_embedded.py): Ctrl-C on a terminal ends `make run`
with status 0 (it printed make's error and exited 130), a crash keeps its status, SIGTERM stops
both. Stand-in commands write their pid and sleep; `make` runs a throw-away Makefile."""
from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "run_embedded.py"


def stand_in(pid_file: Path, status: int | None = None) -> str:
    """A command that records its pid, then sleeps (or exits with `status` after a moment)."""
    tail = f"sleep 1; exit {status}" if status is not None else "exec sleep 300"
    return f"sh -c 'echo $$ > {pid_file}; {tail}'"


def wait_for(paths: list[Path], timeout: float = 20) -> list[int]:
    end = time.monotonic() + timeout
    while not all(p.exists() and p.read_text().strip() for p in paths):
        assert time.monotonic() < end, "the stand-in commands did not start"
        time.sleep(0.05)
    return [int(p.read_text()) for p in paths]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_ctrl_c_on_a_terminal_ends_make_run_with_status_0(tmp_path):
    worker, web = tmp_path / "worker.pid", tmp_path / "web.pid"
    command = f"{sys.executable} {SCRIPT} --worker \"{stand_in(worker)}\" --web \"{stand_in(web)}\""
    (tmp_path / "Makefile").write_text("run:\n\t@" + command.replace("$", "$$") + "\n")
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal session running make, as a person would
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execvp("make", ["make", "-C", str(tmp_path), "run"])
    output = b""
    try:
        pids = wait_for([worker, web])
        os.write(fd, b"\x03")  # Ctrl-C
        end = time.monotonic() + 20
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
        for path in (worker, web):  # a failed run leaves nothing behind
            if path.exists() and path.read_text().strip() and not gone(int(path.read_text())):
                os.kill(int(path.read_text()), signal.SIGKILL)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
    assert b"Error" not in output and b"Interrupt" not in output
    assert all(gone(p) for p in pids)


def test_a_crash_of_one_stops_the_other_and_keeps_its_status(tmp_path):
    worker, web = tmp_path / "worker.pid", tmp_path / "web.pid"
    run = subprocess.run([sys.executable, str(SCRIPT), "--worker", stand_in(worker), "--web", stand_in(web, 3)],
                         capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 3
    assert all(gone(p) for p in wait_for([worker, web]))


def test_sigterm_stops_both_with_status_0(tmp_path):
    worker, web = tmp_path / "worker.pid", tmp_path / "web.pid"
    process = subprocess.Popen([sys.executable, str(SCRIPT), "--worker", stand_in(worker), "--web", stand_in(web)],
                               stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    pids = wait_for([worker, web])
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert all(gone(p) for p in pids)


def test_make_run_starts_the_pair_through_the_script():
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "tools/run_embedded.py --host $(HOST) --port $(PORT)" in recipe
