"""The action server (actions/server.py, `python -m actions.server`) answers only Rasa: every call
but /health needs ACTION_TOKEN, and without that secret the launcher does not start."""

import asyncio
import os
import subprocess
import sys

import pytest

from actions.server import private_app
from bot.components.text_normalization import REPO_ROOT
from tests.bot.sanic_serving import call, serving

TOKEN = "action-token-for-tests"
ACTION_CALL = {"next_action": "action_check_status", "sender_id": "telegram:1", "tracker": {}, "domain": {}}


@pytest.fixture(scope="module")
def action_server():
    return private_app(TOKEN)


def requests_to(app, requests):
    """(status, body) of each (method, path, token) request to the served app."""

    async def scenario():
        async with serving(app) as url:
            return [await call(method, url + path, ACTION_CALL, token) for method, path, token in requests]

    return asyncio.run(scenario())


def test_calls_without_the_action_token_are_refused(action_server):
    statuses = [
        status
        for status, _ in requests_to(action_server, [
            ("POST", "/webhook", None), ("POST", "/webhook", "guess"), ("POST", "/webhook", TOKEN[:-1]),
            ("GET", "/actions", None), ("GET", "/actions", "hành-động"),
        ])
    ]  # fmt: skip

    assert statuses == [401] * 5


def test_rasa_with_the_token_gets_the_actions_and_health_stays_open(action_server):
    (listed, actions), (health, _) = requests_to(
        action_server, [("GET", "/actions", TOKEN), ("GET", "/health", None)]
    )

    assert (listed, health) == (200, 200)
    assert {"name": "action_check_status"} in actions


@pytest.mark.parametrize("token", ["", "too-short"])
def test_the_launcher_does_not_start_without_a_real_action_token(token):
    env = {**os.environ, "ACTION_TOKEN": token, "ACTION_PORT": "9"}
    launched = subprocess.run(
        [sys.executable, "-m", "actions.server"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert launched.returncode == 2 and "ACTION_TOKEN" in launched.stderr
