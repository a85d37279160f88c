"""Print shell exports of REDIS_HOST/PORT/DB/PASSWORD from a REDIS_URL, for Rasa's endpoints.redis.yml."""

import shlex
import sys
from urllib.parse import unquote, urlparse

url = urlparse(sys.argv[1])
values = {
    "REDIS_HOST": url.hostname or "127.0.0.1",
    "REDIS_PORT": str(url.port or 6379),
    "REDIS_DB": (url.path or "/0").lstrip("/") or "0",
    "REDIS_PASSWORD": unquote(url.password or ""),  # percent-decoded, as redis-py reads REDIS_URL
}
for key, value in values.items():
    print(f"export {key}={shlex.quote(value)}")
