"""A fake Discord API for the tests: the fixtures/ payloads served by respx, paged as the docs say.

``GET /channels/{id}/messages``: without ``after``, the latest ``limit`` messages; with it, the ``limit`` messages
right after that id; both newest first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.discord.conftest import load

HOST = "discord.com"
API = "https://discord.com/api/v10"
TOKEN = "MTE4MDAwMDAwMDAwMDAwMDkwMA.kitTok.discord-kit-token-0123456789abcdef"
GUILD = "1180000000000000000"
SUPPORT, NEWS = "1180000000000000101", "1180000000000000102"


class FakeDiscord:
    def __init__(self) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {
            SUPPORT: load("messages_support.json"),
            NEWS: load("messages_news.json"),
        }
        self.calls: list[tuple[str, str, Any]] = []  # (method, path, JSON body)
        self.headers: list[dict[str, str]] = []
        self.errors: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}  # (method, path): (fixture, headers)

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v10")
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, path, body))
        self.headers.append(dict(request.headers))
        if (request.method, path) in self.errors:
            fixture, headers = self.errors[(request.method, path)]
            status = 429 if "429" in fixture else int(fixture.split("_")[1].split(".")[0])
            return httpx.Response(status, json=load(fixture), headers=headers)
        return self.route(request, path, body)

    def route(self, request: httpx.Request, path: str, body: Any) -> httpx.Response:
        parts = path.strip("/").split("/")
        if request.method == "GET" and path == "/users/@me":
            return httpx.Response(200, json=load("me.json"))
        if request.method == "GET" and path == f"/guilds/{GUILD}":
            return httpx.Response(200, json=load("guild.json"))
        if request.method == "GET" and path == f"/guilds/{GUILD}/channels":
            return httpx.Response(200, json=load("channels.json"))
        if parts[0] == "channels" and parts[2:] == ["messages"]:
            if request.method == "GET":
                return httpx.Response(200, json=self.page(parts[1], request.url.params))
            created = {**load("created_message.json"), "channel_id": parts[1], "nonce": body.get("nonce")}
            return httpx.Response(200, json=created)
        if request.method == "PATCH":
            return httpx.Response(200, json={})
        return httpx.Response(204)

    def page(self, channel: str, params: Any) -> list[dict[str, Any]]:
        newest_first = sorted(self.messages.get(channel, []), key=lambda m: -int(m["id"]))
        limit = int(params.get("limit") or 50)
        after = int(params.get("after") or 0)
        if not after:
            return newest_first[:limit]
        later = [m for m in newest_first if int(m["id"]) > after]
        return later[-limit:]

    def sent(self, method: str) -> list[tuple[str, Any]]:
        return [(path, body) for name, path, body in self.calls if name == method]

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(HOST), respx.mock(assert_all_called=False) as router:
            router.route(host=HOST, path__startswith="/api/v10/").mock(side_effect=self.answer)
            yield router
