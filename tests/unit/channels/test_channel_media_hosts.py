"""Which image URLs an inbound photo may be fetched from (MediaPolicy, from ZALO_MEDIA_HOSTS)."""

from __future__ import annotations

import pytest

from channels import PermanentError
from channels.config import DEFAULT_ZALO_MEDIA_HOSTS
from channels.media_fetch import MediaPolicy

ZALO = MediaPolicy(DEFAULT_ZALO_MEDIA_HOSTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://photo-stal.zadn.vn/a.jpg",
        "https://f21-zpc.zdn.vn/jpg/123/abc.jpg",
        "https://zalo.me/x.png",
        "https://PHOTO.ZADN.VN/upper.jpg",
    ],
)
def test_zalos_cdn_over_https_is_allowed(url: str) -> None:
    ZALO.check(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://photo-stal.zadn.vn/a.jpg",  # plain http
        "https://evilzadn.vn/a.jpg",  # not a subdomain
        "https://zadn.vn.example.com/a.jpg",
        "https://127.0.0.1/a.jpg",
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "ftp://photo.zdn.vn/a.jpg",
        "not a url",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(PermanentError, match="not in the media hosts"):
        ZALO.check(url)


def test_an_http_entry_allows_http_for_that_host_only() -> None:
    policy = MediaPolicy(("http://127.0.0.1", "*.cdn.test"))

    policy.check("http://127.0.0.1:8080/a.jpg")
    policy.check("https://img.cdn.test/a.jpg")
    with pytest.raises(PermanentError):
        policy.check("http://img.cdn.test/a.jpg")
    with pytest.raises(PermanentError):
        policy.check("http://1.127.0.0.1/a.jpg")
