"""The HTTP calls to a Mastodon server's client API (also Takahē, GoToSocial, Pleroma/Akkoma): reading, and
publishing statuses and media (``mastodon/publishing.py``).

Every call goes through ``federe.connectors.http`` (so ``federe.core.netsafe``): the instance address is a user's
choice, so it must not lead to loopback, private or metadata addresses; the answer's size and time are capped.
Errors are mapped into the connector error family, in plain words. The optional access token is sent as a Bearer
token, and never to another origin (netsafe drops it when a redirect leaves the instance).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Transient, Unauthorized

TIMEOUT_SECONDS = 10
MAX_BYTES = 5_000_000
USER_AGENT = "Federe/0.1 (community listening; Mastodon API reader)"
NOT_JSON = _lazy("%(site)s answered with something that is not JSON (HTTP %(status)s): is it a Mastodon server?")
WORDS = http.StatusWords(
    not_found=_lazy("%(site)s has no Mastodon API at this address (HTTP %(status)s): check the server address."),
    slow_down=_lazy("The Mastodon server asked us to slow down (HTTP 429): its rate limit is reached."),
    server_error=_lazy("The Mastodon server had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("The Mastodon server refused the request (HTTP %(status)s)%(detail)s."),
    redirect=_lazy("%(site)s redirects to %(where)s: use that address for the server."),
)


class MastodonClient:
    def __init__(self, instance_url: str, token: str = "", *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.instance_url = instance_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<MastodonClient {self.instance_url}>"  # never the token

    # -- the calls Fédère makes -----------------------------------------------------------------------------

    def instance(self) -> Any:
        return self.get("/api/v1/instance")

    def verify_app(self) -> Any:
        return self.get("/api/v1/apps/verify_credentials")

    def tag_timeline(self, hashtag: str, params: dict[str, Any]) -> list[Any]:
        answer = self.get(f"/api/v1/timelines/tag/{hashtag}", params)
        if not isinstance(answer, list):
            raise Transient(_("The Mastodon server answered the hashtag timeline with something that is not a list."))
        return answer

    def search_statuses(self, query: str, params: dict[str, Any]) -> list[Any]:
        answer = self.get("/api/v2/search", {"q": query, "type": "statuses", **params})
        statuses = answer.get("statuses") if isinstance(answer, dict) else None
        if not isinstance(statuses, list):
            raise Transient(_("The Mastodon server answered the search with something that is not a result list."))
        return statuses

    # -- plumbing -------------------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._call("GET", path, params={k: v for k, v in (params or {}).items() if v not in (None, "")})

    def send(
        self,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        content_type: str = "",
        idempotency_key: str = "",
    ) -> Any:
        """A POST that writes (a status, a media): a refused token is told to need the write scopes."""
        headers = {"Content-Type": content_type} if content_type else {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self._call("POST", path, json=json, content=content, headers=headers, writing=True)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        writing: bool = False,
    ) -> Any:
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        result = http.request(
            method,
            f"{self.instance_url}{path}",
            params=params,
            headers=sent,
            json_body=json,
            content=content,
            max_bytes=MAX_BYTES,
            timeout=self.timeout,
            user_agent=USER_AGENT,
        )
        problem = self._error_for(result, writing=writing)
        if problem is not None:
            raise problem
        return http.json_of(result, site=self.instance_url, words=NOT_JSON)

    def _error_for(self, result: http.Answer, *, writing: bool = False) -> ConnectorError | None:
        status = result.status
        if status < 300:
            return None
        detail = _server_message(result.body)
        # Takahē answers an unknown or revoked token with HTTP 400 and the plain text "Invalid Bearer token"
        # (recorded: tests/connectors/mastodon/fixtures/recorded_takahe_invalid_token.txt), not Mastodon's 401.
        refused_token = status == 400 and bool(self.token) and "token" in detail.lower()
        if status in (401, 403) or refused_token:
            said = {"detail": f": {detail}" if detail else ""}
            if self.token and writing:
                return Unauthorized(
                    _(
                        "The Mastodon server refused to publish with this access token%(detail)s: create one with"
                        " the write:statuses and write:media scopes."
                    )
                    % said
                )
            if self.token:
                return Unauthorized(
                    _(
                        "The Mastodon server refused the access token%(detail)s: create a new one (Preferences →"
                        " Development) with the read scope."
                    )
                    % said
                )
            return Unauthorized(
                _("This Mastodon server only shows this to logged-in apps%(detail)s: add an access token.") % said
            )
        return http.status_error(result, WORDS, site=self.instance_url, detail=detail)


def _server_message(body: bytes) -> str:
    """The server's own words, or '': from a {"error": "..."} answer, or a short plain-text one."""
    try:
        payload = json.loads(body)
    except ValueError:
        text = body[:201].decode("utf-8", "replace").strip()
        plain = text and len(text) <= 200 and "<" not in text and "\n" not in text
        return text if plain else ""
    message = payload.get("error") if isinstance(payload, dict) else None
    return str(message)[:200] if message else ""
