"""bot/endpoints.redis.yml, with the variables scripts/redis_env.py prints from REDIS_URL (as
`make run` does), gives Rasa a RedisLockStore that several Rasa replicas share."""

import asyncio
import os
import shlex
import subprocess
import sys
import uuid

import pytest
import redis
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import read_endpoint_config

from bot.components.text_normalization import REPO_ROOT

ENDPOINTS = REPO_ROOT / "bot" / "endpoints.redis.yml"
REDIS_ENV = REPO_ROOT / "scripts" / "redis_env.py"


def redis_env(url):
    """The exports scripts/redis_env.py prints for ``url``, as a dict."""
    command = [sys.executable, str(REDIS_ENV), url]
    printed = subprocess.run(command, capture_output=True, text=True, check=True)
    pairs = (shlex.split(line.removeprefix("export "))[0] for line in printed.stdout.splitlines())
    return dict(pair.split("=", 1) for pair in pairs)


def test_redis_url_becomes_the_lock_store_variables():
    # The password as redis-py reads the same URL for the gateway: percent-decoded.
    assert redis_env("redis://:p%40ss%2Fw0rd@cache.internal:6380/2") == {
        "REDIS_HOST": "cache.internal", "REDIS_PORT": "6380", "REDIS_DB": "2", "REDIS_PASSWORD": "p@ss/w0rd",
    }  # fmt: skip
    assert redis_env("redis://127.0.0.1") == {
        "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "0", "REDIS_PASSWORD": "",
    }  # fmt: skip


def test_endpoints_redis_yml_gives_rasa_a_shared_lock_store(monkeypatch):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis unreachable: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    action = {"ACTION_ENDPOINT_URL": "http://actions:5055/webhook", "ACTION_TOKEN": "action-secret-1234"}
    tracker = {"TRACKER_STORE_URL": "postgresql://rasa@db:5432/ioc"}
    for name, value in {**redis_env(url), **action, **tracker}.items():
        monkeypatch.setenv(name, value)

    replicas = [LockStore.create(read_endpoint_config(str(ENDPOINTS), "lock_store")) for _ in range(2)]
    action = read_endpoint_config(str(ENDPOINTS), "action_endpoint")
    tracker_store = read_endpoint_config(str(ENDPOINTS), "tracker_store")

    assert all(isinstance(store, RedisLockStore) for store in replicas)
    assert action.url == "http://actions:5055/webhook"
    assert action.headers == {"Authorization": "Bearer action-secret-1234"}
    assert (tracker_store.type, tracker_store.url) == ("SQL", "postgresql://rasa@db:5432/ioc")
    sender = f"test-{uuid.uuid4().hex}"

    async def hold_on_one_look_from_the_other():
        async with replicas[0].lock(sender):
            assert replicas[1].get_lock(sender) is not None

    asyncio.run(hold_on_one_look_from_the_other())
    assert replicas[1].get_lock(sender) is None
