"""Photos in an S3-compatible bucket (MEDIA_STORE=s3): every backend host sees the same photos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from backend.adapters.media_store import AbstractMediaStore, MediaUnavailable, sniff_image
from backend.domain.errors import InvalidInput

MISSING = {"NoSuchKey", "404", "NotFound"}


class S3MediaStore(AbstractMediaStore):
    """Photos as private objects of one bucket; the backend streams them to officials."""

    def __init__(self, client: Any, bucket: str, public_base_url: str, max_bytes: int) -> None:
        super().__init__(public_base_url, max_bytes)
        self.client = client
        self.bucket = bucket

    def adopt(self, downloaded: Path) -> str:
        """Upload a channel's download from the local staging folder, then remove it there."""
        name = super().adopt(downloaded)
        downloaded.unlink(missing_ok=True)
        return name

    def delete(self, relative: str) -> None:
        """Remove a stored object (used when its database row could not be written)."""
        self.client.delete_object(Bucket=self.bucket, Key=relative)

    def _put(self, name: str, data: bytes, content_type: str) -> None:
        content_type = _content_type(data, content_type)
        try:
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise MediaUnavailable(f"photo not stored in bucket {self.bucket}: {exc}") from exc

    def _get(self, name: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise MediaUnavailable(f"photo not read from bucket {self.bucket}: {exc}") from exc
        except BotoCoreError as exc:
            raise MediaUnavailable(f"photo not read from bucket {self.bucket}: {exc}") from exc
        body: bytes = response["Body"].read()
        return body


def s3_client(endpoint_url: str | None, region: str, access_key_id: str, secret_access_key: str) -> Any:
    """A boto3 S3 client with short time-outs, path-style addressing for MinIO and the like."""
    config = Config(
        connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}, s3={"addressing_style": "path"}
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region,
        aws_access_key_id=access_key_id or None,
        aws_secret_access_key=secret_access_key or None,
        config=config,
    )


def _content_type(data: bytes, fallback: str) -> str:
    try:
        return sniff_image(data)[0]
    except InvalidInput:
        return fallback
