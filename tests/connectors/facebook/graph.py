"""A fake Graph API for the Facebook and Instagram tests: paged edges as Graph pages them, and what was sent."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.connectors.facebook.conftest import load

HOST = "graph.facebook.com"
BASE = f"https://{HOST}/v25.0"
BUC_HEADER = {
    "X-Business-Use-Case-Usage": json.dumps(
        {
            "104857600": [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 12,
                    "total_time": 30,
                    "estimated_time_to_regain_access": 7,
                }
            ]
        }
    )
}


def paged(request: httpx.Request, entries: list[dict[str, Any]], page_size: int) -> httpx.Response:
    """``entries`` a page at a time, with ``paging.cursors.after`` and ``paging.next`` as guides/pagination shows."""
    start = int(request.url.params.get("after") or 0)
    size = min(int(request.url.params.get("limit") or page_size), page_size)
    page = entries[start : start + size]
    paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
    if start + size < len(entries):
        paging["next"] = f"{request.url.copy_with(params={'after': str(start + size)})}"
    return httpx.Response(200, json={"data": page, "paging": paging})


def graph_error(name: str, status: int = 400, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=load(name), headers=headers or {})


def sent(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content) if request.content else dict(request.url.params)
