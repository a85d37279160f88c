"""The gateway's channel (bot/gateway_channel.py, named in bot/credentials.yml) passes a message to
Rasa only with the shared secret; everything else gets 401, and a missing secret stops Rasa."""

import asyncio

import pytest
from rasa.core.run import create_http_input_channels
from rasa.shared.exceptions import RasaException
from sanic import Sanic

from bot.components.text_normalization import REPO_ROOT
from bot.gateway_channel import GatewayInput
from tests.bot.sanic_serving import call, serving

CREDENTIALS = REPO_ROOT / "bot" / "credentials.yml"
SECRET = "gateway-secret-for-tests"
WEBHOOK = "/webhooks/gateway/webhook"
IMPERSONATION = {
    "sender": "x", "message": "tra cứu phản ánh của tôi",
    "metadata": {"channel": "telegram", "channel_user_id": "123456789"},
}  # fmt: skip


def rasas_channels(monkeypatch, token):
    """The input channels Rasa builds from bot/credentials.yml with RASA_GATEWAY_TOKEN=``token``."""
    monkeypatch.setenv("RASA_GATEWAY_TOKEN", token)
    return create_http_input_channels(None, str(CREDENTIALS))


def answers(channel, requests):
    """Serve ``channel`` with a bot that answers "ok"; the (status, body) of each request, and the
    messages that reached the bot."""
    reached = []

    async def bot(message):
        reached.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    async def scenario():
        app = Sanic("gateway_channel")
        app.blueprint(channel.blueprint(bot), url_prefix=f"/webhooks/{channel.name()}")
        async with serving(app) as url:
            return [await call("POST", url + WEBHOOK, **request) for request in requests]

    return asyncio.run(scenario()), reached


def test_credentials_yml_gives_rasa_only_the_gateway_channel(monkeypatch):
    [channel] = rasas_channels(monkeypatch, SECRET)

    assert isinstance(channel, GatewayInput) and channel.name() == "gateway"


@pytest.mark.parametrize("token", ["", "short"])
def test_rasa_does_not_start_the_channel_without_a_real_secret(monkeypatch, token):
    with pytest.raises(RasaException, match="RASA_GATEWAY_TOKEN"):
        rasas_channels(monkeypatch, token)


def test_only_a_caller_with_the_secret_reaches_the_bot(monkeypatch):
    [channel] = rasas_channels(monkeypatch, SECRET)
    requests = [
        {"body": IMPERSONATION},
        {"body": IMPERSONATION, "token": "gateway-secret-for-test"},
        {"body": IMPERSONATION, "token": SECRET + "x"},
        {"body": IMPERSONATION, "token": "ngõ-bí-mật-không-phải-ascii"},
        {"body": IMPERSONATION, "token": SECRET},
    ]

    results, reached = answers(channel, requests)

    assert [status for status, _ in results] == [401, 401, 401, 401, 200]
    assert results[-1][1] == [{"recipient_id": "x", "text": "ok"}]
    assert [(m.sender_id, m.metadata) for m in reached] == [("x", IMPERSONATION["metadata"])]


def test_a_body_that_is_not_an_object_is_a_clear_400(monkeypatch):
    [channel] = rasas_channels(monkeypatch, SECRET)

    results, reached = answers(channel, [{"raw": b"[1]", "token": SECRET}])

    assert results[0][0] == 400 and "JSON object" in results[0][1]["error"] and reached == []
