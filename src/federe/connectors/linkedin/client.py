"""The HTTP calls to LinkedIn's Community Management API (versioned REST), the token refreshed, failures mapped.

Built to the published LinkedIn Marketing / Community Management API docs (learn.microsoft.com/linkedin, versioned
API ``LinkedIn-Version: 202607`` with ``X-Restli-Protocol-Version: 2.0.0``), not checked against LinkedIn: our
machines cannot reach it, and the API is open to approved partners only. Endpoints, each cited where it is called:

- ``POST https://www.linkedin.com/oauth/v2/accessToken`` with ``grant_type=refresh_token`` (3-legged OAuth,
  "Refresh Tokens with OAuth 2.0"): access tokens live 60 days, refresh tokens a year; a new refresh token in the
  answer replaces the stored one.
- ``GET /rest/posts?q=author&author=…`` (Posts API), ``GET /rest/socialActions/{urn}/comments`` and
  ``POST`` / ``DELETE …/comments/{id}?actor=…`` (Comments API), ``POST /rest/posts`` (the new post's URN in the
  ``x-restli-id`` header).

Errors are ``{"status", "serviceErrorCode", "code", "message"}``; LinkedIn's rate limits are daily and reset at
midnight UTC (a 429 says no Retry-After): a 429 waits until then. Tokens never appear in errors or reprs.
"""

from __future__ import annotations

import json as jsonlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http, oauth
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized

API = "https://api.linkedin.com"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"  # noqa: S105 - an address
# July 2026: LinkedIn serves each monthly version at least a year (learn.microsoft.com/linkedin/marketing/versioning).
VERSION = "202607"
SITE = "LinkedIn"
TIMEOUT_SECONDS = 15

REFRESH_REFUSED = _lazy(
    "LinkedIn refused the refresh token (%(detail)s): it expired (a year after it was issued) or was revoked."
    " Authorize Fédère's app again and paste the new refresh token in the channel's settings."
)
TOKEN_REFUSED = _lazy("LinkedIn refused the access token even after a refresh (HTTP %(status)s: %(detail)s).")
FORBIDDEN = _lazy(
    "LinkedIn refused %(what)s (HTTP 403: %(detail)s): the app needs LinkedIn's approval for the Community"
    " Management API, and the member must be an administrator of the page."
)
SLOW_DOWN = _lazy("LinkedIn's daily limit is reached (HTTP 429: %(detail)s); we will try again after midnight UTC.")
REFUSED = _lazy("LinkedIn refused %(what)s (HTTP %(status)s: %(detail)s).")
SERVER_ERROR = _lazy("LinkedIn had an internal error (HTTP %(status)s); we will try again.")
SUNSET = _lazy(
    "LinkedIn no longer serves the API version this Fédère speaks (HTTP 426: %(detail)s): update Fédère to a"
    " release that speaks a current version."
)


def problem(body: bytes) -> str:
    """LinkedIn's words for a refusal: ``code: message`` (or OAuth's ``error: error_description``)."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    words = [str(payload.get(k) or "").strip() for k in ("code", "message", "error", "error_description")]
    return ": ".join(dict.fromkeys(w for w in words if w))[:300]


def until_midnight_utc(now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
    return max(1.0, (midnight - now).total_seconds())


class LinkedInClient:
    """One channel's calls. ``tokens`` is the connector's credentials dict, changed in place on a refresh."""

    def __init__(self, tokens: dict[str, Any], *, timeout: float = TIMEOUT_SECONDS) -> None:
        if not all(tokens.get(k) for k in ("client_id", "client_secret", "refresh_token")):
            raise Unauthorized(_("Paste the app's client ID, client secret and a refresh token from LinkedIn."))
        self.tokens = tokens
        self.timeout = timeout

    def __repr__(self) -> str:
        return "<LinkedInClient>"

    def refresh(self) -> None:
        """POST oauth/v2/accessToken, grant_type=refresh_token."""
        oauth.refresh(
            self.tokens,
            url=TOKEN_URL,
            site=SITE,
            refused=self._refresh_refused,
            no_token=_("LinkedIn answered the token refresh without an access token."),
            timeout=self.timeout,
        )

    def _refresh_refused(self, answer: http.Answer) -> ConnectorError:
        if answer.status in (400, 401):
            return Unauthorized(str(REFRESH_REFUSED) % {"detail": problem(answer.body) or answer.status})
        return self._error_for(_("the token refresh"), answer)

    def _fresh(self) -> str:
        return oauth.access_token(self.tokens, self.refresh)

    def call(
        self, method: str, path: str, *, what: str, params: dict[str, Any] | None = None, body: Any = None
    ) -> http.Answer:
        """One call with the versioned headers; on a 401, one refresh and one retry."""
        answer = self._send(method, path, params, body)
        if answer.status == 401:
            self.refresh()
            answer = self._send(method, path, params, body)
            if answer.status == 401:
                raise Unauthorized(str(TOKEN_REFUSED) % {"status": 401, "detail": problem(answer.body) or "-"})
        if answer.status >= 300:
            raise self._error_for(what, answer)
        return answer

    def json(self, path: str, *, what: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        found = http.json_of(self.call("GET", path, what=what, params=params), site=SITE)
        if not isinstance(found, dict):
            raise http.NotJson(_("LinkedIn answered %(what)s with something else than an object.") % {"what": what})
        return found

    def _send(self, method: str, path: str, params: dict[str, Any] | None, body: Any) -> http.Answer:
        query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in (params or {}).items() if v is not None)
        return http.request(
            method,
            f"{API}{path}" + (f"?{query}" if query else ""),
            json_body=body,
            headers={
                "Authorization": f"Bearer {self._fresh()}",
                "LinkedIn-Version": VERSION,
                "X-Restli-Protocol-Version": "2.0.0",
            },
            timeout=self.timeout,
            follow_redirects=False,
        )

    def _error_for(self, what: str, answer: http.Answer) -> ConnectorError:
        values = {"what": what, "status": answer.status, "detail": problem(answer.body) or "-"}
        if answer.status == 429:
            return RateLimited(str(SLOW_DOWN) % values, retry_after=until_midnight_utc())
        if answer.status == 403:
            return Permanent(str(FORBIDDEN) % values, status=403)
        if answer.status == 426:  # a sunset LinkedIn-Version (the versioning page)
            return Permanent(str(SUNSET) % values, status=426)
        if answer.status >= 500:
            return Transient(str(SERVER_ERROR) % values, status=answer.status)
        return Permanent(str(REFUSED) % values, status=answer.status)
