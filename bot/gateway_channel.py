"""The gateway's private input channel: Rasa's REST channel at ``/webhooks/gateway/webhook`` that
answers only a caller presenting the shared secret (``Authorization: Bearer $RASA_GATEWAY_TOKEN``).
The actions trust the message metadata (the citizen's channel and id) because only the backend's
gateway, which builds that metadata itself, can reach this channel."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.shared_secret import bearer_token, is_secret, required_secret

REFUSED = {"error": "this channel answers only the backend's gateway (Authorization: Bearer <secret>)"}


class GatewayInput(RestInput):
    """REST channel behind a shared secret; everything without it gets 401."""

    def __init__(self, token: Text) -> None:
        self._token = token

    @classmethod
    def name(cls) -> Text:
        """Mounted at /webhooks/gateway/."""
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> GatewayInput:
        """Built from credentials.yml (``token: ${RASA_GATEWAY_TOKEN}``); refuses a missing or short one."""
        try:
            return cls(required_secret(str((credentials or {}).get("token") or ""), "RASA_GATEWAY_TOKEN"))
        except ValueError as error:
            raise RasaException(str(error)) from error

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The REST channel's routes, each behind the secret check."""
        webhook = super().blueprint(on_new_message)
        webhook.middleware("request")(self._refuse_strangers)
        return webhook

    async def _refuse_strangers(self, request: Request) -> Optional[HTTPResponse]:
        if not is_secret(bearer_token(request.headers.get("authorization")), self._token):
            return response.json(REFUSED, status=401)
        if request.method == "POST" and not isinstance(request.json, dict):
            return response.json({"error": "the body must be a JSON object"}, status=400)
        return None
