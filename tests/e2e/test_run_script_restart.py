"""The whole product stopped (SIGTERM to scripts/run.sh, as Ctrl+C in `make run`) and started again
in the middle of a report: the citizen's next message goes on with the same form, because run.sh
points Rasa at the SQL tracker store (here schema rasa of the PostgreSQL database)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
from pathlib import Path

import httpx

from tests.conftest import isolated_database, unavailable
from tests.e2e.citizens import TelegramCitizen
from tests.e2e.conftest import WEBHOOK_SECRET
from tests.e2e.journey import FIRST_DESCRIPTION, finish_report, report_until_the_photo, tickets_of, turn
from tests.e2e.stack import MODELS, RASA, RASA_READY_SECONDS, ROOT
from tests.e2e.test_run_script_private_bot import RUN_SH, run_sh_env
from tests.fakes import FakeTelegramServer
from tests.polling import wait_until


def start_product(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """scripts/run.sh in its own process group, until the backend, the action server and Rasa answer."""
    with log.open("wb") as handle:
        popen = subprocess.Popen([str(RUN_SH)], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                 start_new_session=True)  # fmt: skip
    urls = [f"http://127.0.0.1:{env[name]}{path}" for name, path in
            (("BACKEND_PORT", "/healthz"), ("ACTION_PORT", "/health"), ("RASA_PORT", "/"))]  # fmt: skip

    def up() -> bool:
        assert popen.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            return all(httpx.get(url, timeout=5).status_code == 200 for url in urls)
        except httpx.HTTPError:
            return False

    wait_until(up, RASA_READY_SECONDS, "run.sh's product not up", pause=1.0)
    return popen


def stop_product(popen: subprocess.Popen[bytes]) -> None:
    """What Ctrl+C does: SIGTERM to run.sh's group (we started it), which stops every process."""
    if popen.poll() is not None:
        return
    os.killpg(popen.pid, signal.SIGTERM)
    popen.wait(timeout=60)


def test_a_report_goes_on_after_the_product_is_stopped_and_started(tmp_path: Path) -> None:
    if not RASA.exists() or not any(MODELS.glob("*.tar.gz")):
        unavailable("needs .venv-bot and a trained model in models/ (run `make train`)")
    with isolated_database("ioc_run_sh") as database_url, FakeTelegramServer() as telegram:
        env = run_sh_env(database_url, tmp_path / "media", TELEGRAM_BOT_TOKEN=telegram.token,
                         TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET, TELEGRAM_API_BASE_URL=telegram.base_url,
                         RASA_ACK_TIMEOUT="20", FORWARDER_SWEEP_SECONDS="2")  # fmt: skip
        citizen = TelegramCitizen(f"http://127.0.0.1:{env['BACKEND_PORT']}", WEBHOOK_SECRET, telegram,
                                  random.randint(10**8, 10**9))  # fmt: skip
        product = start_product(env, tmp_path / "run-1.log")
        try:
            report_until_the_photo(citizen, FIRST_DESCRIPTION)
            stop_product(product)
            product = start_product(env, tmp_path / "run-2.log")
            code = finish_report(citizen, turn(citizen, "send_photo"))
        finally:
            stop_product(product)
        tickets = tickets_of(database_url, "telegram", citizen.chat_id)

    assert tickets == [(code, FIRST_DESCRIPTION)]
