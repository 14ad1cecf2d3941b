"""Google's OAuth 2.0 refresh-token grant: a refresh token (pasted once) buys short-lived access tokens.

Written to Google's "Using OAuth 2.0 for Web Server Applications" guide, section "Refreshing an access token
(offline access)": POST https://oauth2.googleapis.com/token, form-encoded, with ``client_id``, ``client_secret``,
``refresh_token`` and ``grant_type=refresh_token``; the answer carries ``access_token`` and ``expires_in`` (about
3600 seconds). A refresh token that was revoked, or that expired (Google lets refresh tokens of an OAuth app in
"Testing" status live seven days), is answered 400 ``{"error": "invalid_grant"}``: the user must paste a new one.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http, oauth
from federe.connectors.errors import ConnectorError, Transient, Unauthorized

TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address, not a secret
HOST = "oauth2.googleapis.com"
MARGIN_SECONDS = 60  # a token this close to its end is refreshed before use

REVOKED = _lazy(
    "Google no longer accepts this channel's refresh token (it expired or was revoked): obtain a new one in the"
    " OAuth 2.0 Playground or your own tool, and paste it in the channel's settings."
)
BAD_CLIENT = _lazy(
    "Google refused the OAuth client: check the client ID and the client secret from the Google Cloud console."
)
TOKEN_WORDS = http.StatusWords(
    refused=BAD_CLIENT,
    server_error=_lazy("Google's sign-in service had an internal error (HTTP %(status)s); we will try again."),
    slow_down=_lazy("Google's sign-in service asked us to slow down; we will try again later."),
    other=_lazy("Google's sign-in service refused the request (HTTP %(status)s)%(detail)s."),
)
NO_TOKEN = _lazy("Google's sign-in service answered without an access token; we will try again.")


class GoogleToken:
    """The access token, kept in the channel's credentials (``connectors/oauth.py``), refreshed when missing, about
    to end, or refused by the API (``expire``)."""

    def __init__(self, tokens: dict[str, Any], *, client_id: str, timeout: float = 10) -> None:
        self.tokens, self.client_id, self.timeout = tokens, client_id, timeout

    def __repr__(self) -> str:
        return "<GoogleToken>"  # never a secret

    def header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {oauth.access_token(self.tokens, self.refresh)}"}

    def expire(self) -> None:
        oauth.expire(self.tokens)

    def refresh(self) -> None:
        """POST the refresh-token grant to the token endpoint."""
        oauth.refresh(
            self.tokens,
            url=TOKEN_URL,
            site=HOST,
            refused=_refusal,
            no_token=str(NO_TOKEN),
            client_id=self.client_id,
            margin=MARGIN_SECONDS,
            timeout=self.timeout,
        )


def _refusal(answer: http.Answer) -> ConnectorError:
    """invalid_grant: the refresh token is dead; invalid_client / unauthorized_client: the client is wrong."""
    try:
        found = json.loads(answer.body) if answer.body.strip() else {}
    except ValueError:
        found = {}
    found = found if isinstance(found, dict) else {}
    reason = str(found.get("error") or "")
    if reason == "invalid_grant":
        return Unauthorized(str(REVOKED), status=answer.status, code=reason)
    if reason in ("invalid_client", "unauthorized_client") or answer.status in (401, 403):
        return Unauthorized(str(BAD_CLIENT), status=answer.status, code=reason or str(answer.status))
    error = http.status_error(answer, TOKEN_WORDS, site=HOST, detail=str(found.get("error_description") or ""))
    return error or Transient(str(NO_TOKEN))
