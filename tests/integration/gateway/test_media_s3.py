"""Photos on shared storage (MEDIA_STORE=s3) against a real S3 endpoint: moto's threaded server,
an HTTP S3 API on a local port (no S3-compatible server installs from PyPI or Debian). A photo a
citizen sends through one backend host is in the bucket, and an official signed in on a second
host, whose MEDIA_DIR is empty, sees it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer

from backend.entrypoints.app import create_app
from backend.settings import Settings
from tests.conftest import sign_in_official
from tests.fakes import telegram_updates as tg
from tests.integration.gateway.conftest import GatewayStack, telegram_post, texts_to, wait_for

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 300
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 300
BUCKET = "ioc-photos"
S3_KEYS = {"s3_access_key_id": "test-key", "s3_secret_access_key": "test-secret", "s3_region": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 HTTP endpoint with an empty private bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _bucket_client(url).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


def _bucket_client(url: str) -> object:
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )


def _s3_settings(stack: GatewayStack, endpoint: str, media_dir: Path) -> Settings:
    return stack.settings.model_copy(
        update={
            "media_store": "s3",
            "s3_endpoint_url": endpoint,
            "s3_bucket": BUCKET,
            "media_dir": media_dir,
            **S3_KEYS,
        }  # fmt: skip
    )


@pytest.fixture
def host_a(gateway_stack: GatewayStack, s3_endpoint: str, tmp_path: Path) -> Iterator[GatewayStack]:
    """The first backend host, with photos in the bucket."""
    settings = _s3_settings(gateway_stack, s3_endpoint, tmp_path / "host-a")
    with TestClient(create_app(settings)) as client:
        yield GatewayStack(settings, client, gateway_stack.telegram, gateway_stack.zalo, gateway_stack.rasa)


@pytest.fixture
def official_on_b(gateway_stack: GatewayStack, s3_endpoint: str, tmp_path: Path) -> Iterator[TestClient]:
    """An official signed in on a second backend host with an empty MEDIA_DIR."""
    settings = _s3_settings(gateway_stack, s3_endpoint, tmp_path / "host-b")
    with TestClient(create_app(settings)) as client:
        yield sign_in_official(client)


def _object(endpoint: str, url: str) -> bytes:
    response = _bucket_client(endpoint).get_object(Bucket=BUCKET, Key=url.rsplit("/", 1)[1])  # type: ignore[attr-defined]
    return bytes(response["Body"].read())


def test_a_telegram_photo_lands_in_the_bucket_and_host_b_shows_it(
    host_a: GatewayStack, official_on_b: TestClient, s3_endpoint: str, tmp_path: Path
) -> None:
    host_a.telegram.add_file("photo-s3-1", JPEG, "photos/file_s3_1.jpg")

    telegram_post(host_a, tg.photo_update(86001, "photo-s3-1"))
    wait_for(lambda: texts_to(host_a, 86001))

    [url] = host_a.rasa.calls_from("telegram:86001")[0].metadata["photo_urls"]
    assert _object(s3_endpoint, url) == JPEG
    assert list((tmp_path / "host-a").glob("*.jpg")) == []  # the download was only staged there
    shown = official_on_b.get(url.removeprefix("http://testserver"))
    assert shown.status_code == 200 and shown.content == JPEG
    assert shown.headers["content-type"] == "image/jpeg"
    assert not (tmp_path / "host-b").exists() or list((tmp_path / "host-b").iterdir()) == []


def test_a_web_chat_upload_lands_in_the_bucket_and_host_b_shows_it(
    host_a: GatewayStack, official_on_b: TestClient, s3_endpoint: str
) -> None:
    session = "w" + uuid.uuid4().hex
    upload = host_a.client.post(
        "/chat/upload", files={"file": ("a.png", PNG, "image/png")}, data={"session_id": session}
    )

    url = upload.json()["url"]
    assert _object(s3_endpoint, url) == PNG
    path = url.removeprefix("http://testserver")
    assert official_on_b.get(path).content == PNG
    assert TestClient(official_on_b.app).get(path).status_code == 401  # never public
    assert official_on_b.get("/media/not-there.png").status_code == 404
