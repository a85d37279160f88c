"""The token file survives a power loss: the new pair reaches the disk before it replaces the old
one, and the rename reaches the disk before ``save`` returns (seen in the system calls)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import unavailable

PROJECT = Path(__file__).resolve().parents[3]
SAVE = (
    "import asyncio, sys; from pathlib import Path; from channels import FileTokenStore, TokenPair; "
    "asyncio.run(FileTokenStore(Path(sys.argv[1])).save(TokenPair('access-1', 'refresh-1')))"
)
CALL = re.compile(r"^(?:\d+\s+)?(openat|fsync|rename|renameat2?)\((.*)\)\s+=\s+(-?\d+)")


def traced_save(path: Path, trace: Path) -> list[tuple[str, str, int]]:
    """Save a pair in a child process under strace; its open/fsync/rename calls in order."""
    command = ["strace", "-f", "-o", str(trace), "-e", "trace=openat,fsync,rename,renameat,renameat2",
               sys.executable, "-c", SAVE, str(path)]  # fmt: skip
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=60)
    if done.returncode != 0 and "ptrace" in done.stderr:
        unavailable(f"strace cannot trace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    calls = [CALL.match(line) for line in trace.read_text().splitlines()]
    return [(m[1], m[2], int(m[3])) for m in calls if m]


def only(calls: list[tuple[str, str, int]], match: Callable[[str, str], bool]) -> int:
    """The position of the one call that matches."""
    [position] = [n for n, (name, args, _) in enumerate(calls) if match(name, args)]
    return position


def test_the_new_pair_is_synced_before_the_rename_and_the_directory_after(tmp_path: Path) -> None:
    if shutil.which("strace") is None:
        unavailable("strace is not installed (apt-get install strace)")
    path = tmp_path / "state" / "zalo.json"
    calls = traced_save(path, tmp_path / "trace.txt")

    rename = only(calls, lambda name, args: name.startswith("rename") and str(path) in args)
    temporary = re.findall(r'"([^"]+)"', calls[rename][1])[0]
    opened = only(calls, lambda name, args: name == "openat" and f'"{temporary}"' in args)
    directory = only(calls, lambda name, args: f'"{path.parent}", O_RDONLY' in args)
    assert ("fsync", str(calls[opened][2]), 0) in calls[opened:rename]
    assert rename < directory and ("fsync", str(calls[directory][2]), 0) in calls[directory:]
    assert path.read_text().count("refresh-1") == 1
