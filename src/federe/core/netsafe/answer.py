"""What a fetch gives back, and how long the server asked us to wait before the next one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes
    headers: httpx.Headers
    url: str  # the final address, after redirects
    not_modified: bool = False
    redirects: tuple[str, ...] = field(default=())

    @property
    def etag(self) -> str:
        return self.headers.get("ETag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("Last-Modified", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            key, _sep, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("'\"").lower()
        return ""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After or X-RateLimit-Reset value (seconds, an HTTP date or an ISO 8601 time) as seconds to wait."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
