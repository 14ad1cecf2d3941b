"""The HTTP calls to the X API v2, with the OAuth 2.0 user-context token kept fresh and every failure mapped.

Built to the published X API v2 reference (docs.x.com/x-api, API v2; api.x.com/2), not checked against X: our
machines cannot reach it. Endpoints, each cited where it is called:

- ``POST /2/oauth2/token`` with ``grant_type=refresh_token`` (docs.x.com/fundamentals/authentication/oauth-2-0/
  authorization-code): an access token lives two hours; with the ``offline.access`` scope a refresh token comes
  with it, and each refresh hands out a NEW refresh token (the old one stops working: the connector's credentials
  change and Fédère stores them, connections/runtime.py). A confidential client ("Web App") sends its client id
  and secret as HTTP Basic; a public one sends ``client_id`` in the form.
- ``GET /2/users/me``, ``GET /2/users/:id/mentions``, ``POST /2/tweets``, ``DELETE /2/tweets/:id``,
  ``PUT /2/tweets/:id/hidden``, ``POST /2/users/:id/muting``.

Errors are X's problem documents (``{"title", "detail", "type", "status"}``); rate limits are said by the
``x-rate-limit-limit`` / ``x-rate-limit-remaining`` / ``x-rate-limit-reset`` headers (the reset is a Unix time).
Tokens never appear in errors or reprs.
"""

from __future__ import annotations

import json as jsonlib
import time
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http, oauth
from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized

API = "https://api.x.com"
SITE = "X"
TIMEOUT_SECONDS = 15
MAX_BYTES = 5_000_000
REFRESH_MARGIN_SECONDS = 120  # refresh a little before the access token's two hours are over

REFRESH_REFUSED = _lazy(
    "X refused the refresh token (%(detail)s): it expired, was revoked or was already used. Authorize Fédère's"
    " app on X again and paste the new refresh token in the channel's settings."
)
TOKEN_REFUSED = _lazy("X refused the access token even after a refresh (HTTP %(status)s: %(detail)s).")
FORBIDDEN = _lazy(
    "X refused %(what)s (HTTP 403: %(detail)s). Reading mentions needs a paid access tier (Basic or above), and"
    " each action needs its scope on the app."
)
SLOW_DOWN = _lazy("X asked us to slow down (HTTP 429: %(detail)s); we will try again when its limit resets.")
CAPPED = _lazy(
    "X says the app used its monthly post cap (%(detail)s): nothing more can be read until the month resets or"
    " the access tier is raised."
)
REFUSED = _lazy("X refused %(what)s (HTTP %(status)s: %(detail)s).")
SERVER_ERROR = _lazy("X had an internal error (HTTP %(status)s); we will try again.")
NOT_JSON = http.NOT_JSON


def problem(body: bytes) -> tuple[str, str]:
    """X's words for a refusal (``title: detail``, or OAuth's ``error_description``) and its problem ``type``."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(payload, dict):
        return "", ""
    if isinstance(payload.get("errors"), list) and payload["errors"] and isinstance(payload["errors"][0], dict):
        payload = {**payload["errors"][0], **{k: v for k, v in payload.items() if k != "errors"}}
    words = [str(payload.get(k) or "").strip() for k in ("title", "detail", "error", "error_description", "message")]
    return ": ".join(dict.fromkeys(w for w in words if w))[:300], str(payload.get("type") or "")


def reset_wait(answer: http.Answer, now: float | None = None) -> float | None:
    """Seconds until ``x-rate-limit-reset`` (a Unix time), at least one; None when X did not say."""
    value = answer.headers.get("x-rate-limit-reset", "").strip()
    if not value.isdigit():
        return http.retry_after(answer)
    return max(1.0, float(value) - (time.time() if now is None else now))


class XClient:
    """One channel's calls. ``tokens`` is the connector's credentials dict, changed in place on a refresh."""

    def __init__(self, tokens: dict[str, Any], *, timeout: float = TIMEOUT_SECONDS) -> None:
        if not tokens.get("client_id") or not tokens.get("refresh_token"):
            raise Unauthorized(_("Paste the app's client ID and a refresh token from X (see the steps below)."))
        self.tokens = tokens
        self.timeout = timeout

    def __repr__(self) -> str:
        return "<XClient>"  # never a token

    # -- the token ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """POST /2/oauth2/token, grant_type=refresh_token: a new access token AND a new refresh token."""
        oauth.refresh(
            self.tokens,
            url=f"{API}/2/oauth2/token",
            site=SITE,
            refused=self._refresh_refused,
            no_token=_("X answered the token refresh without an access token."),
            not_json=NOT_JSON,
            basic_auth=bool(self.tokens.get("client_secret")),  # a confidential client; a public one sends its id
            lifetime=7200,
            margin=REFRESH_MARGIN_SECONDS,
            timeout=self.timeout,
        )

    def _refresh_refused(self, answer: http.Answer) -> ConnectorError:
        if answer.status in (400, 401):  # invalid_request / invalid_grant: the refresh token is dead
            detail, _kind = problem(answer.body)
            return Unauthorized(str(REFRESH_REFUSED) % {"detail": detail or answer.status}, status=answer.status)
        return self._error_for(_("the token refresh"), answer)

    def _fresh(self) -> str:
        return oauth.access_token(self.tokens, self.refresh)

    # -- the calls ------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, what: str, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        """One API call with a fresh access token; on a 401, one refresh and one retry."""
        answer = self._send(method, path, params, body)
        if answer.status == 401:
            self.refresh()
            answer = self._send(method, path, params, body)
            if answer.status == 401:
                detail, _kind = problem(answer.body)
                raise Unauthorized(str(TOKEN_REFUSED) % {"status": 401, "detail": detail or "-"}, status=401)
        if answer.status >= 300:
            raise self._error_for(what, answer)
        return http.json_of(answer, site=SITE, words=NOT_JSON)

    def _send(self, method: str, path: str, params: dict[str, Any] | None, body: Any) -> http.Answer:
        return http.request(
            method,
            f"{API}{path}",
            params=params,
            json_body=body,
            headers={"Authorization": f"Bearer {self._fresh()}"},
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
        )

    def _error_for(self, what: str, answer: http.Answer) -> ConnectorError:
        detail, kind = problem(answer.body)
        values = {"what": what, "status": answer.status, "detail": detail or "-"}
        status = answer.status
        if status == 429 and kind.endswith("usage-capped"):
            return Permanent(str(CAPPED) % values, status=status, code="usage-capped")
        if status == 429:
            return RateLimited(str(SLOW_DOWN) % values, retry_after=reset_wait(answer))
        if status == 403:
            return Permanent(str(FORBIDDEN) % values, status=status, code=kind)
        if status >= 500:
            return Transient(str(SERVER_ERROR) % values, status=status)
        return Permanent(str(REFUSED) % values, status=status, code=kind)
