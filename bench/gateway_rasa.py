"""End-to-end latency webhook → bot reply on Telegram through the gateway, against a direct call
to Rasa's REST channel in the same run (a greeting: no custom action, no action server)."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import httpx
from backend_env import ROOT, bench_database, note, summary_ms, table
from backend_server import backend, free_port, running
from gateway_load import gateway_env, telegram_request

from tests.fakes import FakeTelegramServer, FakeZaloServer
from tests.fakes._http import FakeRequest, FakeResponse

RASA = ROOT / ".venv-bot" / "bin" / "rasa"
MODELS = ROOT / "models"
GREETING = "xin chào"
REPLY_TIMEOUT_S = 30.0
RASA_START_S = 400.0


class TimedTelegram(FakeTelegramServer):
    """The fake Telegram API, noting when the first sendMessage to each chat arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}
        self.changed = threading.Condition()

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer like the fake, then note the arrival."""
        response = super().handle(request)
        if request.path.endswith("/sendMessage"):
            chat = request.form()[0].get("chat_id", "")
            with self.changed:
                self.arrived.setdefault(chat, time.perf_counter())
                self.changed.notify_all()
        return response

    def wait_for(self, chat: str) -> float:
        """The arrival time of the first message to `chat` (raises after REPLY_TIMEOUT_S)."""
        with self.changed:
            if not self.changed.wait_for(lambda: chat in self.arrived, REPLY_TIMEOUT_S):
                raise RuntimeError(f"no bot reply reached chat {chat}")
            return self.arrived[chat]


def skip_reason() -> str | None:
    """Why this part cannot run here, or None."""
    if not RASA.exists():
        return f"{RASA.relative_to(ROOT)} is missing (make setup-bot)"
    if not any(MODELS.glob("*.tar.gz")):
        return "models/ holds no trained model (make train)"
    return None


def _rasa_args(port: int) -> list[str]:
    files = ["--credentials", "bot/credentials.yml", "--endpoints", "bot/endpoints.yml"]
    return [str(RASA), "run", "--enable-api", "--model", str(MODELS), "--port", str(port), *files, "--quiet"]


def _direct(http: httpx.Client, rasa: str, sender: str) -> float:
    start = time.perf_counter()
    answer = http.post(f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": GREETING})
    answer.raise_for_status()
    if not answer.json():
        raise RuntimeError("Rasa answered the greeting with no message")
    return time.perf_counter() - start


def _through_gateway(http: httpx.Client, base: str, telegram: TimedTelegram, chat: int) -> float:
    request = telegram_request(chat, GREETING)
    start = time.perf_counter()
    http.post(base + request.path, content=request.body, headers=request.headers).raise_for_status()
    return telegram.wait_for(str(chat)) - start


def measure(rasa: str, base: str, telegram: TimedTelegram, count: int) -> tuple[list[float], list[float]]:
    """Alternate a direct Rasa call and a webhook, each from a new citizen, `count` times (+3 warm-up)."""
    direct, gateway = [], []
    with httpx.Client(timeout=60) as http:
        for i in range(count + 3):
            d = _direct(http, rasa, f"bench-direct-{i}")
            g = _through_gateway(http, base, telegram, 810_000 + i)
            if i >= 3:
                direct.append(d)
                gateway.append(g)
    return direct, gateway


def run(count: int) -> None:
    """Start Rasa and the gateway, measure, print; skip with the reason when Rasa cannot run."""
    reason = skip_reason()
    if reason:
        note(f"SKIPPED end-to-end webhook → bot reply: {reason}")
        return
    port = free_port()
    rasa = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    try:
        with running(_rasa_args(port), {}, f"{rasa}/status", timeout=RASA_START_S):
            note(f"Rasa up in {time.perf_counter() - started:.0f} s; {count} greetings each way")
            _measure_with_gateway(rasa, count)
    except RuntimeError as error:
        note(f"SKIPPED end-to-end webhook → bot reply: Rasa did not run ({error})")


def _measure_with_gateway(rasa: str, count: int) -> None:
    with (
        bench_database() as url,
        tempfile.TemporaryDirectory() as media,
        TimedTelegram() as telegram,
        FakeZaloServer() as zalo,
        backend(gateway_env(url, Path(media), telegram, zalo, rasa)) as base,
    ):
        direct, gateway = measure(rasa, base, telegram, count)
    d, g = summary_ms(direct), summary_ms(gateway)
    rows = [["baseline: POST Rasa /webhooks/rest/webhook", d["p50"], d["p95"], ""],
            ["Telegram webhook → gateway → Rasa → outbox → sendMessage", g["p50"], g["p95"],
             f"{_overhead(g['p50'], d['p50'])} / {_overhead(g['p95'], d['p95'])}"]]  # fmt: skip
    table(f"End-to-end bot reply latency ({count} greetings, ms)",
          ["path", "p50", "p95", "overhead p50 / p95"], rows)  # fmt: skip


def _overhead(measured: float, baseline: float) -> str:
    return f"{100 * (measured / baseline - 1):+.0f} %"
