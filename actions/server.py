"""The action server, private to Rasa: rasa_sdk's app behind a check of ACTION_TOKEN, listening on
ACTION_HOST (127.0.0.1 unless set) and ACTION_PORT (5055). Run with ``python -m actions.server``.

rasa-sdk 3.6 has no authentication of its own; Rasa sends the token as ``Authorization: Bearer``
(``headers`` of ``action_endpoint`` in bot/endpoints.yml)."""

from __future__ import annotations

import argparse
import logging
import os
from typing import Optional

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.shared_secret import bearer_token, is_secret, required_secret

OPEN_PATHS = frozenset({"/health"})
REFUSED = {"error": "the action server answers only Rasa (Authorization: Bearer <ACTION_TOKEN>)"}


def private_app(token: str, package: str = "actions") -> Sanic:
    """rasa_sdk's Sanic app that refuses every call but /health without ``token``."""
    app = create_app(package, cors_origins="")

    @app.middleware("request")
    async def refuse_strangers(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        if is_secret(bearer_token(request.headers.get("authorization")), token):
            return None
        return response.json(REFUSED, status=401)

    return app


def main() -> None:
    """Serve the actions on ACTION_HOST:ACTION_PORT (or --host/--port) behind ACTION_TOKEN."""
    parser = argparse.ArgumentParser(description="the private action server")
    parser.add_argument("--host", default=os.environ.get("ACTION_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT") or 5055))
    args = parser.parse_args()
    try:
        token = required_secret(os.environ.get("ACTION_TOKEN"), "ACTION_TOKEN")
    except ValueError as error:
        parser.exit(2, f"{error}\n")
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper())
    app = private_app(token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
