"""The HTTP calls to a Matrix homeserver: the client-server API (v3) and, for deactivation, Synapse's admin API.

Every call goes through ``federe.connectors.http`` (and so ``federe.core.netsafe``). Endpoints used, as the
Matrix specification (v1.x, client-server API) names them:

* ``POST /_matrix/client/v3/login`` (``m.login.password``, with a fixed ``device_id``), ``GET /account/whoami``;
* ``GET /joined_rooms``, ``GET /rooms/{room}/state/{type}/{key}``, ``GET /rooms/{room}/state``,
  ``GET /rooms/{room}/joined_members``;
* ``GET /sync`` (``since``, ``timeout`` for long-polling, an inline ``filter``), ``GET /rooms/{room}/messages``,
  ``GET /rooms/{room}/event/{event}``;
* ``PUT /rooms/{room}/send/m.room.message/{txnId}``, ``PUT /rooms/{room}/redact/{event}/{txnId}``,
  ``POST /rooms/{room}/kick|ban|unban``;
* Synapse admin API: ``GET /_synapse/admin/v1/users/{user}/admin``, ``GET /_synapse/admin/v2/users/{user}``,
  ``POST /_synapse/admin/v1/deactivate/{user}``.

Errors are Matrix's ``{"errcode": ..., "error": ...}``: 401 (``M_UNKNOWN_TOKEN``, ``M_MISSING_TOKEN``) means the
credentials must be fixed; 403 ``M_FORBIDDEN`` is about the room (power levels), not the token; 429
``M_LIMIT_EXCEEDED`` carries ``retry_after_ms`` in its body.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Unauthorized

TIMEOUT_SECONDS = 10
MAX_BYTES = 20_000_000
USER_AGENT = "Federe/0.1 (community inbox; Matrix connector)"
CLIENT = "/_matrix/client/v3"
ADMIN = "/_synapse/admin"

REFUSED_TOKEN = _lazy("The homeserver refused the access token (%(code)s): log in again or paste a new token.")
NOT_MATRIX = _lazy("This address is not a Matrix homeserver, or its client API is not served here.")
WORDS = http.StatusWords(
    not_found=NOT_MATRIX,
    slow_down=_lazy("The homeserver asked us to slow down (HTTP 429); we will try again later."),
    server_error=_lazy("The homeserver had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("The homeserver refused the request (HTTP %(status)s)%(detail)s."),
    redirect=_lazy("%(site)s redirects to %(where)s: use that address for the homeserver."),
)
NOT_JSON = _lazy(
    "The homeserver answered with something that is not JSON (HTTP %(status)s, %(kind)s): a proxy may be failing."
)


def _matrix_error(body: bytes) -> tuple[str, str, Any]:
    """Matrix's errcode, its message and its retry_after_ms, when the body is a Matrix error."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return "", "", None
    if not isinstance(payload, dict):
        return "", "", None
    return str(payload.get("errcode") or ""), str(payload.get("error") or "")[:300], payload.get("retry_after_ms")


def _seconds(retry_after_ms: Any) -> float | None:
    if isinstance(retry_after_ms, int | float) and not isinstance(retry_after_ms, bool) and retry_after_ms >= 0:
        return min(float(retry_after_ms) / 1000, 3600.0)
    return None


def q(value: str) -> str:
    """One path segment (room ids start with !, event ids with $, user ids with @)."""
    return quote(value, safe="")


class MatrixClient:
    def __init__(self, homeserver: str, access_token: str = "", *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.homeserver = homeserver.rstrip("/")
        self.access_token = access_token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<MatrixClient {self.homeserver}>"  # never the token

    # -- account ---------------------------------------------------------------------------------------------

    def login(self, user: str, password: str, device_id: str) -> dict[str, Any]:
        body = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
            "device_id": device_id,
            "initial_device_display_name": "Fédère",
        }
        answer = self.call("POST", f"{CLIENT}/login", json=body, auth=False)
        self.access_token = str(answer.get("access_token") or "")
        return answer

    def whoami(self) -> dict[str, Any]:
        return self.call("GET", f"{CLIENT}/account/whoami")

    # -- rooms -----------------------------------------------------------------------------------------------

    def joined_rooms(self) -> list[str]:
        rooms = self.call("GET", f"{CLIENT}/joined_rooms").get("joined_rooms")
        return [r for r in rooms if isinstance(r, str)] if isinstance(rooms, list) else []

    def state(self, room: str, event_type: str, state_key: str = "") -> dict[str, Any] | None:
        """One state event's content, None when the room has none of that type."""
        try:
            return self.call("GET", f"{CLIENT}/rooms/{q(room)}/state/{q(event_type)}/{q(state_key)}")
        except Permanent as exc:
            if exc.status == 404:
                return None
            raise

    def room_state(self, room: str) -> list[Any]:
        answer = self._request("GET", f"{CLIENT}/rooms/{q(room)}/state")
        return answer if isinstance(answer, list) else []

    def joined_members(self, room: str) -> dict[str, Any]:
        joined = self.call("GET", f"{CLIENT}/rooms/{q(room)}/joined_members").get("joined")
        return joined if isinstance(joined, dict) else {}

    def sync(self, *, since: str, filter_json: str, timeout_ms: int) -> dict[str, Any]:
        params = {"filter": filter_json, "timeout": timeout_ms, "since": since or None}
        # The server holds a long poll up to timeout_ms: our own deadline must outlast it.
        return self.call("GET", f"{CLIENT}/sync", params=params, timeout=self.timeout + timeout_ms / 1000)

    def messages(self, room: str, *, start: str, limit: int, filter_json: str) -> dict[str, Any]:
        params = {"from": start, "dir": "f", "limit": limit, "filter": filter_json}
        return self.call("GET", f"{CLIENT}/rooms/{q(room)}/messages", params=params)

    def latest(self, room: str, *, before: str, limit: int) -> dict[str, Any]:
        """The room's events, newest first (``dir=b``), from ``before`` (a pagination token; "" for the newest)."""
        params = {"from": before or None, "dir": "b", "limit": limit}
        return self.call("GET", f"{CLIENT}/rooms/{q(room)}/messages", params=params)

    def event(self, room: str, event_id: str) -> dict[str, Any]:
        return self.call("GET", f"{CLIENT}/rooms/{q(room)}/event/{q(event_id)}")

    def send(self, room: str, txn_id: str, content: dict[str, Any]) -> str:
        answer = self.call("PUT", f"{CLIENT}/rooms/{q(room)}/send/m.room.message/{q(txn_id)}", json=content)
        return str(answer.get("event_id") or "")

    def redact(self, room: str, event_id: str, txn_id: str, reason: str) -> str:
        body = {"reason": reason} if reason else {}
        answer = self.call("PUT", f"{CLIENT}/rooms/{q(room)}/redact/{q(event_id)}/{q(txn_id)}", json=body)
        return str(answer.get("event_id") or "")

    def membership(self, room: str, user_id: str) -> str:
        """The user's membership of the room (join, invite, leave, ban, knock), "" when never a member."""
        content = self.state(room, "m.room.member", user_id)
        return str((content or {}).get("membership") or "")

    def member_action(self, room: str, verb: str, user_id: str, reason: str) -> None:
        body = {"user_id": user_id, **({"reason": reason} if reason else {})}
        self.call("POST", f"{CLIENT}/rooms/{q(room)}/{verb}", json=body)

    # -- Synapse admin API -----------------------------------------------------------------------------------

    def is_server_admin(self, user_id: str) -> bool:
        """Whether our user is a Synapse server admin; False on a server without that API, or not an admin."""
        try:
            return self.call("GET", f"{ADMIN}/v1/users/{q(user_id)}/admin").get("admin") is True
        except (Permanent, Unauthorized):
            return False

    def admin_user(self, user_id: str) -> dict[str, Any]:
        return self.call("GET", f"{ADMIN}/v2/users/{q(user_id)}")

    def deactivate(self, user_id: str) -> None:
        self.call("POST", f"{ADMIN}/v1/deactivate/{q(user_id)}", json={"erase": False})

    # -- plumbing --------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        answer = self._request(method, path, **options)
        if not isinstance(answer, dict):
            raise http.NotJson(_("The homeserver answered with JSON that is not an object."))
        return answer

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: bool = True,
        timeout: float | None = None,
    ) -> Any:
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.access_token}"
        answer = http.request(
            method,
            f"{self.homeserver}{path}",
            params=params,
            headers=headers,
            json_body=json,
            timeout=timeout or self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )
        problem = self._error_for(answer)
        if problem is not None:
            raise problem
        return http.json_of(answer, site=self.homeserver, words=NOT_JSON)

    def _error_for(self, answer: http.Answer) -> ConnectorError | None:
        """Matrix's own refusals first (errcode, retry_after_ms), then the shared status mapping."""
        status = answer.status
        if status < 300:
            return None
        code, message, retry_ms = _matrix_error(answer.body)
        if status == 429:
            wait = _seconds(retry_ms) or http.retry_after(answer)
            return RateLimited(str(WORDS.slow_down) % {"site": self.homeserver}, retry_after=wait)
        if status == 401:
            return Unauthorized(str(REFUSED_TOKEN) % {"code": code or status}, status=status, code=code)
        if status == 403 and code:  # power levels, a room we left: about the request, not the token
            detail = f": {message}" if message else ""
            return Permanent(
                _("The homeserver refused the request (%(code)s)%(detail)s.") % {"code": code, "detail": detail},
                status=status,
                code=code,
            )
        if status == 404 and code:
            return Permanent(
                _("The homeserver has no such thing (%(code)s): %(message)s") % {"code": code, "message": message},
                status=status,
                code=code,
            )
        error = http.status_error(answer, WORDS, site=self.homeserver, detail=message)
        if error is not None:
            error.code = code
        return error
