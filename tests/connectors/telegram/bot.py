"""A fake Telegram Bot API for the tests: the fixtures/ payloads served by respx, with what calls did recorded.

getUpdates behaves as documented: an ``offset`` confirms (forgets) every update below it, and ``limit`` caps a page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.telegram.conftest import load

HOST = "api.telegram.org"
TOKEN = "123456789:AAEkitTelegramToken_abcdefghijklmnopq"


class FakeBot:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = load("updates.json")["result"]
        self.calls: list[tuple[str, dict[str, Any]]] = []  # (method, body)
        self.errors: dict[str, str] = {}  # method: the fixture it answers with
        self.tokens: set[str] = set()  # the tokens requests carried

    def answer(self, request: httpx.Request, token: str, method: str) -> httpx.Response:
        self.tokens.add(token)
        body = json.loads(request.content or b"{}")
        self.calls.append((method, body))
        if method in self.errors:
            payload = load(self.errors[method])
            return httpx.Response(payload["error_code"], json=payload)
        if method == "getUpdates":
            offset = int(body.get("offset") or 0)
            if offset:
                self.updates = [update for update in self.updates if update["update_id"] >= offset]
            return httpx.Response(200, json={"ok": True, "result": self.updates[: int(body.get("limit") or 100)]})
        fixture = {"getMe": "get_me.json", "getChat": "get_chat.json", "sendMessage": "sent_message.json"}
        return httpx.Response(200, json=load(fixture.get(method, "ok_true.json")))

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [body for name, body in self.calls if name == method]

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(HOST), respx.mock(assert_all_called=False) as router:
            router.post(host=HOST, path__regex=r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$").mock(side_effect=self.answer)
            yield router
