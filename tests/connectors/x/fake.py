"""A fake X API v2 for the tests: the fixtures/ payloads served by respx, the calls recorded.

The mentions timeline behaves as documented: newest first, ``since_id`` keeps only newer posts, ``max_results``
(here at most ``page_size``) caps a page and ``meta.next_token`` / ``pagination_token`` walk to older ones. The token
endpoint rotates the refresh token at each refresh and refuses a used one, as X does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.x.conftest import load

HOST = "api.x.com"
ME = "1600000000000000001"


class FakeX:
    def __init__(self, page_size: int = 2, refresh_token: str = "kit-x-refresh-token-0000", *, strict: bool = True):  # noqa: S107
        mentions = load("mentions.json")
        self.posts: list[dict[str, Any]] = mentions["data"]
        self.users: list[dict[str, Any]] = mentions["includes"]["users"]
        self.page_size = page_size
        self.refresh_token = refresh_token  # the one valid refresh token
        self.strict = strict  # False: any refresh token is taken (the contract suite builds from the kit's each time)
        self.refreshes = 0
        self.access_token = ""
        self.calls: list[tuple[str, str, Any]] = []  # (method, path, params or body)
        self.errors: dict[str, tuple[int, str, dict[str, str]]] = {}  # path suffix: (status, fixture, headers)

    def token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if form.get("grant_type") != "refresh_token" or (
            self.strict and form.get("refresh_token") != self.refresh_token
        ):
            return httpx.Response(400, json=load("token_invalid.json"))
        self.refreshes += 1
        answer = load("token.json")
        self.access_token = answer["access_token"] = f"access-{self.refreshes}"
        self.refresh_token = answer["refresh_token"] = f"kit-x-refresh-token-{self.refreshes:04d}"
        return httpx.Response(200, json=answer)

    def api(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        params = dict(request.url.params)
        self.calls.append((request.method, path, json.loads(request.content) if request.content else params))
        for suffix, (status, fixture, headers) in self.errors.items():
            if path.endswith(suffix):
                return httpx.Response(status, json=load(fixture), headers=headers)
        if request.headers.get("Authorization") != f"Bearer {self.access_token}" or not self.access_token:
            return httpx.Response(401, json=load("error_401.json"))
        if path == "/2/users/me":
            return httpx.Response(200, json=load("me.json"))
        if path == f"/2/users/{ME}/mentions":
            return httpx.Response(200, json=self.mentions(params))
        if path == "/2/tweets" and request.method == "POST":
            return httpx.Response(201, json=load("created_post.json"))
        if path.endswith("/hidden"):
            return httpx.Response(200, json=load("hidden.json"))
        if path.startswith("/2/tweets/") and request.method == "DELETE":
            return httpx.Response(200, json=load("deleted.json"))
        if path == f"/2/users/{ME}/muting":
            return httpx.Response(200, json=load("muting.json"))
        return httpx.Response(404, json={"title": "Not Found Error", "detail": path, "type": "about:blank"})

    def mentions(self, params: dict[str, str]) -> dict[str, Any]:
        newer = sorted(
            (p for p in self.posts if int(p["id"]) > int(params.get("since_id") or 0)), key=lambda p: -int(p["id"])
        )
        start = int(params.get("pagination_token") or 0)
        size = min(int(params.get("max_results") or 10), self.page_size)
        page = newer[start : start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if start + size < len(newer):
            meta["next_token"] = str(start + size)
        found: dict[str, Any] = {"meta": meta}
        if page:
            found.update(data=page, includes={"users": self.users})
        return found

    def sent(self, method: str, suffix: str) -> list[Any]:
        return [body for m, path, body in self.calls if m == method and path.endswith(suffix)]

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(HOST), respx.mock(assert_all_called=False) as router:
            router.post(host=HOST, path="/2/oauth2/token").mock(side_effect=self.token)
            router.route(host=HOST).mock(side_effect=self.api)
            yield router
