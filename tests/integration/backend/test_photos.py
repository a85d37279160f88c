"""Photos: uploads with type and size limits, and photo_urls pointing at our /media."""

from __future__ import annotations

from backend_testkit import create, report
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from tests.conftest import TEST_SERVICE_TOKEN, sign_in_official

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(
    client: TestClient, headers: dict[str, str], code: str, data: bytes, name: str = "a.jpg"
) -> object:
    files = {"file": (name, data, "image/jpeg")}
    return client.post(f"/api/v1/tickets/{code}/photos", files=files, headers=headers)


def photo_count(container: Container, code: str) -> int:
    with container.uow_factory() as uow:
        ticket = uow.tickets.get(code)
        assert ticket is not None
        return len(ticket.photos)


def test_upload_then_reuse_the_url_on_a_new_ticket(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers)
    response = upload(api_client, service_headers, code, JPEG)
    assert response.status_code == 201  # type: ignore[attr-defined]
    url = response.json()["url"]  # type: ignore[attr-defined]
    assert url.startswith("http://testserver/media/") and url.endswith(".jpg")
    path = url.removeprefix("http://testserver")
    assert api_client.get(path).status_code == 401  # citizens' photos are not public
    assert sign_in_official(TestClient(api_client.app)).get(path).content == JPEG
    assert api_client.get(path, headers={"X-Api-Key": TEST_SERVICE_TOKEN}).content == JPEG  # Open311 key
    assert api_client.get(path, headers={"X-Api-Key": "not-a-key"}).status_code == 403
    created = api_client.post("/api/v1/tickets", json=report(photo_urls=[url]), headers=service_headers)
    assert created.status_code == 201
    assert photo_count(backend_container, created.json()["code"]) == 1
    assert photo_count(backend_container, code) == 1


def test_upload_rejects_non_images_and_oversize_files(
    api_client: TestClient, service_headers: dict[str, str], backend_container: Container
) -> None:
    code, _ = create(api_client, service_headers)
    not_image = upload(api_client, service_headers, code, b"%PDF-1.4 hello", "a.pdf")
    limit = backend_container.settings.photo_max_bytes
    too_big = upload(api_client, service_headers, code, PNG + b"\x00" * limit)
    assert not_image.status_code == 422  # type: ignore[attr-defined]
    assert too_big.status_code == 413  # type: ignore[attr-defined]
    assert photo_count(backend_container, code) == 0
    assert list(backend_container.settings.media_dir.glob("*.pdf")) == []


def test_upload_to_an_unknown_ticket_is_404(api_client: TestClient, service_headers: dict[str, str]) -> None:
    assert upload(api_client, service_headers, "PA-1999-000001", JPEG).status_code == 404  # type: ignore[attr-defined]
