"""Operability: /readyz names the dependencies it cannot reach, and the metrics server (off the
public app) shows counters that moved after a citizen's message went through the gateway."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from backend.entrypoints.app import create_app
from tests.fakes import telegram_updates as tg
from tests.fakes._http import FakeHttpServer, FakeRequest, FakeResponse, black_hole
from tests.integration.console_api.console_testkit import HOI_AN_ENV, create_ticket, token
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for
from tests.integration.gateway.test_gateway_delivery import _queue
from tests.integration.gateway.test_gateway_worker_crash import ROOT, _worker_env


class FakeActionServer(FakeHttpServer):
    """The rasa-sdk action server's open health check."""

    def handle(self, request: FakeRequest) -> FakeResponse:
        """GET /health answers ok; anything else 404."""
        if request.path == "/health":
            return FakeResponse.of_json({"status": "ok"})
        return FakeResponse(404, b"Not Found", "text/plain")


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def action_server() -> Iterator[FakeActionServer]:
    """A fake action server."""
    with FakeActionServer() as server:
        yield server


def _app(stack: GatewayStack, **changes: Any) -> TestClient:
    return TestClient(create_app(stack.settings.model_copy(update=changes)))


def test_readyz_is_200_when_every_dependency_answers(
    gateway_stack: GatewayStack, action_server: FakeActionServer
) -> None:
    with _app(gateway_stack, action_endpoint_url=f"{action_server.base_url}/webhook") as client:
        response = client.get("/readyz")

    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert set(checks) == {"database", "redis", "rasa", "action_server"}
    assert all(check["ok"] for check in checks.values())
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_503_naming_a_rasa_that_is_down(
    gateway_stack: GatewayStack, action_server: FakeActionServer
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    with _app(
        gateway_stack, rasa_url=down, action_endpoint_url=f"{action_server.base_url}/webhook"
    ) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["rasa"]["ok"] is False and body["checks"]["rasa"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["action_server"]["ok"]


def test_readyz_is_200_while_one_rasa_replica_answers(gateway_stack: GatewayStack) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    with _app(gateway_stack, rasa_url=f"{down},{gateway_stack.settings.rasa_url}") as client:
        assert client.get("/readyz").status_code == 200
    with _app(gateway_stack, rasa_url=f"{down},{down}") as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and down in response.json()["checks"]["rasa"]["error"]


def _scrape(port: int) -> dict[str, float]:
    """Every sample of the metrics server, by name and labels."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {
        f"{sample.name}{sorted(sample.labels.items())}": sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_move_after_a_telegram_message(
    gateway_stack: GatewayStack, service_headers: dict[str, str]
) -> None:
    port = free_port()
    received = "ioc_messages_received_total[('channel', 'telegram')]"
    answered = "ioc_rasa_forwarded_total[('outcome', 'answered')]"
    with _app(gateway_stack, metrics_port=port) as client:
        host = GatewayStack(gateway_stack.settings, client, gateway_stack.telegram, gateway_stack.zalo,
                            gateway_stack.rasa)  # fmt: skip
        before = _scrape(port)
        telegram_post(host, tg.text_update(86002, "có ổ gà"))
        wait_for(lambda: texts_to(host, 86002))
        create_ticket(client, service_headers, token())
        after = _scrape(port)
        public = client.get("/metrics")

    assert after[received] == before.get(received, 0) + 1
    assert after[answered] >= before.get(answered, 0) + 1
    assert after["ioc_rasa_round_trip_seconds_count[]"] > before.get("ioc_rasa_round_trip_seconds_count[]", 0)
    assert "ioc_inbound_oldest_pending_age_seconds[]" in after
    opened = f"ioc_tickets_open[('department', '{HOI_AN_ENV}')]"
    assert after[opened] == before.get(opened, 0) + 1
    assert f"ioc_tickets_overdue[('department', '{HOI_AN_ENV}')]" in after
    assert public.status_code == 404  # not on the public app


def test_the_worker_serves_the_outbox_backlog_on_its_own_port(gateway_stack: GatewayStack) -> None:
    port = free_port()
    _queue(gateway_stack, "telegram", "86003", "tin chờ gửi")
    sending = "ioc_outbox_messages[('channel', 'telegram'), ('state', 'sending')]"
    with black_hole() as hung_api:  # the send hangs: the row stays "sending"
        env = _worker_env(gateway_stack, hung_api) | {"WORKER_METRICS_PORT": str(port)}
        worker = subprocess.Popen([sys.executable, "-m", "backend.entrypoints.workers"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            scraped = wait_for(lambda: _scrape_if_up(port).get(sending), timeout=30)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)

    assert scraped >= 1


def _scrape_if_up(port: int) -> dict[str, float]:
    try:
        return _scrape(port)
    except httpx.TransportError:
        return {}
