"""The HTTP calls to the YouTube Data API v3, with every failure mapped into the connector error family.

Built to the published reference (developers.google.com/youtube/v3/docs, API version v3), not checked against
YouTube: no machine where Fédère is tested reaches it. Each method names the endpoint it calls and its quota cost
("Quota costs" table, determine_quota_cost): a project has 10,000 units a day by default, which reset at midnight
Pacific Time. Requests carry an OAuth 2.0 access token (oauth.py) with the ``youtube.force-ssl`` scope; an access
token the API refuses (401) is refreshed once and the call tried again.

YouTube's error body is ``{"error": {"code": 403, "message": "...", "errors": [{"domain": "youtube.quota",
"reason": "quotaExceeded", "message": "..."}]}}``. ``quotaExceeded`` / ``dailyLimitExceeded`` become RateLimited
until the quota resets (midnight Pacific Time); ``rateLimitExceeded`` / ``userRateLimitExceeded`` and HTTP 429
become RateLimited for ``Retry-After`` seconds (a minute when not said); ``insufficientPermissions`` and a 401
after a fresh token become Unauthorized; other refusals are Permanent.
"""

from __future__ import annotations

import json as jsonlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, RateLimited, Unauthorized
from federe.connectors.youtube.oauth import GoogleToken

API = "https://www.googleapis.com/youtube/v3"
HOST = "www.googleapis.com"
TIMEOUT_SECONDS = 10
MAX_BYTES = 10_000_000
USER_AGENT = "Federe/0.1 (community inbox; YouTube connector)"
PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
SPEED_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
LOGIN_REASONS = {"insufficientPermissions", "authError", "forbidden_account"}

WORDS = http.StatusWords(
    refused=_lazy("YouTube refused the request (HTTP %(status)s)%(detail)s."),
    not_found=_lazy("YouTube has nothing at this address (HTTP %(status)s)%(detail)s."),
    slow_down=_lazy("YouTube asked us to slow down (HTTP 429); we will try again later."),
    server_error=_lazy("YouTube had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("YouTube refused the request (HTTP %(status)s)%(detail)s."),
    login=False,
)
QUOTA = _lazy(
    "The Google Cloud project has used its YouTube quota for today; it resets at midnight Pacific Time and we"
    " will try again then."
)
TOO_FAST = _lazy("YouTube asked us to slow down; we will try again later.")
SIGNED_OUT = _lazy(
    "YouTube refused the access token (HTTP %(status)s)%(detail)s: check that the refresh token was granted the"
    " youtube.force-ssl scope by the channel's owner."
)
NOT_JSON = _lazy("YouTube answered with something that is not JSON (HTTP %(status)s, %(kind)s).")
NOT_AN_OBJECT = _lazy("YouTube answered %(what)s with something that is not a JSON object.")


def youtube_error(body: bytes) -> tuple[str, str]:
    """The first ``error.errors[].reason`` and ``error.message`` of an error body ("" when absent)."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return "", ""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return "", ""
    errors = error.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    return str(first.get("reason") or ""), str(error.get("message") or "").strip()[:300]


def seconds_to_quota_reset(now: datetime | None = None) -> float:
    """Seconds until the next midnight in Pacific Time, when YouTube's daily quota resets."""
    here = (now or datetime.now(PACIFIC)).astimezone(PACIFIC)
    midnight = datetime.combine(here.date() + timedelta(days=1), datetime.min.time(), tzinfo=PACIFIC)
    return max((midnight - here).total_seconds(), 60.0)


class YouTubeClient:
    def __init__(self, token: GoogleToken, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return "<YouTubeClient>"  # never a token

    # -- reading (1 unit each) -------------------------------------------------------------------------------

    def my_channel(self) -> dict[str, Any]:
        """GET /channels?part=snippet&mine=true (1 unit): the channel the token belongs to."""
        return self.object("GET", "/channels", {"part": "snippet", "mine": "true"}, what=_("the channel"))

    def threads(self, channel_id: str, page_token: str = "", status: str = "") -> dict[str, Any]:
        """GET /commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=...&order=time&maxResults=100
        (1 unit): the threads on the channel and its videos, newest first; ``moderationStatus`` heldForReview or
        likelySpam reads the held ones (only the channel's owner may)."""
        params = {
            "part": "snippet,replies",
            "allThreadsRelatedToChannelId": channel_id,
            "order": "time",
            "maxResults": 100,
            "textFormat": "html",
            "pageToken": page_token or None,
            "moderationStatus": status or None,
        }
        return self.object("GET", "/commentThreads", params, what=_("the comment threads"))

    def replies(self, parent_id: str, page_token: str = "") -> dict[str, Any]:
        """GET /comments?part=snippet&parentId=...&maxResults=100 (1 unit): the replies to a top-level comment."""
        params = {
            "part": "snippet",
            "parentId": parent_id,
            "maxResults": 100,
            "textFormat": "html",
            "pageToken": page_token or None,
        }
        return self.object("GET", "/comments", params, what=_("the replies"))

    def comment(self, comment_id: str) -> dict[str, Any] | None:
        """GET /comments?part=snippet&id=... (1 unit): one comment, or None when YouTube lists none."""
        found = self.object("GET", "/comments", {"part": "snippet", "id": comment_id}, what=_("a comment"))
        items = found.get("items")
        first = items[0] if isinstance(items, list) and items else None
        return first if isinstance(first, dict) else None

    # -- writing (50 units each) -----------------------------------------------------------------------------

    def insert_reply(self, parent_id: str, text: str) -> dict[str, Any]:
        """POST /comments?part=snippet (50 units) with ``snippet.parentId`` and ``snippet.textOriginal``."""
        body = {"snippet": {"parentId": parent_id, "textOriginal": text}}
        return self.object("POST", "/comments", {"part": "snippet"}, json=body, what=_("the new reply"))

    def set_moderation_status(self, comment_id: str, status: str, *, ban_author: bool = False) -> None:
        """POST /comments/setModerationStatus?id=...&moderationStatus=... (50 units; 204): published,
        heldForReview or rejected; ``banAuthor=true`` (with rejected only) rejects the author's later comments."""
        params = {"id": comment_id, "moderationStatus": status, "banAuthor": "true" if ban_author else None}
        self.call("POST", "/comments/setModerationStatus", params)

    def delete(self, comment_id: str) -> None:
        """DELETE /comments?id=... (50 units; 204): only the comment's author may (the channel's own comments)."""
        self.call("DELETE", "/comments", {"id": comment_id})

    # -- plumbing --------------------------------------------------------------------------------------------

    def object(self, method: str, path: str, params: dict[str, Any], *, what: str, json: Any = None) -> dict[str, Any]:
        answer = self.call(method, path, params, json=json)
        found = http.json_of(answer, site=HOST, words=NOT_JSON)
        if not isinstance(found, dict):
            raise http.NotJson(str(NOT_AN_OBJECT) % {"what": what})
        return found

    def call(self, method: str, path: str, params: dict[str, Any], *, json: Any = None) -> http.Answer:
        """One call; a 401 (the access token ended early) refreshes the token once and tries again."""
        answer = self._send(method, path, params, json)
        if answer.status == 401:
            self.token.expire()
            answer = self._send(method, path, params, json)
        problem = error_for(answer)
        if problem is not None:
            raise problem
        return answer

    def _send(self, method: str, path: str, params: dict[str, Any], json: Any) -> http.Answer:
        return http.request(
            method,
            f"{API}{path}",
            params=params,
            headers={"Accept": "application/json", **self.token.header()},
            json_body=json,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )


def error_for(answer: http.Answer) -> ConnectorError | None:
    """YouTube's reason first (quota, speed, permissions), then the shared status mapping."""
    if answer.status < 300:
        return None
    reason, message = youtube_error(answer.body)
    if reason in QUOTA_REASONS:
        return RateLimited(str(QUOTA), retry_after=seconds_to_quota_reset())
    if reason in SPEED_REASONS or answer.status == 429:
        wait = http.retry_after(answer)
        limited = RateLimited(str(TOO_FAST), retry_after=wait or 60.0)
        limited.code = reason or "429"  # for the logs; the words stay plain
        return limited
    detail = f": {message[:200]}" if message else ""
    if answer.status == 401 or reason in LOGIN_REASONS:
        return Unauthorized(str(SIGNED_OUT) % {"status": answer.status, "detail": detail}, status=answer.status)
    error = http.status_error(answer, WORDS, site=HOST, detail=message)
    if error is not None:
        error.code = reason
    return error
