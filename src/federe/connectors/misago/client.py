"""The HTTP calls to a Misago forum's JSON API (Misago 0.39), with every failure mapped into the connector errors.

Misago has no API token: its own frontend uses a Django session and CSRF, and so does this client.

1. ``GET /`` sets the ``csrftoken`` cookie;
2. ``POST /api/auth/`` with ``{"username", "password"}``, the ``X-CSRFToken`` header and a ``Referer`` of the
   forum logs in (``sessionid`` cookie); the CSRF token rotates then, so it is read again;
3. every later call carries both cookies, and the CSRF header on anything but GET.

The session lives in memory only (never stored): a connector logs in on its first call. When the session or the
CSRF token has expired (Misago answers 403 "CSRF Failed" or "not available to guests"), the client logs in again,
once, and repeats the call. Cookies are handled here, by hand, because every request goes through
``federe.connectors.http`` (netsafe: the forum's address is a user's choice). Redirects are not followed, so the
password never goes to another address.

Endpoints used: ``/api/auth/``, ``/api/threads/`` (list, create), ``/api/threads/<id>/`` (read, JSON-Patch
moderation, delete), ``/api/threads/<id>/posts/`` (list, reply), ``/api/threads/<id>/posts/<id>/`` (read,
JSON-Patch, delete), ``/api/categories/``.
"""

from __future__ import annotations

import json as jsonlib
from http.cookies import CookieError, SimpleCookie
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import Permanent, Unauthorized

TIMEOUT_SECONDS = 10
MAX_BYTES = 10_000_000
USER_AGENT = "Federe/0.1 (community inbox; Misago connector)"

WRONG_LOGIN = _lazy("Misago refused the user name or password.")
NOT_MISAGO = _lazy("This address is not a Misago forum, or its API is not reachable.")
NO_SESSION = _lazy("Misago did not keep us logged in (no session cookie): check the forum's address (http or https).")
NOT_JSON = _lazy(
    "Misago answered with something that is not JSON (HTTP %(status)s, %(kind)s): the forum or its web server may"
    " be failing."
)
WORDS = http.StatusWords(
    refused=_lazy("Misago refused the request (HTTP %(status)s)%(detail)s."),
    not_found=_lazy("Misago has nothing at this address (HTTP %(status)s): the thread or post may be gone."),
    slow_down=_lazy("Misago asked us to slow down (HTTP 429); we will try again later."),
    server_error=_lazy("Misago had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("Misago refused the request (HTTP %(status)s)%(detail)s."),
    redirect=_lazy("%(site)s redirects to %(where)s: use that address for the forum."),
    login=False,  # a refusal after login is about rights (not a moderator, a closed thread), not the password
)
# Misago's 403 answers that mean "log in again", not "you may not".
_RELOGIN_HINTS = ("csrf", "not available to guests", "authentication credentials", "sign in", "log in")

NotJson = http.NotJson


def misago_detail(body: bytes) -> str:
    """Misago's (Django REST framework's) own explanation: ``detail`` or the first field error, in plain text."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return ""
    if isinstance(payload, dict):
        for key in ("detail", "non_field_errors", "__all__", "post", "title"):
            value = payload.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, str) and value.strip():
                return value.strip()[:300]
    if isinstance(payload, list) and payload and isinstance(payload[0], str):
        return payload[0][:300]
    return ""


class MisagoClient:
    def __init__(self, forum_url: str, username: str, password: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.forum_url = forum_url.rstrip("/")
        self.timeout = timeout
        self._username = username
        self._password = password
        self._cookies: dict[str, str] = {}
        self.user: dict[str, Any] | None = None  # the logged-in user, as /api/auth/ describes it
        self.logins = 0

    def __repr__(self) -> str:
        return f"<MisagoClient {self.forum_url}>"  # never the password nor the session

    # -- session --------------------------------------------------------------------------------------------

    def login(self) -> dict[str, Any]:
        """A fresh session: the CSRF cookie from the forum's page, then the login itself."""
        self._cookies = {}
        self.user = None
        self._raise_for(self._send("GET", "/", accept="text/html"))
        if not self._cookies.get("csrftoken"):
            raise Permanent(str(NOT_MISAGO))
        answer = self._send("POST", "/api/auth/", json={"username": self._username, "password": self._password})
        self.logins += 1
        if answer.status in (400, 401, 403):
            detail = misago_detail(answer.body)
            if "csrf" in detail.lower():
                raise Permanent(str(NO_SESSION))
            raise Unauthorized(f"{WRONG_LOGIN} {detail}".strip(), status=answer.status)
        self._raise_for(answer)
        user = http.json_of(answer, site=self.forum_url, words=NOT_JSON)
        if not isinstance(user, dict) or not user.get("id") or not self._cookies.get("sessionid"):
            raise Permanent(str(NO_SESSION))
        self.user = user
        return user

    # -- the calls Fédère makes -----------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.call("GET", path, params=params)

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        """One API call as the logged-in user: logs in first when needed, and once more if the session expired."""
        if self.user is None:
            self.login()
        answer = self._send(method, path, params=params, json=json)
        if answer.status in (401, 403) and _wants_login(answer):
            self.login()
            answer = self._send(method, path, params=params, json=json)
        self._raise_for(answer)
        return http.json_of(answer, site=self.forum_url, words=NOT_JSON)

    def thread_page(self, thread_id: int, page: int) -> tuple[dict[str, Any], list[dict[str, Any]], int] | None:
        """One page of a thread's posts (ordered by id, events included): the thread, its posts, its number of
        pages; None when the thread is gone or out of sight."""
        try:
            answer = self.get(f"/api/threads/{thread_id}/posts/", {"page": page} if page > 1 else None)
        except Permanent as exc:
            if exc.status == 404:
                return None
            raise
        post_set = answer.get("post_set") if isinstance(answer, dict) else None
        if not isinstance(post_set, dict) or not isinstance(post_set.get("results"), list):
            raise Permanent(_("Misago answered a thread's posts with something unexpected."))
        posts = [p for p in post_set["results"] if isinstance(p, dict)]
        pages = post_set.get("pages")
        return answer, posts, pages if isinstance(pages, int) and not isinstance(pages, bool) and pages > 0 else 1

    # -- plumbing -------------------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        accept: str = "application/json",
    ) -> http.Answer:
        headers = {"Accept": accept, "Referer": f"{self.forum_url}/"}
        if self._cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self._cookies.items())
        if method != "GET" and self._cookies.get("csrftoken"):
            headers["X-CSRFToken"] = self._cookies["csrftoken"]
        answer = http.request(
            method,
            f"{self.forum_url}{path}",
            params=params,
            headers=headers,
            json_body=json,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )
        self._keep_cookies(answer)
        return answer

    def _keep_cookies(self, answer: http.Answer) -> None:
        for header in answer.headers.get_list("set-cookie"):
            try:
                jar = SimpleCookie(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] not in ("0",):
                    self._cookies[name] = morsel.value
                else:
                    self._cookies.pop(name, None)

    def _raise_for(self, answer: http.Answer) -> None:
        error = http.status_error(answer, WORDS, site=self.forum_url, detail=misago_detail(answer.body))
        if error is not None:
            raise error


def _wants_login(answer: http.Answer) -> bool:
    text = misago_detail(answer.body).lower()
    return any(hint in text for hint in _RELOGIN_HINTS)
