"""The one outgoing webhook POST: through the SSRF-safe client (no private or loopback address unless the
operator allows it, no redirects, a size cap), never inside a transaction. Used by the webhooks' delivery and by
listening alerts (listening/delivery.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from federe.core import netsafe

EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (refused address, network error)
    excerpt: str  # the start of the response body
    error: str  # in words, when there was no HTTP answer
    retry_after: float | None  # seconds the receiver asked us to wait
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    started = time.monotonic()
    try:
        result = netsafe.request("POST", url, headers=headers, content=body, follow_redirects=False, max_bytes=64_000)
    except netsafe.NetError as exc:
        return Answer(None, "", str(exc)[:500], None, _ms(started))
    excerpt = result.body[: EXCERPT_CHARS * 4].decode("utf-8", "replace")[:EXCERPT_CHARS]
    wait = netsafe.retry_after_seconds(result.headers.get("Retry-After"))
    return Answer(result.status, excerpt, "", wait, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
