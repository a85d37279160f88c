"""The baseline of the webhook benchmark: FastAPI endpoints that read the body and answer."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/webhooks/{channel}")
async def webhook(channel: str, request: Request) -> dict[str, Any]:
    """Read the body and acknowledge, nothing else."""
    await request.body()
    return {"ok": True, "duplicate": False}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe."""
    return {"status": "ok"}
