"""`make run`'s default set-up (scripts/run.sh, no .env settings for the bot): Rasa and the action
server listen on 127.0.0.1 only, Rasa's HTTP API and stock REST channel are off, and the gateway
channel answers only with the secret. Rasa's API is started only with an auth token."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import isolated_database, unavailable
from tests.e2e.stack import MODELS, RASA, RASA_READY_SECONDS, ROOT, free_port, new_secret
from tests.polling import wait_until

RUN_SH = ROOT / "scripts" / "run.sh"
SECRETS = ("SERVICE_TOKEN", "SECRET_KEY", "RASA_GATEWAY_TOKEN", "ACTION_TOKEN")
BOT_SETTINGS = ("RASA_HOST", "ACTION_HOST", "RASA_ENABLE_API", "RASA_API_TOKEN", "ACTION_ENDPOINT_URL")


@dataclass(frozen=True)
class Product:
    """The product as scripts/run.sh started it."""

    rasa_port: int
    action_port: int
    gateway_token: str
    log: Path

    def rasa(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """One request to Rasa's port."""
        return httpx.request(method, f"http://127.0.0.1:{self.rasa_port}{path}", timeout=60, **kwargs)  # type: ignore[arg-type]


def run_sh_env(database_url: str, media: Path, **extra: str) -> dict[str, str]:
    """run.sh's environment: its defaults for the bot, free ports, channels off, given secrets."""
    dropped = ("TELEGRAM_", "ZALO_", "REDIS_URL", *BOT_SETTINGS)
    env = {name: value for name, value in os.environ.items() if not name.startswith(dropped)}
    ports = {name: str(free_port()) for name in ("BACKEND_PORT", "RASA_PORT", "ACTION_PORT")}
    secrets = {name: new_secret() for name in SECRETS}
    return env | ports | secrets | {"DATABASE_URL": database_url, "MEDIA_DIR": str(media), **extra}


def listening_addresses(port: int) -> set[str]:
    """Addresses with a listening TCP socket on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                words = [bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, len(address), 8)]
                found.add(socket.inet_ntop(family, b"".join(words)))
    return found


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """scripts/run.sh on a fresh database, until its Rasa has loaded the model; stopped at the end."""
    if not RASA.exists() or not any(MODELS.glob("*.tar.gz")):
        unavailable("needs .venv-bot and a trained model in models/ (run `make train`)")
    workdir = tmp_path_factory.mktemp("run-sh")
    with isolated_database("ioc_run_sh") as database_url:
        env = run_sh_env(database_url, workdir / "media")
        log = workdir / "run.log"
        with log.open("wb") as handle:
            popen = subprocess.Popen(
                [str(RUN_SH)],
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        product = Product(int(env["RASA_PORT"]), int(env["ACTION_PORT"]), env["RASA_GATEWAY_TOKEN"], log)
        try:
            wait_until(lambda: _up(product, popen), RASA_READY_SECONDS, "run.sh's Rasa not up", pause=1.0)
            yield product
        finally:
            os.killpg(popen.pid, signal.SIGTERM)
            popen.wait(timeout=60)


def _up(product: Product, popen: subprocess.Popen[bytes]) -> bool:
    """Rasa answers (it binds its port once the model is loaded) and so does the action server."""
    assert popen.poll() is None, product.log.read_text(errors="replace")[-3000:]
    try:
        health = httpx.get(f"http://127.0.0.1:{product.action_port}/health", timeout=5)
        return product.rasa("GET", "/").status_code == 200 and health.status_code == 200
    except httpx.HTTPError:
        return False


def test_rasa_and_the_action_server_listen_on_loopback_only(product: Product) -> None:
    for port in (product.rasa_port, product.action_port):
        addresses = listening_addresses(port)
        assert addresses and all(ipaddress.ip_address(a).is_loopback for a in addresses), (port, addresses)


def test_rasas_api_and_rest_channel_are_off_and_the_gateway_needs_its_secret(product: Product) -> None:
    body = {"sender": "x", "message": "tra cứu phản ánh của tôi",
            "metadata": {"channel": "telegram", "channel_user_id": "123456789"}}  # fmt: skip
    refused = {
        "tracker": product.rasa("GET", "/conversations/telegram:123456789/tracker").status_code,
        "model": product.rasa("PUT", "/model", json={"model_file": "/tmp/x.tar.gz"}).status_code,
        "rest": product.rasa("POST", "/webhooks/rest/webhook", json=body).status_code,
        "gateway": product.rasa("POST", "/webhooks/gateway/webhook", json=body).status_code,
    }
    secret = {"Authorization": f"Bearer {product.gateway_token}"}
    greeting = body | {"message": "xin chào"}
    greeted = product.rasa("POST", "/webhooks/gateway/webhook", json=greeting, headers=secret)

    assert refused == {"tracker": 404, "model": 404, "rest": 404, "gateway": 401}
    assert greeted.status_code == 200 and greeted.json()


def test_rasas_api_is_not_started_without_an_auth_token(tmp_path: Path) -> None:
    env = run_sh_env("sqlite:///" + str(tmp_path / "never.db"), tmp_path / "media", RASA_ENABLE_API="true")
    finished = subprocess.run([str(RUN_SH)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert finished.returncode == 2 and "RASA_API_TOKEN" in finished.stderr
    assert not (tmp_path / "never.db").exists()
