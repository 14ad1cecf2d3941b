"""The HTTP calls to Discord's REST API v10, with every failure mapped into the connector error family.

Built to Discord's published API documentation (https://discord.com/developers/docs, API v10: resources
"Channel", "Message", "Guild", "User", and topics "Rate Limits" and "Opcodes and Status Codes"), not checked
against Discord: our machines cannot reach it. Every request goes through ``federe.connectors.http`` (netsafe) to
``https://discord.com/api/v10`` with ``Authorization: Bot <token>``; redirects are not followed, so the token is
never sent elsewhere. Each method names its endpoint.

Errors: Discord answers ``{"code": N, "message": "...", "errors": {...}}`` (JSON error codes: 10003 unknown
channel, 10007 unknown member, 10008 unknown message, 10026 unknown ban, 50001 missing access, 50013 missing
permissions). A rate limit is HTTP 429 with ``{"message", "retry_after": seconds (float), "global": bool}`` and the
headers ``Retry-After``, ``X-RateLimit-Reset-After`` and ``X-RateLimit-Scope``. ``X-RateLimit-Reset`` is an epoch
time, not a delay, so the shared reader (which takes it for a delay) is not used: the body, then
``X-RateLimit-Reset-After``, then ``Retry-After`` say how long to wait.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized

API = "https://discord.com/api/v10"
SITE = "Discord"
TIMEOUT_SECONDS = 10
MAX_BYTES = 10_000_000
USER_AGENT = "DiscordBot (https://federe.org, 0.1)"  # the form the docs ask of a bot's User-Agent
# Discord's JSON error codes for "already gone": a second call of the same action finds it done.
UNKNOWN = {10007: "member", 10008: "message", 10026: "ban"}

NOT_JSON = _lazy("Discord answered with something that is not JSON (HTTP %(status)s, %(kind)s).")
NOT_AN_OBJECT = _lazy("Discord answered %(what)s with something that is not what the API documents.")
REFUSED_TOKEN = _lazy(
    "Discord refused the bot token (HTTP 401%(detail)s): it is wrong or was reset. In the Developer Portal, open"
    " your application → Bot → Reset Token, and paste the new one."
)
FORBIDDEN = _lazy(
    "Discord refused the request (HTTP 403%(detail)s): the bot lacks a permission in that server or channel (View"
    " Channel, Read Message History, Send Messages, Manage Messages, Ban, Kick or Moderate Members)."
)
NOT_FOUND = _lazy("Discord has no such server, channel or message (HTTP 404%(detail)s): check the ids.")
SLOW_DOWN = _lazy("Discord asked us to slow down (HTTP 429%(detail)s); we will try again later.")
SERVER_ERROR = _lazy("Discord had an internal error (HTTP %(status)s); we will try again.")
OTHER = _lazy("Discord refused the request (HTTP %(status)s%(detail)s).")


def _discord_error(body: bytes) -> tuple[int, str, float | None, bool]:
    """Discord's JSON error code, its message, the seconds to wait (rate limits) and whether the limit is global."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return 0, "", None, False
    if not isinstance(payload, dict):
        return 0, "", None, False
    code = payload.get("code")
    wait = payload.get("retry_after")
    wait = float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0 else None
    code = code if isinstance(code, int) and not isinstance(code, bool) else 0
    return code, str(payload.get("message") or "").strip()[:300], wait, payload.get("global") is True


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value or "")
    except ValueError:
        return None
    return seconds if 0 <= seconds < 86_400 else None


class DiscordClient:
    def __init__(self, token: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self._headers = {"Authorization": f"Bot {token}", "Accept": "application/json"}
        self.timeout = timeout

    def __repr__(self) -> str:
        return "<DiscordClient>"  # never the token

    # -- reading --------------------------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """GET /users/@me: the bot's own user (``id``, ``username``, ``bot``)."""
        return self._object("GET", "/users/@me", what=_("the bot's account"))

    def guild(self, guild_id: str) -> dict[str, Any]:
        """GET /guilds/{guild.id}: the server (``name``)."""
        return self._object("GET", f"/guilds/{guild_id}", what=_("the server"))

    def channels(self, guild_id: str) -> list[Any]:
        """GET /guilds/{guild.id}/channels: the server's channels (``type`` 0 text, 5 announcement)."""
        return self._list("GET", f"/guilds/{guild_id}/channels", what=_("the server's channels"))

    def messages(self, channel_id: str, *, after: str = "", limit: int = 100) -> list[Any]:
        """GET /channels/{channel.id}/messages?after=&limit= (1-100): the messages after ``after``, or the
        latest ones without it (needs View Channel and Read Message History)."""
        params = {"after": after or None, "limit": limit}
        return self._list("GET", f"/channels/{channel_id}/messages", params=params, what=_("the messages"))

    # -- writing --------------------------------------------------------------------------------------------

    def create_message(self, channel_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST /channels/{channel.id}/messages: ``content`` (2000 characters), ``message_reference`` for a reply,
        ``nonce`` and ``enforce_nonce`` (Discord returns the message it made with that nonce in the past few
        minutes instead of a second one), ``allowed_mentions``."""
        return self._object("POST", f"/channels/{channel_id}/messages", json=data, what=_("the new message"))

    def delete_message(self, channel_id: str, message_id: str, reason: str) -> None:
        """DELETE /channels/{channel.id}/messages/{message.id} (Manage Messages for others' messages)."""
        self.call("DELETE", f"/channels/{channel_id}/messages/{message_id}", reason=reason)

    def ban(self, guild_id: str, user_id: str, reason: str) -> None:
        """PUT /guilds/{guild.id}/bans/{user.id} (Ban Members)."""
        self.call("PUT", f"/guilds/{guild_id}/bans/{user_id}", json={}, reason=reason)

    def unban(self, guild_id: str, user_id: str, reason: str) -> None:
        """DELETE /guilds/{guild.id}/bans/{user.id} (Ban Members)."""
        self.call("DELETE", f"/guilds/{guild_id}/bans/{user_id}", reason=reason)

    def kick(self, guild_id: str, user_id: str, reason: str) -> None:
        """DELETE /guilds/{guild.id}/members/{user.id} (Kick Members)."""
        self.call("DELETE", f"/guilds/{guild_id}/members/{user_id}", reason=reason)

    def timeout_member(self, guild_id: str, user_id: str, until: str, reason: str) -> None:
        """PATCH /guilds/{guild.id}/members/{user.id} with ``communication_disabled_until`` (ISO 8601, 28 days at
        most; Moderate Members)."""
        data = {"communication_disabled_until": until}
        self.call("PATCH", f"/guilds/{guild_id}/members/{user_id}", json=data, reason=reason)

    # -- plumbing -------------------------------------------------------------------------------------------

    def _object(self, method: str, path: str, *, what: str, json: Any = None) -> dict[str, Any]:
        found = http.json_of(self.call(method, path, json=json), site=SITE, words=NOT_JSON)
        if not isinstance(found, dict):
            raise http.NotJson(str(NOT_AN_OBJECT) % {"what": what})
        return found

    def _list(self, method: str, path: str, *, what: str, params: dict[str, Any] | None = None) -> list[Any]:
        found = http.json_of(self.call(method, path, params=params), site=SITE, words=NOT_JSON)
        if not isinstance(found, list):
            raise http.NotJson(str(NOT_AN_OBJECT) % {"what": what})
        return found

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, reason: str = ""
    ) -> http.Answer:
        headers = dict(self._headers)
        if reason.strip():  # shown in the server's audit log; a header, so ASCII-safe and short
            headers["X-Audit-Log-Reason"] = reason.strip()[:400].encode("ascii", "replace").decode()
        answer = http.request(
            method,
            f"{API}{path}",
            params=params,
            headers=headers,
            json_body=json,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )
        if answer.status >= 300:
            raise error_for(answer)
        return answer


class Gone(Permanent):
    """Discord says the message, member or ban is not there (10008, 10007, 10026): an action already done."""


def error_for(answer: http.Answer) -> ConnectorError:
    code, message, wait, is_global = _discord_error(answer.body)
    status = answer.status
    values = {"status": status, "detail": f": {message}" if message else ""}
    if status == 429:
        wait = wait if wait is not None else _seconds(answer.headers.get("X-RateLimit-Reset-After"))
        wait = wait if wait is not None else _seconds(answer.headers.get("Retry-After"))
        limited = RateLimited(str(SLOW_DOWN) % values, retry_after=wait)
        limited.code = "global" if is_global else answer.headers.get("X-RateLimit-Scope", "")[:20]
        return limited
    if status == 401:
        return Unauthorized(str(REFUSED_TOKEN) % values, status=status, code=str(code or ""))
    if status == 403:
        return Permanent(str(FORBIDDEN) % values, status=status, code=str(code or ""))
    if status == 404:
        kind = Gone if code in UNKNOWN else Permanent
        return kind(str(NOT_FOUND) % values, status=status, code=str(code or ""))
    if status >= 500:
        return Transient(str(SERVER_ERROR) % values, status=status)
    return Permanent(str(OTHER) % values, status=status, code=str(code or ""))
