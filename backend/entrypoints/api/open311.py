"""Open311 GeoReport v2 (JSON) under /open311/v2. Errors are the spec's array
[{"code": <http status>, "description": "..."}] with the same HTTP status.

GET answers the public record to anyone; a client that sends a valid key in the `X-Api-Key`
header gets the full record (a wrong key: 403). Keys in a GET's query string are ignored: query
strings end up in access logs."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool

from backend.bootstrap import Container
from backend.domain.errors import DomainError, NotFound
from backend.entrypoints.api.deps import ContainerDep
from backend.entrypoints.api.errors import describe_data_error, describe_validation_error
from backend.services.open311_service import Open311Service, RequestQuery
from channels import strict_json


def spec_error(code: int, description: str) -> JSONResponse:
    """The GeoReport error array."""
    return JSONResponse([{"code": code, "description": description}], status_code=code)


class Open311Route(APIRoute):
    """Every failure of an Open311 route answers with the spec's error array."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return spec_error(400, describe_validation_error(error))
            except HTTPException as error:
                return spec_error(error.status_code, str(error.detail))
            except NotFound as error:
                return spec_error(404, str(error))
            except DomainError as error:
                return spec_error(400, str(error))
            except DataError as error:
                return spec_error(400, describe_data_error(error))

        return route


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)
API_KEY_HEADER = "X-Api-Key"


def _service(container: Container) -> Open311Service:
    return Open311Service(container.session_factory, container.tickets, container.media, container.clock)


def _check_api_key(container: Container, given: str) -> None:
    settings = container.settings
    keys = [k.strip() for k in settings.open311_api_keys.split(",") if k.strip()]
    keys += [settings.service_token] if settings.service_token else []
    if not given or not any(secrets.compare_digest(given.encode(), k.encode()) for k in keys):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "api_key was not provided or is invalid")


def full_access(
    container: ContainerDep, x_api_key: Annotated[str | None, Header(alias=API_KEY_HEADER)] = None
) -> bool:
    """Dependency: True for a client with a valid API key header, False without one, 403 otherwise."""
    if x_api_key is None:
        return False
    _check_api_key(container, x_api_key)
    return True


FullAccess = Annotated[bool, Depends(full_access)]


async def _submitted(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = strict_json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise HTTPException(400, f"malformed JSON: {exc}") from None
        if not isinstance(data, dict):
            raise HTTPException(400, "the request body must be a JSON object")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(400, f"{name} must be a W3C date-time, e.g. 2026-11-26T08:00:00+07:00") from None
    if parsed.tzinfo is None:
        raise HTTPException(400, f"{name} must include a time zone")
    return parsed


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@router.get("/services.json")
def services(container: ContainerDep) -> list[dict[str, Any]]:
    """Every service (report category)."""
    return _service(container).services()


@router.get("/services/{service_code}.json")
def service_definition(service_code: str, container: ContainerDep) -> dict[str, Any]:
    """A service definition; our services have no extra attributes."""
    return _service(container).definition(service_code)


@router.post("/requests.json", status_code=status.HTTP_201_CREATED)
async def create_request(request: Request, container: ContainerDep) -> list[dict[str, Any]]:
    """File a service request (form-encoded or JSON; api_key required)."""
    given = request.headers.get(API_KEY_HEADER) or request.query_params.get("api_key")
    if given:  # checked before the body is read
        _check_api_key(container, given)
    form = await _submitted(request)
    _check_api_key(container, given or form.get("api_key") or "")
    return [await _in_thread(lambda: _service(container).create(form))]


@router.get("/requests.json")
def list_requests(
    container: ContainerDep,
    full: FullAccess,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Service requests by ids, or by service, period (default: last 90 days) and status; the public
    record without an API key header (no citizen text, answer, coordinates, photos or security tickets)."""
    if status not in (None, "", "open", "closed"):
        raise HTTPException(400, "status must be open or closed")
    query = RequestQuery(
        ids=_codes(service_request_id),
        service_codes=_codes(service_code),
        start=_date(start_date, "start_date"),
        end=_date(end_date, "end_date"),
        status=status or None,
        full=full,
    )
    return _service(container).requests(query)


@router.get("/requests/{service_request_id}.json")
def get_request(service_request_id: str, container: ContainerDep, full: FullAccess) -> list[dict[str, Any]]:
    """One service request (the public record, or the full one with an API key header)."""
    return _service(container).request(service_request_id, full)


async def _in_thread(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return await run_in_threadpool(work)
