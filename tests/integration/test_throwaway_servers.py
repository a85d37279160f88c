"""scripts/test_servers.py in throw-away mode: it starts PostgreSQL and Redis that answer at the URLs
it gives the command, and leaves nothing behind when the command ends, fails or is interrupted."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test_servers.py"
# The command under the script: check both servers at the URLs it was given, then print them.
CHECK = """
import os, sys, time, psycopg, redis
assert psycopg.connect(os.environ["DATABASE_URL"]).execute("select 1").fetchone() == (1,)
assert redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
print("up", os.environ["DATABASE_URL"], os.environ["REDIS_URL"], flush=True)
time.sleep(float(sys.argv[1]))
sys.exit(int(sys.argv[2]))
"""


def start(seconds: float, exit_code: int) -> subprocess.Popen[str]:
    """The script in throw-away mode around CHECK, its log (stderr) piped."""
    command = [sys.executable, str(SCRIPT), sys.executable, "-c", CHECK, str(seconds), str(exit_code)]
    env = {**os.environ, "TEST_SERVERS": "throwaway"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def started(log: str) -> tuple[list[int], Path, list[int]]:
    """The server pids, data folder and ports from the script's `throw-away` log line."""
    line = next(line for line in log.splitlines() if "throw-away PostgreSQL" in line)
    assert re.search(r"PostgreSQL \d+\.\d+ .*Redis \d+\.\d+\.\d+", line)
    ports = [int(port) for port in re.findall(r"127\.0\.0\.1:(\d+)", line)]
    folder = Path(re.findall(r"data in (\S+)", line)[0])
    return [int(pid) for pid in re.findall(r"pid (\d+)", line)], folder, ports


def assert_nothing_left(pids: list[int], folder: Path, ports: list[int]) -> None:
    """Processes gone, folder removed, ports closed."""
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists()
    assert not folder.exists()
    for port in ports:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            raise AssertionError(f"something still listens on {port}")
        except ConnectionRefusedError:
            pass


def test_the_servers_answer_at_the_given_urls_and_are_removed_after() -> None:
    script = start(0, 0)
    out, log = script.communicate(timeout=180)
    assert script.returncode == 0, log
    pids, folder, ports = started(log)
    assert out.split()[1:] == [
        f"postgresql://postgres@127.0.0.1:{ports[0]}/postgres",
        f"redis://127.0.0.1:{ports[1]}/0",
    ]
    assert_nothing_left(pids, folder, ports)


def test_a_failing_command_keeps_its_exit_code_and_leaves_nothing() -> None:
    script = start(0, 3)
    out, log = script.communicate(timeout=180)
    assert script.returncode == 3 and out.startswith("up"), log
    assert_nothing_left(*started(log))


def test_ctrl_c_stops_the_command_and_removes_the_servers() -> None:
    script = start(120, 0)
    assert script.stdout is not None
    assert script.stdout.readline().startswith("up")  # both servers answered
    script.send_signal(signal.SIGINT)
    _, log = script.communicate(timeout=60)
    assert script.returncode == 130, log
    assert_nothing_left(*started(log))
