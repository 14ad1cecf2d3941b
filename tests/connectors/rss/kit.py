"""RSS's kit for the contract suite: a feed from fixtures/, served with an ETag (a matching If-None-Match: 304)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import respx

from tests.connectors.contract import Kit, http_failures, public_dns
from tests.connectors.rss.conftest import fixture_bytes

HOST = "www.example.org"
FEED = f"https://{HOST}/feed.xml"
ETAG = '"kit-1"'


def _feed(request: httpx.Request) -> httpx.Response:
    if request.headers.get("If-None-Match") == ETAG:
        return httpx.Response(304)
    headers = {"Content-Type": "application/rss+xml", "ETag": ETAG}
    return httpx.Response(200, content=fixture_bytes("rss2.xml"), headers=headers)


@contextmanager
def network() -> Iterator[None]:
    with public_dns(HOST), respx.mock(assert_all_called=False) as router:
        router.get(FEED).mock(side_effect=_feed)
        yield


KIT = Kit("rss", config={"feed_url": FEED}, network=network)
KIT.failures = http_failures(KIT.build, HOST)
