"""Builders shared by the Open311 tests."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

BASE = "/open311/v2"
PUBLIC_FIELDS = {
    "service_request_id",
    "status",
    "service_name",
    "service_code",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
}
FULL_FIELDS = PUBLIC_FIELDS | {"description", "status_notes", "lat", "long", "media_url"}
SECRET_EMAIL = "bi.mat@example.vn"
SECRET_NAME = "Hoàng"
SECRET_PHONE = "0935777888"


def submit(client: TestClient, key: str, **overrides: Any) -> Any:
    """POST a form-encoded service request."""
    form = {
        "api_key": key,
        "service_code": "infrastructure",
        "lat": "15.8794",
        "long": "108.3350",
        "address_string": "đường Nguyễn Duy Hiệu, Cẩm Châu",
        "description": f"Ổ gà lớn giữa đường {uuid.uuid4().hex[:8]}",
        "email": SECRET_EMAIL,
        "first_name": SECRET_NAME,
        "last_name": "Thị Kín",
        "phone": SECRET_PHONE,
        "media_url": "https://example.org/photos/o-ga.jpg",
        **overrides,
    }
    return client.post(f"{BASE}/requests.json", data=form)


def created_id(client: TestClient, api_key: str, **overrides: Any) -> str:
    """Submit a request and return its service_request_id."""
    response = submit(client, api_key, **overrides)
    assert response.status_code == 201, response.text
    return str(response.json()[0]["service_request_id"])


def assert_spec_error(response: Any, status: int) -> None:
    """The GeoReport error array with the HTTP status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]
