"""Map domain errors and validation errors to `{"detail": "<reason>"}` responses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from backend.adapters.media_store import MediaUnavailable
from backend.domain.access import Forbidden
from backend.domain.errors import Conflict, DomainError, InvalidInput, NotFound, TooLarge

STRING_DETAIL = {
    "title": "HTTPValidationError",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "Detail"}},
    "required": ["detail"],
}
STATUS_OF: list[tuple[type[DomainError], int]] = [
    (TooLarge, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    (InvalidInput, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (Forbidden, status.HTTP_403_FORBIDDEN),
]


def _status_of(error: DomainError) -> int:
    return next((code for kind, code in STATUS_OF if isinstance(error, kind)), 400)


async def domain_error_handler(_request: Request, error: Exception) -> JSONResponse:
    """A business-rule violation becomes a 4xx with its message."""
    assert isinstance(error, DomainError)
    return JSONResponse({"detail": str(error)}, status_code=_status_of(error))


def describe_data_error(error: DataError) -> str:
    """The database driver's reason a value was refused, e.g. a NUL character in a text."""
    reason = str(error.orig).splitlines()[0] if error.orig is not None else "invalid value"
    return f"a value cannot be stored or compared: {reason}"


async def data_error_handler(_request: Request, error: Exception) -> JSONResponse:
    """A value the database refuses (NUL in a text, a number out of range) is the client's: 400."""
    assert isinstance(error, DataError)
    return JSONResponse({"detail": describe_data_error(error)}, status_code=status.HTTP_400_BAD_REQUEST)


def describe_validation_error(error: RequestValidationError) -> str:
    """One readable sentence per invalid field, e.g. 'body.latitude: Input should be ...'."""
    parts = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            parts.append(f"malformed JSON: {item.get('ctx', {}).get('error', 'cannot parse')}")
            continue
        location = ".".join(str(p) for p in item.get("loc", ()))
        parts.append(f"{location}: {item.get('msg')}")
    return "; ".join(parts) or "invalid request"


async def validation_error_handler(_request: Request, error: Exception) -> JSONResponse:
    """Request validation errors as one string detail (422)."""
    assert isinstance(error, RequestValidationError)
    return JSONResponse(
        {"detail": describe_validation_error(error)},
        status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


async def media_unavailable_handler(_request: Request, error: Exception) -> JSONResponse:
    """The photo store could not be reached: 503, try again."""
    return JSONResponse({"detail": f"photo storage unavailable: {error}"}, status_code=503)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the app, and describe their answers in its OpenAPI document."""
    app.add_exception_handler(MediaUnavailable, media_unavailable_handler)
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    _describe_string_details(app)


def _describe_string_details(app: FastAPI) -> None:
    """FastAPI documents 422 as a list of error objects; ours is one string (see above)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = build().get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = STRING_DETAIL
                schemas.pop("ValidationError", None)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
