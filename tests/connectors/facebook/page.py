"""A fake Facebook Page for the tests: the fixtures/ payloads served by respx, with state that actions change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.facebook.conftest import load
from tests.connectors.facebook.graph import HOST, graph_error, paged, sent

PAGE_ID = "104857600"


class FakePage:
    def __init__(self, page_size: int = 25) -> None:
        self.page_size = page_size
        self.posts: list[dict[str, Any]] = load("feed.json")["data"]
        self.comments: dict[str, list[dict[str, Any]]] = {
            "104857600_2001": load("comments_2001.json")["data"],
            "104857600_2000": load("comments_2000.json")["data"],
        }
        self.blocked: set[str] = set()
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def _find(self, object_id: str) -> dict[str, Any] | None:
        for entry in [*self.posts, *(c for comments in self.comments.values() for c in comments)]:
            if entry["id"] == object_id:
                return entry
        return None

    def feed(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.sent.append(("POST", "feed", sent(request)))
            created = load("created.json")
            self.posts.insert(
                0,
                {
                    **created,
                    "message": sent(request)["message"],
                    "from": {"id": PAGE_ID},
                    "created_time": "2026-12-06T12:00:00+0000",
                },
            )
            return httpx.Response(200, json=created)
        return paged(request, self.posts, self.page_size)

    def comments_of(self, request: httpx.Request, object_id: str) -> httpx.Response:
        if request.method == "POST":
            self.sent.append(("POST", f"{object_id}/comments", sent(request)))
            return httpx.Response(200, json=load("comment_created.json"))
        found = self.comments.get(object_id)
        if found is None:
            found = [
                c for comments in self.comments.values() for c in comments if c.get("parent", {}).get("id") == object_id
            ]
        return paged(request, found, self.page_size)

    def node(self, request: httpx.Request, object_id: str) -> httpx.Response:
        if object_id == PAGE_ID and request.method == "GET":
            return httpx.Response(200, json=load("page.json"))
        entry = self._find(object_id)
        if entry is None:
            return graph_error("error_100_33.json")
        if request.method == "POST":
            self.sent.append(("POST", object_id, sent(request)))
            entry["is_hidden"] = sent(request)["is_hidden"]
        elif request.method == "DELETE":
            self.sent.append(("DELETE", object_id, {}))
            for comments in self.comments.values():
                comments[:] = [c for c in comments if c["id"] != object_id]
            self.posts[:] = [p for p in self.posts if p["id"] != object_id]
        else:
            return httpx.Response(200, json={"id": entry["id"], "is_hidden": entry.get("is_hidden", False)})
        return httpx.Response(200, json=load("success.json"))

    def blocked_edge(self, request: httpx.Request) -> httpx.Response:
        user = str(sent(request).get("user") or request.url.params.get("user") or "")
        if request.method == "GET":
            return httpx.Response(200, json=load("blocked.json") if user in self.blocked else {"data": []})
        self.sent.append((request.method, "blocked", {"user": user}))
        (self.blocked.add if request.method == "POST" else self.blocked.discard)(user)
        return httpx.Response(200, json=load("success.json"))

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(HOST), respx.mock(base_url=f"https://{HOST}", assert_all_called=False) as router:
            router.route(path=f"/v25.0/{PAGE_ID}/feed").mock(side_effect=self.feed)
            router.route(path=f"/v25.0/{PAGE_ID}/blocked").mock(side_effect=self.blocked_edge)
            router.route(path__regex=r"^/v25\.0/(?P<object_id>[\d_]+)/comments$").mock(side_effect=self.comments_of)
            router.route(path__regex=r"^/v25\.0/(?P<object_id>[\d_]+)$").mock(side_effect=self.node)
            yield router
