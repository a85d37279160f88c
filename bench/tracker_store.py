"""Parse-to-reply latency of Rasa with the SQL tracker store on PostgreSQL (schema rasa, as in
production) against Rasa's in-memory tracker store, in the same run on the same machine: two Rasa
processes with the same model and action server, the report journey's steps posted straight to
their gateway channel (with its secret), the two stores taking turns journey by journey.
Loopback only; bounded by --rounds.

    .venv/bin/python bench/tracker_store.py [--rounds 20]"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx
from backend_env import bench_database, note, summary_ms, table
from backend_server import backend, free_port, running
from gateway_rasa import RASA_START_S, REPORT, WARMUP, DirectCitizen, skip_reason

from backend.adapters.db.rasa_tracker import rasa_tracker_url
from tests.e2e.stack import BotSecrets, actions_argv, rasa_argv

SERVICE_TOKEN = "bench-service-token"
STORES = ("in-memory", "SQL (PostgreSQL)")
STEPS = ("greeting", "report text", "location", "photo skipped", "confirmation")


def endpoints(path: Path, action_port: int, tracker_url: str | None) -> Path:
    """Rasa's endpoints: the action server and, when given, the SQL tracker store."""
    tracker = f"tracker_store:\n  type: SQL\n  url: {tracker_url}\n" if tracker_url else ""
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  headers:\n    Authorization: Bearer ${ACTION_TOKEN}\n" + tracker
    )
    return path


def journey(citizen: DirectCitizen, index: int) -> list[float]:
    """The report form's steps: seconds until Rasa answered each."""
    location = "/share_location" + json.dumps({"latitude": 15.57 + index / 1000, "longitude": 108.47})
    steps = [("xin chào", {}), (REPORT, {}), (location, {"latitude": 15.57, "longitude": 108.47}),
             ("/deny", {}), ("/affirm", {})]  # fmt: skip
    return [citizen.send(message, **metadata)[0] for message, metadata in steps]


def measure(rasa: dict[str, str], token: str, rounds: int) -> dict[str, dict[str, list[float]]]:
    """`rounds` journeys per store (after the warm-up), the stores taking turns."""
    samples = {store: {step: [] for step in STEPS} for store in STORES}
    with httpx.Client(timeout=60) as http:
        for index in range(rounds + WARMUP):
            for offset, store in enumerate(STORES):
                timings = journey(DirectCitizen(http, rasa[store], token, 2 * index + offset), index)
                for step, seconds in zip(STEPS, timings, strict=True):
                    if index >= WARMUP:
                        samples[store][step].append(seconds)
    return samples


def report(samples: dict[str, dict[str, list[float]]], rounds: int) -> None:
    """Per step and overall: p50 and p95 of each store, and the SQL store's cost."""
    rows = [_row(step, [samples[store][step] for store in STORES]) for step in STEPS]
    rows.append(_row("all steps", [[s for step in STEPS for s in samples[store][step]] for store in STORES]))
    table(f"Rasa parse-to-reply latency by tracker store ({rounds} report journeys each, ms)",
          ["step", "in-memory p50", "SQL p50", "cost p50", "in-memory p95", "SQL p95", "cost p95"],
          rows)  # fmt: skip


def _row(label: str, series: list[list[float]]) -> list[object]:
    memory, sql = summary_ms(series[0]), summary_ms(series[1])
    return [label, memory["p50"], sql["p50"], _cost(sql["p50"], memory["p50"]),
            memory["p95"], sql["p95"], _cost(sql["p95"], memory["p95"])]  # fmt: skip


def _cost(measured: float, baseline: float) -> str:
    return f"{measured - baseline:+.1f} ms ({100 * (measured / baseline - 1):+.0f} %)"


def run(rounds: int) -> None:
    """Start the backend, the action server and both Rasa processes; measure; print."""
    reason = skip_reason()
    if reason:
        note(f"SKIPPED tracker store latency: {reason}")
        return
    backend_port, action_port = free_port(), free_port()
    ports = {store: free_port() for store in STORES}
    rasa = {store: f"http://127.0.0.1:{port}" for store, port in ports.items()}
    secrets = BotSecrets()
    actions_env = {"BACKEND_URL": f"http://127.0.0.1:{backend_port}", "SERVICE_TOKEN": SERVICE_TOKEN,
                   **secrets.env()}  # fmt: skip
    with tempfile.TemporaryDirectory() as work, bench_database() as url:
        memory = endpoints(Path(work) / "memory.yml", action_port, None)
        sql = endpoints(Path(work) / "sql.yml", action_port, rasa_tracker_url(url))
        backend_env = {
            "DATABASE_URL": url,
            "SERVICE_TOKEN": SERVICE_TOKEN,
            "MEDIA_DIR": work,
            **secrets.env(),
        }
        started = time.perf_counter()
        with (
            backend(backend_env, port=backend_port),
            running(actions_argv(action_port), actions_env, f"http://127.0.0.1:{action_port}/health"),
            running([*rasa_argv(ports[STORES[0]], memory), "--quiet"], secrets.env(), f"{rasa[STORES[0]]}/",
                    timeout=RASA_START_S),
            running([*rasa_argv(ports[STORES[1]], sql), "--quiet"], secrets.env(), f"{rasa[STORES[1]]}/",
                    timeout=RASA_START_S),
        ):  # fmt: skip
            up = time.perf_counter() - started
            note(f"both Rasa up in {up:.0f} s; {rounds} journeys each (+{WARMUP} warm-up)")
            samples = measure(rasa, secrets.gateway_token, rounds)
    report(samples, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20, help="report journeys per tracker store")
    run(parser.parse_args().rounds)


if __name__ == "__main__":
    main()
