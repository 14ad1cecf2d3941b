"""The HTTP calls to a Discourse forum's REST API, with every failure mapped into the connector error family.

Built to Discourse's published API (https://docs.discourse.org, generated from the forum's own request specs),
not checked against a live forum: no Discourse server runs where Fédère is tested. Each method names the endpoint
it calls. Every request goes through ``federe.connectors.http`` (and so ``federe.core.netsafe``) with the
``Api-Key`` and ``Api-Username`` headers (an admin's key: Admin → API → New API key). Redirects are not followed,
so the key is never sent to another address.

Discourse answers a refusal with ``{"errors": [...], "error_type": "..."}`` and a rate limit with HTTP 429, a
``Retry-After`` header and ``{"extras": {"wait_seconds": N}}``; both are read here.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, RateLimited

TIMEOUT_SECONDS = 10
MAX_BYTES = 10_000_000
USER_AGENT = "Federe/0.1 (community inbox; Discourse connector)"

# Discourse answers 403 both to a wrong key and to a user without the right: one message says both.
REFUSED = _lazy(
    "Discourse refused the request (HTTP %(status)s)%(detail)s: check the API key and the API user name, and"
    " that this user is a moderator or an administrator."
)
WORDS = http.StatusWords(
    refused=REFUSED,
    not_found=_lazy("Discourse has nothing at this address (HTTP %(status)s): check the forum's address."),
    slow_down=_lazy("Discourse asked us to slow down (HTTP 429); we will try again later."),
    server_error=_lazy("Discourse had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("Discourse refused the request (HTTP %(status)s)%(detail)s."),
    redirect=_lazy("%(site)s redirects to %(where)s: use that address for the forum."),
)
NOT_JSON = _lazy(
    "Discourse answered with something that is not JSON (HTTP %(status)s, %(kind)s): the forum or a proxy in"
    " front of it may be failing."
)
NOT_AN_OBJECT = _lazy("Discourse answered %(what)s with something that is not a JSON object.")


def _discourse_error(body: bytes) -> tuple[str, str, float | None]:
    """Discourse's error type, its first message, and the seconds to wait it announces (rate limits)."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return "", "", None
    if not isinstance(payload, dict):
        return "", "", None
    errors = payload.get("errors")
    message = str(errors[0]) if isinstance(errors, list) and errors else ""
    extras = payload.get("extras")
    wait = extras.get("wait_seconds") if isinstance(extras, dict) else None
    wait = float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0 else None
    return str(payload.get("error_type") or ""), message.strip()[:300], wait


class DiscourseClient:
    def __init__(self, site_url: str, api_key: str, api_username: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.site_url = site_url.rstrip("/")
        self.timeout = timeout
        self._headers = {"Accept": "application/json", "Api-Key": api_key, "Api-Username": api_username}

    def __repr__(self) -> str:
        return f"<DiscourseClient {self.site_url}>"  # never the key

    # -- reading --------------------------------------------------------------------------------------------

    def user(self, username: str) -> dict[str, Any]:
        """GET /u/{username}.json: the public profile (``user.admin``, ``user.moderator``)."""
        return self.object("GET", f"/u/{username}.json", what=_("the user profile"))

    def categories(self) -> dict[str, Any]:
        """GET /categories.json: ``category_list.categories``."""
        return self.object("GET", "/categories.json", what=_("the category list"))

    def latest_posts(self, before: int | None = None) -> dict[str, Any]:
        """GET /posts.json?before=ID: the latest posts across topics, newest first, with an id lower than
        ``before`` (``latest_posts``)."""
        return self.object("GET", "/posts.json", params={"before": before}, what=_("the latest posts"))

    def post(self, post_id: int) -> dict[str, Any]:
        """GET /posts/{id}.json: one post (``hidden``, ``deleted_at``, ``post_number``, ``topic_id``)."""
        return self.object("GET", f"/posts/{post_id}.json", what=_("a post"))

    def post_by_number(self, topic_id: int, post_number: int) -> dict[str, Any]:
        """GET /posts/by_number/{topic_id}/{post_number}.json: the post at that place in its topic."""
        return self.object("GET", f"/posts/by_number/{topic_id}/{post_number}.json", what=_("a post"))

    def topic(self, topic_id: int) -> dict[str, Any]:
        """GET /t/{id}.json: one topic (``closed``, ``pinned``, ``title``)."""
        return self.object("GET", f"/t/{topic_id}.json", what=_("a topic"))

    def topic_by_external_id(self, external_id: str) -> int | None:
        """GET /t/external_id/{external_id}.json: Discourse redirects to the topic; its id, or None (404)."""
        answer = self._send("GET", f"/t/external_id/{external_id}.json")
        if answer.status == 404:
            return None
        if 300 <= answer.status < 400:
            return _topic_id_in(answer.headers.get("Location", ""))
        self._raise_for(answer)
        found = http.json_of(answer, site=self.site_url, words=NOT_JSON)
        topic_id = found.get("id") if isinstance(found, dict) else None
        return topic_id if isinstance(topic_id, int) and not isinstance(topic_id, bool) else None

    def review_queue(self, status: str, offset: int = 0) -> dict[str, Any]:
        """GET /review.json?type=ReviewableQueuedPost&status=...&offset=N: ten reviewables a page, with the
        users they name side-loaded (``reviewables``, ``users``, ``meta.total_rows_reviewables``)."""
        params = {"type": "ReviewableQueuedPost", "status": status, "offset": offset or None}
        return self.object("GET", "/review.json", params=params, what=_("the review queue"))

    def reviewable(self, reviewable_id: int) -> dict[str, Any]:
        """GET /review/{id}.json: one reviewable (``reviewable.status``, ``reviewable.version``)."""
        return self.object("GET", f"/review/{reviewable_id}.json", what=_("the review queue"))

    def admin_user(self, user_id: int) -> dict[str, Any]:
        """GET /admin/users/{id}.json: a member as staff see them (``silenced_till``, ``suspended_till``)."""
        return self.object("GET", f"/admin/users/{user_id}.json", what=_("a member"))

    # -- writing --------------------------------------------------------------------------------------------

    def create_post(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /posts.json: a reply (``topic_id``, ``raw``, ``reply_to_post_number``) or a topic (``title``,
        ``raw``, ``category``, ``external_id``)."""
        return self.object("POST", "/posts.json", json=data, what=_("the new post"))

    def perform_review(self, reviewable_id: int, action: str, version: int) -> dict[str, Any]:
        """PUT /review/{id}/perform/{action}?version=V (approve_post, reject_post)."""
        path = f"/review/{reviewable_id}/perform/{action}"
        return self.object("PUT", path, params={"version": version}, what=_("the review queue"))

    def flag_and_hide(self, post_id: int) -> dict[str, Any]:
        """POST /post_actions.json with ``take_action``: staff flag the post as inappropriate (type 4) and
        Discourse hides it at once (PostActionCreator), as the "Flag → take action" button does."""
        data = {"id": post_id, "post_action_type_id": 4, "take_action": "true", "flag_topic": False}
        return self.object("POST", "/post_actions.json", json=data, what=_("a post"))

    def unhide(self, post_id: int) -> None:
        """PUT /posts/{id}/unhide."""
        self.call("PUT", f"/posts/{post_id}/unhide")

    def recover(self, post_id: int) -> None:
        """PUT /posts/{id}/recover: a deleted post back."""
        self.call("PUT", f"/posts/{post_id}/recover")

    def delete_post(self, post_id: int) -> None:
        """DELETE /posts/{id}.json (the first post of a topic deletes the topic)."""
        self.call("DELETE", f"/posts/{post_id}.json", json={"force_destroy": False})

    def topic_status(self, topic_id: int, status: str, *, until: str = "") -> None:
        """PUT /t/{id}/status.json: ``status`` closed or pinned, ``enabled`` true (``until`` for pinned)."""
        data = {"status": status, "enabled": "true", **({"until": until} if until else {})}
        self.call("PUT", f"/t/{topic_id}/status.json", json=data)

    def silence(self, user_id: int, until: str, reason: str) -> None:
        """PUT /admin/users/{id}/silence.json (``silenced_till``, ``reason``)."""
        self.call("PUT", f"/admin/users/{user_id}/silence.json", json={"silenced_till": until, "reason": reason})

    def suspend(self, user_id: int, until: str, reason: str) -> None:
        """PUT /admin/users/{id}/suspend.json (``suspend_until``, ``reason``)."""
        self.call("PUT", f"/admin/users/{user_id}/suspend.json", json={"suspend_until": until, "reason": reason})

    # -- plumbing -------------------------------------------------------------------------------------------

    def object(
        self, method: str, path: str, *, what: str, params: dict[str, Any] | None = None, json: Any = None
    ) -> dict[str, Any]:
        """The answer's JSON object; NotJson when it is something else."""
        answer = self.call(method, path, params=params, json=json)
        found = http.json_of(answer, site=self.site_url, words=NOT_JSON)
        if not isinstance(found, dict):
            raise http.NotJson(str(NOT_AN_OBJECT) % {"what": what})
        return found

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> http.Answer:
        answer = self._send(method, path, params=params, json=json)
        self._raise_for(answer)
        return answer

    def _send(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> http.Answer:
        return http.request(
            method,
            f"{self.site_url}{path}",
            params=params,
            headers=self._headers,
            json_body=json,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )

    def _raise_for(self, answer: http.Answer) -> None:
        problem = self._error_for(answer)
        if problem is not None:
            raise problem

    def _error_for(self, answer: http.Answer) -> ConnectorError | None:
        """Discourse's own words first (its error type and message), then the shared status mapping."""
        if answer.status < 300:
            return None
        error_type, message, wait = _discourse_error(answer.body)
        if answer.status == 429:
            limited = http.status_error(answer, WORDS, site=self.site_url)
            retry = limited.retry_after if isinstance(limited, RateLimited) else None
            return RateLimited(str(WORDS.slow_down), retry_after=retry if retry is not None else wait)
        error = http.status_error(answer, WORDS, site=self.site_url, detail=message)
        if error is not None:
            error.code = error_type
        return error


def _topic_id_in(location: str) -> int | None:
    """The topic id at the end of a topic address (/t/slug/123, /t/slug/123.json, /t/slug/123/4)."""
    parts = [part.removesuffix(".json") for part in location.split("?")[0].split("/") if part]
    if "t" not in parts:
        return None
    numbers = [int(part) for part in parts[parts.index("t") + 1 :] if part.isdigit()]
    return numbers[0] if numbers else None
