"""The OAuth 2.0 refresh-token grant (RFC 6749, section 6), for the networks whose users paste a refresh token
(X, LinkedIn, Google for YouTube).

The tokens live in the connector's credentials dict: ``refresh_token``, ``client_id`` and ``client_secret`` (when
the app has one), then ``access_token`` and ``expires_at`` (a Unix time, a margin before the token's end).
``refresh`` changes that dict in place, a rotated refresh token included (X hands out a new one at each refresh
and the old one stops working at once). Each network keeps its own words and its own reading of a refusal.

Stored the moment it is obtained. When the dict is a stored channel's (``connectors/keeping.py``, given by
``connections/runtime.py``), a refresh is:

1. **Take a newer token first.** Under a row lock on the channel (``select_for_update``; on SQLite the write lock
   of ``BEGIN IMMEDIATE``), the stored credentials are read again. If another process (a second worker, the
   publisher, a moderation task) stored a token since this one read them, it is taken, and when its access token
   is still good no refresh is made at all: our refresh token is the dead one.
2. **Ask the network**, outside any transaction (netsafe refuses a network call inside one: on SQLite an open write
   transaction would lock the whole database for as long as the network takes). The lock is therefore not held
   across the call; steps 1 and 3 are two short transactions.
3. **Store at once**, under the row lock again, in a transaction of its own: only the keys this process changed are
   written onto what is stored, encrypted. A worker killed the next second keeps the new refresh token.

Two processes that pass step 1 together with the same refresh token both ask the network. X accepts the first and
refuses the second (the token was used): the refused one reads the stored credentials again, and when the
refresh token there changed meanwhile it takes it (and refreshes once more only when that access token has
already ended) instead of telling the user to authorize again. A network that accepts both (Google, LinkedIn do
not rotate) leaves two good tokens: the last one stored is kept. Tokens are never logged nor put in an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from federe.connectors import http, keeping
from federe.connectors.errors import ConnectorError, Transient

TOKEN_KEYS = frozenset({"access_token", "refresh_token", "expires_at"})


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
    confidential client, RFC 6749 section 2.3.1), else in the form. ``client_id`` when it is kept in the config.
    A token another process stored meanwhile is taken instead, and a new one is stored at once (module docstring).
    """

    def grant() -> None:
        app = client_id or str(tokens.get("client_id") or "")
        form = {"grant_type": "refresh_token", "refresh_token": str(tokens.get("refresh_token") or "")}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if basic_auth:
            headers.update(http.basic_auth(app, str(tokens.get("client_secret") or "")))
        else:
            form["client_id"] = app
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

    if keeping.take_newer(tokens) & TOKEN_KEYS and _still_good(tokens):
        return
    try:
        grant()
    except ConnectorError:
        if "refresh_token" not in keeping.take_newer(tokens):
            raise
        if not _still_good(tokens):  # the other process's access token has ended already: ours to refresh
            grant()
    keeping.changed(tokens)


def _still_good(tokens: dict[str, Any]) -> bool:
    return bool(tokens.get("access_token")) and int(tokens.get("expires_at") or 0) > time.time()


def access_token(tokens: dict[str, Any], refresh_now: Callable[[], None]) -> str:
    """The stored access token, refreshed first when there is none or its time is up."""
    if not tokens.get("access_token") or int(tokens.get("expires_at") or 0) <= time.time():
        refresh_now()
    return str(tokens["access_token"])


def expire(tokens: dict[str, Any]) -> None:
    """The network refused the access token before its time: the next call refreshes it."""
    tokens.pop("access_token", None)
    tokens.pop("expires_at", None)
