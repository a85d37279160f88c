"""End-to-end latency webhook → bot reply on Telegram through the gateway, against a direct call
to Rasa's gateway channel (with its secret) in the same run, over the steps of the real report
journey (greeting, report text, location, photo skipped, confirmation, status question) with the
action server and the backend behind Rasa, as in production."""

from __future__ import annotations

import json
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from backend_env import ROOT, bench_database, note, summary_ms, table
from backend_server import backend, free_port, running
from gateway_load import WEBHOOK_SECRET, gateway_env

from tests.e2e.stack import BotSecrets, actions_argv, rasa_argv
from tests.fakes import FakeTelegramServer, FakeZaloServer
from tests.fakes import telegram_updates as tg
from tests.fakes._http import FakeRequest, FakeResponse

RASA = ROOT / ".venv-bot" / "bin" / "rasa"
MODELS = ROOT / "models"
REPLY_TIMEOUT_S = 60.0
RASA_START_S = 400.0
SERVICE_TOKEN = "bench-service-token"
REPORT = "Có người đổ trộm rác thải thành đống lớn bốc mùi hôi thối, đề nghị xử lý"
CODE = re.compile(r"Mã phản ánh: (PA-\d{4}-\d{6})")  # in the bot's "filed" reply
WARMUP = 2


def shape(text: str) -> str:
    """A reply with its digits (codes, dates, coordinates) blanked: equal for both citizens."""
    return re.sub(r"\d", "0", text)[:40]


class TimedTelegram(FakeTelegramServer):
    """The fake Telegram API, noting when each sendMessage arrives, per chat."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, list[tuple[float, str]]] = {}
        self.changed = threading.Condition()

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Note the arrival (the moment the request was read, before the fake's own work),
        then answer like the fake."""
        arrived = time.perf_counter()
        response = super().handle(request)
        if request.path.endswith("/sendMessage"):
            params = request.form()[0]
            chat, text = params.get("chat_id", ""), params.get("text", "")
            with self.changed:
                self.arrived.setdefault(chat, []).append((arrived, text))
                self.changed.notify_all()
        return response

    def count(self, chat: str) -> int:
        """How many messages reached `chat` so far."""
        with self.changed:
            return len(self.arrived.get(chat, []))

    def wait_for(self, chat: str, after: int, shapes: list[str]) -> tuple[float, list[str]]:
        """When the last of the replies with these shapes (in order) reached `chat`, counting
        from message `after`; other messages (ticket notifications) may come between."""
        with self.changed:
            found = self.changed.wait_for(lambda: _matched(self.arrived.get(chat, [])[after:], shapes),
                                          REPLY_TIMEOUT_S)  # fmt: skip
            if not found:
                got = [text[:60] for _, text in self.arrived.get(chat, [])[after:]]
                raise RuntimeError(f"chat {chat}: expected replies {shapes}, got {got}")
            return found


def _matched(messages: list[tuple[float, str]], shapes: list[str]) -> tuple[float, list[str]] | None:
    wanted, at, texts = iter(shapes), 0.0, []
    current = next(wanted, None)
    for arrived, text in messages:
        if current is not None and shape(text) == current:
            at, current = arrived, next(wanted, None)
            texts.append(text)
    return (at, texts) if current is None and shapes else None


def _place(citizen: int) -> tuple[float, float]:
    """Each citizen reports at its own place in Quảng Nam (~1 km apart): no duplicate-ticket notes."""
    return round(15.40 + 0.01 * (citizen % 50), 4), round(108.30 + 0.01 * (citizen // 50), 4)


def _code(texts: list[str]) -> str:
    found = CODE.findall("\n".join(texts))
    if not found:
        raise RuntimeError(f"no ticket code in the replies: {[t[:60] for t in texts]}")
    return found[-1]


def _status_question(texts: list[str]) -> str:
    return f"Cho tôi hỏi phản ánh mã {_code(texts)} đã được xử lý chưa?"


class DirectCitizen:
    """Talks to Rasa's gateway channel directly, with the secret and the metadata the gateway adds."""

    def __init__(self, http: httpx.Client, rasa: str, token: str, index: int) -> None:
        self.http, self.url = http, f"{rasa}/webhooks/gateway/webhook"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.sender, self.user_id = f"bench-direct-{index}", str(900_000 + index)
        self.texts: list[str] = []

    def send(self, message: str, **metadata: object) -> tuple[float, list[str]]:
        """Seconds until Rasa answered, and the reply texts."""
        meta = {"channel": "telegram", "channel_user_id": self.user_id, "display_name": "Lan", **metadata}
        start = time.perf_counter()
        body = {"sender": self.sender, "message": message, "metadata": meta}
        answer = self.http.post(self.url, json=body, headers=self.headers)
        elapsed = time.perf_counter() - start
        answer.raise_for_status()
        texts = [str(reply.get("text") or "") for reply in answer.json()]
        if not texts:
            raise RuntimeError(f"Rasa answered {message!r} with no message")
        self.texts += texts
        return elapsed, texts


class GatewayCitizen:
    """Posts Telegram updates to the gateway; the fake Telegram times the replies."""

    def __init__(self, http: httpx.Client, base: str, telegram: TimedTelegram, index: int) -> None:
        self.http, self.base, self.telegram = http, base, telegram
        self.chat = 810_000 + index

    def send(self, update: dict[str, object], replies: list[str]) -> float:
        """Seconds from the POST until the replies shaped like `replies` reached the chat."""
        before = self.telegram.count(str(self.chat))
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        start = time.perf_counter()
        self.http.post(f"{self.base}/webhooks/telegram", json=update, headers=headers).raise_for_status()
        arrived, _ = self.telegram.wait_for(str(self.chat), before, [shape(text) for text in replies])
        return arrived - start

    def press(self, title: str) -> dict[str, object]:
        """The update of a press on the latest button titled `title`."""
        for call in reversed(self.telegram.sent(chat_id=self.chat)):
            for row in call.button_rows:
                for text, data in row:
                    if text.startswith(title):
                        return tg.callback_update(self.chat, data)
        raise RuntimeError(f"chat {self.chat}: no button {title!r}")

    def texts(self) -> list[str]:
        """Everything the bot sent to this chat."""
        return [text for _, text in self.telegram.arrived.get(str(self.chat), [])]


STEPS = ("greeting", "report text", "location", "photo skipped (button)", "confirmation (button)",
         "status question")  # fmt: skip


def journey(direct: DirectCitizen, gateway: GatewayCitizen, index: int) -> list[tuple[float, float]]:
    """The six steps, each first straight to Rasa, then through the gateway: (direct s, gateway s)."""
    latitude, longitude = _place(2 * index)
    location = "/share_location" + json.dumps({"latitude": latitude, "longitude": longitude})
    chat = gateway.chat
    here = _place(2 * index + 1)
    turns: list[tuple[Callable[[], tuple[float, list[str]]], Callable[[], dict[str, object]]]] = [
        (lambda: direct.send("xin chào"), lambda: tg.text_update(chat, "xin chào")),
        (lambda: direct.send(REPORT), lambda: tg.text_update(chat, REPORT)),
        (lambda: direct.send(location, latitude=latitude, longitude=longitude),
         lambda: tg.location_update(chat, *here)),
        (lambda: direct.send("/deny"), lambda: gateway.press("Bỏ qua")),
        (lambda: direct.send("/affirm"), lambda: gateway.press("Gửi phản ánh")),
        (lambda: direct.send(_status_question(direct.texts)),
         lambda: tg.text_update(chat, _status_question(gateway.texts()))),
    ]  # fmt: skip
    timings = []
    for ask_rasa, update in turns:
        seconds, replies = ask_rasa()
        timings.append((seconds, gateway.send(update(), replies)))
    return timings


def skip_reason() -> str | None:
    """Why this part cannot run here, or None."""
    if not RASA.exists():
        return f"{RASA.relative_to(ROOT)} is missing (make setup-bot)"
    if not any(MODELS.glob("*.tar.gz")):
        return "models/ holds no trained model (make train)"
    return None


def run(rounds: int) -> None:
    """Start the action server, Rasa and the gateway, measure, print; skip with the reason."""
    reason = skip_reason()
    if reason:
        note(f"SKIPPED end-to-end webhook → bot reply: {reason}")
        return
    try:
        _run(rounds)
    except RuntimeError as error:
        note(f"SKIPPED end-to-end webhook → bot reply: {error}")


def _run(rounds: int) -> None:
    backend_port, rasa_port, action_port = free_port(), free_port(), free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    secrets = BotSecrets()
    actions_env = {"BACKEND_URL": backend_url, "SERVICE_TOKEN": SERVICE_TOKEN, **secrets.env()}
    with (
        tempfile.TemporaryDirectory() as work,
        bench_database() as url,
        TimedTelegram() as telegram,
        FakeZaloServer() as zalo,
    ):
        endpoints = Path(work) / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
            "  headers:\n    Authorization: Bearer ${ACTION_TOKEN}\n"
        )
        rasa = f"http://127.0.0.1:{rasa_port}"
        started = time.perf_counter()
        env = gateway_env(url, Path(work), telegram, zalo, rasa, SERVICE_TOKEN=SERVICE_TOKEN,
                          BACKEND_PORT=str(backend_port), **secrets.env())  # fmt: skip
        rasa_args = [*rasa_argv(rasa_port, endpoints), "--quiet"]  # its root answers once the model is loaded
        with (
            running(actions_argv(action_port), actions_env, f"http://127.0.0.1:{action_port}/health"),
            running(rasa_args, secrets.env(), f"{rasa}/", timeout=RASA_START_S),
            backend(env, port=backend_port) as base,
        ):
            note(f"Rasa and the action server up in {time.perf_counter() - started:.0f} s; "
                 f"{rounds} journeys of {len(STEPS)} steps each way (+{WARMUP} warm-up)")  # fmt: skip
            samples = measure(rasa, secrets.gateway_token, base, telegram, rounds)
    report(samples, rounds)


def measure(
    rasa: str, token: str, base: str, telegram: TimedTelegram, rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """`rounds` journeys (after the warm-up), a new pair of citizens each: samples per step."""
    samples: dict[str, list[tuple[float, float]]] = {step: [] for step in STEPS}
    with httpx.Client(timeout=60) as http:
        for index in range(rounds + WARMUP):
            direct = DirectCitizen(http, rasa, token, index)
            gateway = GatewayCitizen(http, base, telegram, index)
            timings = journey(direct, gateway, index)
            if index >= WARMUP:
                for step, timing in zip(STEPS, timings, strict=True):
                    samples[step].append(timing)
    return samples


def report(samples: dict[str, list[tuple[float, float]]], rounds: int) -> None:
    """Per step and overall: direct and gateway p50/p95, and the overhead."""
    rows = [_row(step, pairs) for step, pairs in samples.items()]
    rows.append(_row("all steps", [pair for pairs in samples.values() for pair in pairs]))
    table(f"End-to-end bot reply latency ({rounds} report journeys, ms; all replies of a step)",
          ["step", "direct Rasa p50", "gateway p50", "overhead p50", "direct Rasa p95", "gateway p95",
           "overhead p95"], rows)  # fmt: skip


def _row(label: str, pairs: list[tuple[float, float]]) -> list[object]:
    d, g = summary_ms([p[0] for p in pairs]), summary_ms([p[1] for p in pairs])
    return [label, d["p50"], g["p50"], _overhead(g["p50"], d["p50"]),
            d["p95"], g["p95"], _overhead(g["p95"], d["p95"])]  # fmt: skip


def _overhead(measured: float, baseline: float) -> str:
    return f"{measured - baseline:+.1f} ms ({100 * (measured / baseline - 1):+.0f} %)"
