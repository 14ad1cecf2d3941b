"""The OAuth 2.0 refresh-token grant (RFC 6749, section 6), for the networks whose users paste a refresh token
(X, LinkedIn, Google for YouTube).

The tokens live in the connector's credentials dict: ``refresh_token``, ``client_id`` and ``client_secret`` (when
the app has one), then ``access_token`` and ``expires_at`` (a Unix time, a margin before the token's end).
``refresh`` changes that dict in place, a rotated refresh token included (X hands out a new one at each refresh
and the old one stops working), and the runtime stores what changed (``connections.runtime.keep_credentials``).
Each network keeps its own words and its own reading of a refusal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Transient


def refresh(
    tokens: dict[str, Any],
    *,
    url: str,
    site: str,
    refused: Callable[[http.Answer], ConnectorError],
    no_token: str,
    not_json: Any = http.NOT_JSON,
    client_id: str = "",
    basic_auth: bool = False,
    lifetime: int = 3600,
    margin: int = 300,
    timeout: float = 10,
) -> None:
    """POST ``grant_type=refresh_token`` to the network's token endpoint; ``refused`` reads an answer of 300 and
    above as the network words it. ``basic_auth``: the client's id and secret go in an Authorization header (a
    confidential client, RFC 6749 section 2.3.1), else in the form. ``client_id`` when it is kept in the config."""
    client_id = client_id or str(tokens.get("client_id") or "")
    form = {"grant_type": "refresh_token", "refresh_token": str(tokens.get("refresh_token") or "")}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if basic_auth:
        headers.update(http.basic_auth(client_id, str(tokens.get("client_secret") or "")))
    else:
        form["client_id"] = client_id
        if tokens.get("client_secret"):
            form["client_secret"] = str(tokens["client_secret"])
    answer = http.request(
        "POST", url, headers=headers, content=urlencode(form).encode(), timeout=timeout, follow_redirects=False
    )
    if answer.status >= 300:
        raise refused(answer)
    found = http.json_of(answer, site=site, words=not_json)
    access = found.get("access_token") if isinstance(found, dict) else None
    if not isinstance(access, str) or not access:
        raise Transient(no_token)
    tokens["access_token"] = access
    if isinstance(found.get("refresh_token"), str) and found["refresh_token"]:
        tokens["refresh_token"] = found["refresh_token"]
    seconds = found.get("expires_in")
    seconds = seconds if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0 else lifetime
    tokens["expires_at"] = int(time.time()) + max(0, seconds - margin)


def access_token(tokens: dict[str, Any], refresh_now: Callable[[], None]) -> str:
    """The stored access token, refreshed first when there is none or its time is up."""
    if not tokens.get("access_token") or int(tokens.get("expires_at") or 0) <= time.time():
        refresh_now()
    return str(tokens["access_token"])


def expire(tokens: dict[str, Any]) -> None:
    """The network refused the access token before its time: the next call refreshes it."""
    tokens.pop("access_token", None)
    tokens.pop("expires_at", None)
