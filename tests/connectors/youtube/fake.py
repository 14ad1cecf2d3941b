"""A fake YouTube for the tests: the fixtures/ payloads served by respx, with the state that actions change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.youtube.conftest import load

API_HOST = "www.googleapis.com"
TOKEN_HOST = "oauth2.googleapis.com"
API = f"https://{API_HOST}/youtube/v3"
CHANNEL = "UCbakery0000000000000001"


class FakeYouTube:
    """Two pages of threads, the held queue, the replies of UgxThread3, and what writes did."""

    def __init__(self) -> None:
        self.pages = {"": load("threads_page1.json"), "QURTSl9pM-page-2": load("threads_page2.json")}
        self.held = load("threads_held.json")
        self.replies = load("replies.json")
        self.by_id = {"UgxHeld4": load("comment_held.json")}
        self.moderated: list[dict[str, str]] = []
        self.inserted: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.tokens = 0
        self.api_answer: httpx.Response | None = None  # when set, every API call gets it (errors)

    def token(self, request: httpx.Request) -> httpx.Response:
        self.tokens += 1
        return httpx.Response(200, json=load("token.json"))

    def threads(self, request: httpx.Request) -> httpx.Response:
        status = request.url.params.get("moderationStatus")
        if status == "heldForReview":
            return httpx.Response(200, json=self.held)
        if status:
            return httpx.Response(200, json=load("threads_empty.json"))
        page = self.pages.get(request.url.params.get("pageToken", ""))
        if page is None:
            return httpx.Response(400, json={"error": {"code": 400, "message": "bad token", "errors": []}})
        return httpx.Response(200, json=page)

    def comments(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("parentId"):
            return httpx.Response(200, json=self.replies)
        found = self.by_id.get(request.url.params.get("id", ""))
        return httpx.Response(200, json=found if found is not None else load("comment_none.json"))

    def insert(self, request: httpx.Request) -> httpx.Response:
        self.inserted.append(json.loads(request.content))
        return httpx.Response(200, json=load("inserted_reply.json"))

    def set_status(self, request: httpx.Request) -> httpx.Response:
        self.moderated.append(dict(request.url.params))
        return httpx.Response(204)

    def delete(self, request: httpx.Request) -> httpx.Response:
        self.deleted.append(request.url.params.get("id", ""))
        return httpx.Response(204)

    def answering(self, handler: Any) -> Any:
        def respond(request: httpx.Request) -> httpx.Response:
            return self.api_answer if self.api_answer is not None else handler(request)

        return respond

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(API_HOST, TOKEN_HOST), respx.mock(assert_all_called=False) as router:
            router.post(f"https://{TOKEN_HOST}/token").mock(side_effect=self.token)
            router.get(f"{API}/channels").mock(
                side_effect=self.answering(lambda r: httpx.Response(200, json=load("channels_mine.json")))
            )
            router.get(f"{API}/commentThreads").mock(side_effect=self.answering(self.threads))
            router.get(f"{API}/comments").mock(side_effect=self.answering(self.comments))
            router.post(f"{API}/comments").mock(side_effect=self.answering(self.insert))
            router.delete(f"{API}/comments").mock(side_effect=self.answering(self.delete))
            router.post(f"{API}/comments/setModerationStatus").mock(side_effect=self.answering(self.set_status))
            yield router
