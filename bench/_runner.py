"""Runs the benchmark systems: each training and each evaluation in a child process."""

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from _nludata import Entity, Example, dump_json

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORKER = BENCH / "_worker.py"


@dataclass(frozen=True)
class System:
    name: str
    kind: str  # "rasa" or "tfidf"
    config: Path | None = None  # effective Rasa config (rasa only)


@dataclass(frozen=True)
class TrainSet:
    rasa_path: Path  # Rasa NLU file or folder
    examples: list[Example]


@dataclass
class SystemRun:
    system: System
    train_seconds: float  # inside the process, after imports
    train_wall_seconds: float  # the whole training process, as `rasa train nlu` would take
    train_cpu_seconds: float  # user + system CPU of the training process: less sensitive to load
    train_peak_rss_mb: float
    serve_peak_rss_mb: float
    load_seconds: float | None
    intents: list[str]
    entities: list[list[Entity]]
    latencies_ms: list[float] = field(repr=False)
    cpu_ms: list[float] = field(repr=False, default_factory=list)  # CPU time of each parse, all threads


def run_system(system: System, train: TrainSet, test: list[Example], workdir: Path, warmup: int) -> SystemRun:
    """Train one system, then parse the test texts with it; both in child processes."""
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    trained, train_usage = _train(system, train, workdir)
    train_wall = time.perf_counter() - start
    texts = workdir / "texts.json"
    texts.write_text(json.dumps([ex.text for ex in test], ensure_ascii=False), encoding="utf-8")
    result = workdir / "eval.json"
    evaluated, serve_usage = _work(
        [f"eval-{system.kind}", trained["model"], str(texts), str(result), str(warmup)], result, workdir
    )
    predictions = evaluated["predictions"]
    return SystemRun(
        system=system,
        train_seconds=trained["train_seconds"],
        train_wall_seconds=train_wall,
        train_cpu_seconds=train_usage.ru_utime + train_usage.ru_stime,
        train_peak_rss_mb=peak_rss_mb(train_usage),
        serve_peak_rss_mb=peak_rss_mb(serve_usage),
        load_seconds=evaluated.get("load_seconds"),
        intents=[p["intent"] for p in predictions],
        entities=[[Entity(**e) for e in p["entities"]] for p in predictions],
        latencies_ms=evaluated["latencies_ms"],
        cpu_ms=evaluated.get("cpu_ms", []),
    )


def _train(system: System, train: TrainSet, workdir: Path) -> tuple[dict, resource.struct_rusage]:
    result = workdir / "train.json"
    if system.kind == "rasa":
        args = ["train-rasa", str(system.config), str(train.rasa_path), str(workdir / "model"), str(result)]
        return _work(args, result, workdir)
    examples = workdir / "train_examples.json"
    dump_json(train.examples, examples)
    return _work(["train-tfidf", str(examples), str(workdir / "tfidf.pkl"), str(result)], result, workdir)


def _work(args: list[str], result: Path, workdir: Path) -> tuple[dict, resource.struct_rusage]:
    """Run the worker; return its JSON result and its resource usage."""
    log_path = workdir / f"{args[0]}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), *args], cwd=REPO, env=_worker_env(workdir), stdout=log, stderr=log
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"worker {args[0]} failed ({proc.returncode}); log {log_path}:\n{tail}")
    return json.loads(result.read_text(encoding="utf-8")), usage


def peak_rss_mb(usage: resource.struct_rusage) -> float:
    """Peak resident memory in MB (Linux reports kilobytes)."""
    return usage.ru_maxrss / 1024


def _worker_env(workdir: Path) -> dict[str, str]:
    """Quiet logs, a private empty Rasa cache (no cached training steps), our repo importable."""
    cache = workdir / "rasa_cache"
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "RASA_CACHE_DIRECTORY": str(cache),
        "RASA_MAX_CACHE_SIZE": "0",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "LOG_LEVEL": "WARNING",
        "RASA_TELEMETRY_ENABLED": "false",
    }
