"""The HTTP calls to the Telegram Bot API, with every failure mapped into the connector error family.

Built to the published Bot API (https://core.telegram.org/bots/api, Bot API 7.x: ``reply_parameters`` came with
7.0), not checked against Telegram: our machines cannot reach it. Every method is
``POST https://api.telegram.org/bot<token>/METHOD`` with a JSON body, and every answer is
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": "...", "parameters":
{"retry_after": S}}`` ("Making requests" and ``ResponseParameters`` in the docs).

The bot token is the credential and it is IN THE URL PATH: this module is the only place that writes that URL,
and every error leaving it has the token replaced by ``bot…`` (netsafe's messages name the address they could not
reach). The client's repr never shows it. Redirects are not followed, so the token is never sent elsewhere.

Methods called (each cited in its docstring): getMe, getChat, getUpdates, sendMessage, deleteMessage,
banChatMember, unbanChatMember, restrictChatMember.
"""

from __future__ import annotations

import json as jsonlib
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized

API = "https://api.telegram.org"
SITE = "Telegram"
TIMEOUT_SECONDS = 15
MAX_BYTES = 10_000_000
USER_AGENT = "Federe/0.1 (community inbox; Telegram connector)"
# What @BotFather hands out: the bot's id, a colon, and 35 characters (we accept 30 and more).
TOKEN = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,100}$")
# The update kinds Fédère reads (Update object): messages and channel posts (edits are not read).
ALLOWED_UPDATES = ("message", "channel_post")

NOT_JSON = _lazy("Telegram answered with something that is not JSON (HTTP %(status)s, %(kind)s).")
BAD_ANSWER = _lazy("Telegram's answer, when asked %(action)s, had no result.")
REFUSED_TOKEN = _lazy(
    "Telegram refused the bot token (HTTP %(status)s: %(detail)s): it is wrong or was revoked. Get the bot's"
    " current token from @BotFather (/token) and paste it again."
)
FORBIDDEN = _lazy(
    "Telegram refused %(action)s (HTTP %(status)s: %(detail)s): the bot is not in that chat or lacks the right"
    " (make it an administrator of the group, with the rights this needs)."
)
CONFLICT = _lazy(
    "Telegram refused to hand over updates (HTTP 409: %(detail)s): a webhook is set for this bot, or another"
    " program reads its updates. Fédère needs the bot for itself: remove the webhook or use another bot."
)
SLOW_DOWN = _lazy("Telegram asked us to slow down (HTTP 429: %(detail)s); we will try again later.")
BAD_REQUEST = _lazy("Telegram refused %(action)s (HTTP %(status)s: %(detail)s).")
SERVER_ERROR = _lazy("Telegram had an internal error (HTTP %(status)s); we will try again.")

#: What each method asks, in words (a refusal names it; the method's name means nothing to a community manager).
ACTIONS = {
    "getMe": _lazy("to say who the bot is"),
    "getChat": _lazy("to describe the chat"),
    "getUpdates": _lazy("to hand over new messages"),
    "sendMessage": _lazy("to send the message"),
    "deleteMessage": _lazy("to delete the message"),
    "banChatMember": _lazy("to ban the member"),
    "unbanChatMember": _lazy("to let the member back in"),
    "restrictChatMember": _lazy("to silence the member"),
}
KICK = _lazy("to remove the member from the group")


class TelegramError(Permanent):
    """A refusal Telegram explained (``description``): callers may recognise one ("message to delete not found")."""

    def __init__(self, message: str, *, status: int, description: str) -> None:
        super().__init__(message, status=status, code=description)
        self.description = description


def _telegram_error(body: bytes) -> tuple[str, float | None]:
    """Telegram's description and the seconds to wait it announces (``parameters.retry_after``)."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return "", None
    if not isinstance(payload, dict):
        return "", None
    parameters = payload.get("parameters")
    wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
    wait = float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0 else None
    return str(payload.get("description") or "").strip()[:300], wait


class TelegramClient:
    def __init__(self, token: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        if not TOKEN.match(token or ""):
            raise Unauthorized(
                _("This is not a Telegram bot token: it looks like 123456789:AAE… (ask @BotFather for it).")
            )
        self._token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return "<TelegramClient>"  # never the token

    # -- reading --------------------------------------------------------------------------------------------

    def get_me(self) -> dict[str, Any]:
        """getMe: the bot itself (``id``, ``username``, ``can_read_all_group_messages``: privacy mode off)."""
        return self._object("getMe", {})

    def get_chat(self, chat: str) -> dict[str, Any]:
        """getChat: a chat by id or @username (``id``, ``type``, ``title``, ``username``)."""
        return self._object("getChat", {"chat_id": chat})

    def get_updates(self, offset: int | None, limit: int) -> list[Any]:
        """getUpdates with ``offset`` (confirms every update below it), ``limit`` (1-100), ``timeout`` 0 (short
        polling) and ``allowed_updates``. Telegram keeps an update 24 hours at most."""
        data = {"offset": offset, "limit": limit, "timeout": 0, "allowed_updates": list(ALLOWED_UPDATES)}
        found = self.call("getUpdates", {k: v for k, v in data.items() if v is not None})
        if not isinstance(found, list):
            raise http.NotJson(str(BAD_ANSWER) % {"action": ACTIONS["getUpdates"]})
        return found

    # -- writing --------------------------------------------------------------------------------------------

    def send_message(self, chat: str, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        """sendMessage: ``text`` (4096 characters at most), answering ``reply_to`` through ``reply_parameters``
        (``allow_sending_without_reply``: a deleted parent does not lose the reply)."""
        data: dict[str, Any] = {"chat_id": chat, "text": text, "link_preview_options": {"is_disabled": True}}
        if reply_to:
            data["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        return self._object("sendMessage", data)

    def delete_message(self, chat: str, message_id: int) -> None:
        """deleteMessage (a bot admin deletes others' messages younger than 48 hours)."""
        self.call("deleteMessage", {"chat_id": chat, "message_id": message_id})

    def ban(self, chat: str, user_id: int, *, revoke_messages: bool = False) -> None:
        """banChatMember: out of the group, and kept out until unbanned."""
        self.call("banChatMember", {"chat_id": chat, "user_id": user_id, "revoke_messages": revoke_messages})

    def unban(self, chat: str, user_id: int) -> None:
        """unbanChatMember with ``only_if_banned``: a member who is not banned stays in the group."""
        self.call("unbanChatMember", {"chat_id": chat, "user_id": user_id, "only_if_banned": True})

    def kick(self, chat: str, user_id: int) -> None:
        """unbanChatMember without ``only_if_banned``: the docs say it removes a member who is in the group, who
        may then join again (Telegram's own kick)."""
        self.call("unbanChatMember", {"chat_id": chat, "user_id": user_id}, action=str(KICK))

    def restrict(self, chat: str, user_id: int, until: int) -> None:
        """restrictChatMember: no sending of any kind until ``until`` (a Unix time; supergroups only)."""
        silenced = {
            "can_send_messages": False,
            "can_send_audios": False,
            "can_send_documents": False,
            "can_send_photos": False,
            "can_send_videos": False,
            "can_send_video_notes": False,
            "can_send_voice_notes": False,
            "can_send_polls": False,
            "can_send_other_messages": False,
            "can_add_web_page_previews": False,
        }
        data = {"chat_id": chat, "user_id": user_id, "permissions": silenced, "until_date": until}
        self.call("restrictChatMember", data)

    # -- plumbing -------------------------------------------------------------------------------------------

    def _object(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        found = self.call(method, data)
        if not isinstance(found, dict):
            raise http.NotJson(str(BAD_ANSWER) % {"action": ACTIONS[method]})
        return found

    def call(self, method: str, data: dict[str, Any], *, action: str = "") -> Any:
        """POST the method; its ``result`` when ``ok``, else the error Telegram's answer calls for, naming
        ``action`` (what was asked, in words; the method's own by default)."""
        action = action or str(ACTIONS[method])
        try:
            answer = http.request(
                "POST",
                f"{API}/bot{self._token}/{method}",
                json_body=data,
                timeout=self.timeout,
                max_bytes=MAX_BYTES,
                follow_redirects=False,
                user_agent=USER_AGENT,
            )
        except ConnectorError as exc:
            raise self._scrubbed(exc) from None
        if answer.status >= 300:
            raise self._error_for(action, answer)
        found = http.json_of(answer, site=SITE, words=NOT_JSON)
        if not isinstance(found, dict) or found.get("ok") is not True or "result" not in found:
            raise http.NotJson(str(BAD_ANSWER) % {"action": action})
        return found["result"]

    def _scrubbed(self, exc: ConnectorError) -> ConnectorError:
        """The error without the token (netsafe's messages name the address)."""
        exc.message = exc.message.replace(self._token, "…")
        exc.args = tuple(str(arg).replace(self._token, "…") for arg in exc.args)
        return exc

    def _error_for(self, action: str, answer: http.Answer) -> ConnectorError:
        description, wait = _telegram_error(answer.body)
        description = description.replace(self._token, "…")
        values = {"action": action, "status": answer.status, "detail": description or "-"}
        status = answer.status
        if status in (401, 404):  # an unknown token: 401; a token that is no token: 404 (our methods all exist)
            return Unauthorized(str(REFUSED_TOKEN) % values, status=status)
        if status == 403:
            return TelegramError(str(FORBIDDEN) % values, status=status, description=description)
        if status == 409:
            return Permanent(str(CONFLICT) % values, status=status)
        if status == 429:
            wait = wait if wait is not None else http.retry_after(answer)
            return RateLimited(str(SLOW_DOWN) % values, retry_after=wait)
        if status >= 500:
            return Transient(str(SERVER_ERROR) % values, status=status)
        return TelegramError(str(BAD_REQUEST) % values, status=status, description=description)
