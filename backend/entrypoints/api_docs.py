"""/docs: Swagger UI 5.35.0, vendored under api_docs_static/vendor (from `npm pack
swagger-ui-dist@5.35.0`: swagger-ui-bundle.js, swagger-ui.css, favicon, Apache-2.0 LICENSE and
NOTICE). FastAPI's default page loads it from a CDN and starts it with an inline script; neither
passes our Content-Security-Policy, and nothing is fetched from another site at run time."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "api_docs_static"


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs and its files under /docs/static (the app needs docs_url=None)."""
    app.mount("/docs/static", StaticFiles(directory=STATIC_DIR), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs_page() -> FileResponse:
        """Swagger UI of the app's OpenAPI."""
        return FileResponse(STATIC_DIR / "docs.html", media_type="text/html; charset=utf-8")
