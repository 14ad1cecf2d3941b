"""A fake LinkedIn REST API for the tests: the fixtures/ payloads served by respx, the calls recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.linkedin.conftest import load

HOSTS = ("api.linkedin.com", "www.linkedin.com")
ORG = "2414183"


class FakeLinkedIn:
    def __init__(self, *, strict: bool = True) -> None:
        self.strict = strict  # False: any refresh token is taken (the contract suite builds from the kit's each time)
        self.access_token = ""
        self.refresh_token = "kit-linkedin-refresh-0000"
        self.calls: list[tuple[str, str, Any, dict[str, str]]] = []  # (method, path, params or body, headers)
        self.errors: dict[str, tuple[int, str]] = {}  # path fragment: (status, fixture)

    def token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if (self.strict and form.get("refresh_token") != self.refresh_token) or not form.get("client_secret"):
            return httpx.Response(400, json=load("token_invalid.json"))
        answer = load("token.json")
        self.access_token, self.refresh_token = answer["access_token"], answer["refresh_token"]
        return httpx.Response(200, json=answer)

    def api(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path)
        body = json.loads(request.content) if request.content else dict(request.url.params)
        self.calls.append((request.method, path, body, dict(request.headers)))
        for fragment, (status, fixture) in self.errors.items():
            if fragment in path:
                return httpx.Response(status, json=load(fixture))
        if request.headers.get("Authorization") != f"Bearer {self.access_token}" or not self.access_token:
            return httpx.Response(401, json=load("error_401.json"))
        if path == "/rest/posts" and request.method == "GET":
            return httpx.Response(200, json=load("posts.json"))
        if path == "/rest/posts":
            return httpx.Response(201, headers={"x-restli-id": "urn:li:share:7100000000000000009"})
        if path.endswith("/comments") and request.method == "GET":
            return httpx.Response(200, json=load("comments.json"))
        if path.endswith("/comments"):
            made = "urn:li:comment:(urn:li:activity:7100000000000000002,7100000000000000199)"
            return httpx.Response(201, headers={"x-restli-id": made}, json={"id": "7100000000000000199"})
        if "/comments/" in path and request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(404, json={"status": 404, "code": "NOT_FOUND", "message": path})

    def sent(self, method: str, fragment: str) -> list[Any]:
        return [body for m, path, body, _h in self.calls if m == method and fragment in path]

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(*HOSTS), respx.mock(assert_all_called=False) as router:
            router.post(host="www.linkedin.com", path="/oauth/v2/accessToken").mock(side_effect=self.token)
            router.route(host="api.linkedin.com").mock(side_effect=self.api)
            yield router
