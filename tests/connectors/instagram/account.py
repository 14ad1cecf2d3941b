"""A fake Instagram professional account for the tests: the fixtures/ payloads served by respx, with state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.facebook.conftest import load as load_from
from tests.connectors.facebook.graph import HOST, paged, sent

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IG_USER_ID = "17841400000000001"


def load(name: str) -> Any:
    return load_from(name, FIXTURES)


def error(name: str, status: int = 400, headers: dict[str, str] | None = None) -> httpx.Response:
    """A Graph error answer from this folder's fixtures."""
    return httpx.Response(status, json=load(name), headers=headers or {})


class FakeAccount:
    def __init__(self, page_size: int = 25) -> None:
        self.page_size = page_size
        self.media: list[dict[str, Any]] = load("media.json")["data"]
        self.comments: dict[str, list[dict[str, Any]]] = {
            "17900000000000002": load("comments_17900000000000002.json")["data"],
            "17900000000000001": load("comments_17900000000000001.json")["data"],
        }
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def _all_comments(self) -> Iterator[dict[str, Any]]:
        for comments in self.comments.values():
            for comment in comments:
                yield comment
                yield from comment.get("replies", {}).get("data", [])

    def media_edge(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.sent.append(("POST", "media", sent(request)))
            return httpx.Response(200, json=load("container.json"))
        return paged(request, self.media, self.page_size)

    def media_publish(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(("POST", "media_publish", sent(request)))
        created = load("published_media.json")
        caption = next((data["caption"] for verb, edge, data in self.sent if edge == "media"), "")
        self.media.insert(0, {**created, "caption": caption, "username": "atelier.velo"})
        return httpx.Response(200, json=load("media_publish.json"))

    def comments_of(self, request: httpx.Request, object_id: str) -> httpx.Response:
        if request.method == "POST":
            self.sent.append(("POST", f"{object_id}/comments", sent(request)))
            return httpx.Response(200, json=load("comment_created.json"))
        return paged(request, self.comments.get(object_id, []), self.page_size)

    def replies(self, request: httpx.Request, object_id: str) -> httpx.Response:
        self.sent.append(("POST", f"{object_id}/replies", sent(request)))
        return httpx.Response(200, json=load("comment_created.json"))

    def node(self, request: httpx.Request, object_id: str) -> httpx.Response:
        if object_id == IG_USER_ID:
            return httpx.Response(200, json=load("account.json"))
        if object_id == "17900000000000003":
            return httpx.Response(200, json=load("published_media.json"))
        comment = next((c for c in self._all_comments() if c["id"] == object_id), None)
        if comment is None:
            return error("error_100_33.json")
        if request.method == "POST":
            self.sent.append(("POST", object_id, sent(request)))
            comment["hidden"] = sent(request)["hide"]
        elif request.method == "DELETE":
            self.sent.append(("DELETE", object_id, {}))
            for comments in self.comments.values():
                comments[:] = [c for c in comments if c["id"] != object_id]
        else:
            return httpx.Response(200, json={"id": object_id, "hidden": comment.get("hidden", False)})
        return httpx.Response(200, json=load("success.json"))

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(HOST), respx.mock(base_url=f"https://{HOST}", assert_all_called=False) as router:
            router.route(path=f"/v25.0/{IG_USER_ID}/media").mock(side_effect=self.media_edge)
            router.route(path=f"/v25.0/{IG_USER_ID}/media_publish").mock(side_effect=self.media_publish)
            router.route(path__regex=r"^/v25\.0/(?P<object_id>\d+)/comments$").mock(side_effect=self.comments_of)
            router.route(path__regex=r"^/v25\.0/(?P<object_id>\d+)/replies$").mock(side_effect=self.replies)
            router.route(path__regex=r"^/v25\.0/(?P<object_id>\d+)$").mock(side_effect=self.node)
            yield router
