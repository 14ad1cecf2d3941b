"""Meta's Graph API, shared by the Facebook Pages and Instagram connectors: requests, errors, rate limits, paging.

Built to Meta's published documentation, Graph API **v25.0** (developers.facebook.com/docs/graph-api), not checked
against the live service: no Meta server is reachable where Fédère is tested.

- Requests go to ``https://graph.facebook.com/v25.0/...`` through ``federe.connectors.http`` (and so netsafe), the
  token in an ``Authorization: Bearer`` header (never in the address, so it never reaches a log).
- Errors (guides/error-handling): ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.
  Code 190 (and 102, and an ``OAuthException`` without a code the table knows) is an expired, revoked or invalid
  token → ``Unauthorized``; 10 and 200-299 are a missing permission → ``Unauthorized`` too (the user must grant it);
  4, 17, 32, 613, 341 and 80001-80014 are rate limits → ``RateLimited``; 368 (temporarily blocked for a policy
  violation) → ``RateLimited``; 1 and 2 are passing failures → ``Transient``; 100 with subcode 33 (no such object)
  → ``Permanent`` with ``status`` 404; anything else → ``Permanent``.
- Rate limits (overview/rate-limiting): Page and Instagram calls count against Business Use Case limits, reported in
  ``X-Business-Use-Case-Usage`` (``{"<id>": [{"type", "call_count", "total_cputime", "total_time",
  "estimated_time_to_regain_access"}]}``, the last in minutes); app-token calls in ``X-App-Usage`` (percentages,
  no time). The wait is the largest ``estimated_time_to_regain_access``, else ``Retry-After``, else unknown.
- Paging (guides/pagination): cursor-based, ``paging.cursors.after`` and ``paging.next``; ``pages`` follows
  ``after`` and stops when ``paging.next`` is absent. ``recent`` reads an edge listed newest first back to a time.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized
from federe.connectors.types import Cursor, OutgoingPost
from federe.connectors.values import int_setting, parse_utc
from federe.core import netsafe
from federe.core.html import html_to_text, sanitize_html

VERSION = "v25.0"
HOST = "https://graph.facebook.com"
TIMEOUT_SECONDS = 10
MAX_BYTES = 10_000_000
PAGE_SIZE = 25
TOKEN_CODES = {102, 190}
PERMISSION_CODES = {3, 10, *range(200, 300)}
RATE_CODES = {4, 17, 32, 341, 368, 613, *range(80001, 80015)}
PASSING_CODES = {1, 2}
NO_SUCH_OBJECT = 33  # error_subcode of code 100

EXPIRED = _lazy(
    "%(network)s refused the access token: it expired or was revoked (a password change, a lost role on the Page)."
    " Paste a new token in the channel's settings."
)
MISSING_PERMISSION = _lazy(
    "The token lacks a permission %(network)s asks for this%(detail)s: create a token with the permissions the"
    " channel's setup help lists."
)
SLOW_DOWN = _lazy("%(network)s asked us to slow down (its rate limit is reached); we will try again later.")
PASSING = _lazy("%(network)s had a passing failure%(detail)s; we will try again.")
GONE = _lazy("%(network)s has no such object (it was deleted, or the token cannot see it)%(detail)s.")
REFUSED = _lazy("%(network)s refused the request%(detail)s.")
NOT_AN_OBJECT = _lazy("%(network)s answered with something that is not a JSON object.")


def graph_error(body: bytes) -> dict[str, Any]:
    """The ``error`` object of a Graph API answer, or {}."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return {}
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) else {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def regain_seconds(headers: Any) -> float | None:
    """Seconds until the rate limit lifts, from X-Business-Use-Case-Usage (minutes), else Retry-After."""
    usage = headers.get("X-Business-Use-Case-Usage") or ""
    try:
        found = jsonlib.loads(usage) if usage else {}
    except ValueError:
        found = {}
    minutes = [
        _int(entry.get("estimated_time_to_regain_access"))
        for entries in (found.values() if isinstance(found, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    if minutes and max(minutes) > 0:
        return float(max(minutes) * 60)
    return netsafe.retry_after_seconds(headers.get("Retry-After"))


def error_for(answer: http.Answer, network: str) -> ConnectorError | None:
    """The connector error for a Graph API answer; None when it succeeded."""
    if answer.status < 300 and not (answer.status == 200 and graph_error(answer.body)):
        return None
    error = graph_error(answer.body)
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    message = str(error.get("message") or "").strip()[:200]
    values = {"network": network, "detail": f" ({message})" if message else ""}
    found: ConnectorError
    if code in RATE_CODES or answer.status == 429:
        found = RateLimited(str(SLOW_DOWN) % values, retry_after=regain_seconds(answer.headers))
    elif code in TOKEN_CODES or (not code and error.get("type") == "OAuthException") or answer.status == 401:
        found = Unauthorized(str(EXPIRED) % values, status=answer.status)
    elif code in PERMISSION_CODES or answer.status == 403:
        found = Unauthorized(str(MISSING_PERMISSION) % values, status=answer.status)
    elif code in PASSING_CODES or (not code and answer.status >= 500):
        found = Transient(str(PASSING) % values, status=answer.status)
    elif (code == 100 and subcode == NO_SUCH_OBJECT) or (not code and answer.status in (404, 410)):
        found = Permanent(str(GONE) % values, status=404)
    elif not error:
        return http.status_error(answer, http.StatusWords(), site=network)
    else:
        found = Permanent(str(REFUSED) % values, status=answer.status)
    found.code = f"{code}/{subcode}" if subcode else str(code or "")
    return found


class GraphClient:
    """Calls to the Graph API with one access token (a Page access token for both networks)."""

    def __init__(self, token: str, *, network: str, timeout: float = TIMEOUT_SECONDS, host: str = HOST) -> None:
        self.network = network
        self.timeout = timeout
        self.base = f"{host.rstrip('/')}/{VERSION}"
        self._headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}

    def __repr__(self) -> str:
        return f"<GraphClient {self.network} {VERSION}>"  # never the token

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self._object("GET", path, params=params)

    def post(self, path: str, **data: Any) -> dict[str, Any]:
        return self._object("POST", path, json=data)

    def delete(self, path: str, **params: Any) -> dict[str, Any]:
        return self._object("DELETE", path, params=params)

    def pages(self, path: str, *, limit: int, **params: Any) -> Iterator[list[dict[str, Any]]]:
        """The ``data`` of each page of an edge, following ``paging.cursors.after`` for at most ``limit`` pages."""
        after = None
        for _page in range(limit):
            answer = self.get(path, **params, limit=params.get("limit") or PAGE_SIZE, after=after)
            data = answer.get("data")
            yield [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []
            paging = answer.get("paging") if isinstance(answer.get("paging"), dict) else {}
            cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}  # type: ignore[union-attr]
            after = cursors.get("after")  # type: ignore[union-attr]
            if not paging.get("next") or not isinstance(after, str) or not after:  # type: ignore[union-attr]
                return

    def _object(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
    ) -> dict[str, Any]:
        answer = http.request(
            method,
            f"{self.base}/{path.lstrip('/')}",
            params=params,
            headers=self._headers,
            json_body=json,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
        )
        problem = error_for(answer, self.network)
        if problem is not None:
            raise problem
        found = http.json_of(answer, site=self.network)
        if not isinstance(found, dict):
            raise http.NotJson(str(NOT_AN_OBJECT) % {"network": self.network})
        return found


def client_for(
    config: dict[str, Any], credentials: dict[str, Any], *, network: str, id_key: str, no_id: str, no_token: str
) -> tuple[GraphClient, str]:
    """The Graph client and the object id (a Page's, an Instagram account's) of a channel's settings and Page token;
    a missing id or token is a connector error, said in ``no_id`` or ``no_token``."""
    object_id = graph_id(config.get(id_key))
    if not object_id:
        raise Permanent(no_id)
    token = str(credentials.get("page_access_token") or "").strip()
    if not token:
        raise Unauthorized(no_token)
    timeout = int_setting(config, "timeout", TIMEOUT_SECONDS, 1, 60)
    return GraphClient(token, network=network, timeout=timeout), object_id


def graph_id(value: Any) -> str:
    """A Graph object id ("123", "123_456"), or "" for anything else."""
    text = str(value or "").strip()
    return text if text and len(text) <= 100 and text.replace("_", "").isdigit() else ""


def since_of(cursor: Cursor | None) -> int:
    """The cursor's ``since`` (the Unix time of the newest entry stored), 0 when absent or unreadable."""
    value = (cursor or {}).get("since")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def time_of(entry: dict[str, Any], key: str) -> int:
    """The Unix time of an entry's date field (``created_time`` on Facebook, ``timestamp`` on Instagram), or 0."""
    when: datetime | None = parse_utc(entry.get(key))
    return int(when.timestamp()) if when else 0


def recent(
    client: GraphClient, path: str, *, since: int, limit: int, time_key: str, **params: Any
) -> list[dict[str, Any]]:
    """The entries of an edge Graph lists newest first: the first page whole (a recheck of what is already stored),
    then pages until one holds an entry older than ``since`` (every page up to ``limit`` when ``since`` is 0)."""
    found: list[dict[str, Any]] = []
    for number, page in enumerate(client.pages(path, limit=limit, **params)):
        fresh = [entry for entry in page if not since or time_of(entry, time_key) >= since]
        found += page if number == 0 else fresh
        if since and len(fresh) < len(page):
            break
    return found


def message_of(post: OutgoingPost) -> str:
    """The plain text sent to Graph (messages and captions take no HTML)."""
    return (post.body_text or html_to_text(sanitize_html(post.body_html))).strip()


def same_text(left: Any, right: str) -> bool:
    return isinstance(left, str) and " ".join(left.split()) == " ".join(right.split())
