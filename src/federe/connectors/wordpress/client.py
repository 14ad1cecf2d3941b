"""The HTTP calls to a WordPress site's REST API, with every failure mapped into the connector error family.

Every call goes through ``federe.connectors.http`` (and so ``federe.core.netsafe``): the blog's address is a
user's choice, so it must not lead to loopback, private or metadata addresses. Authentication is HTTP Basic
with an Application Password (WordPress 5.6+): the account's login password does not work on the REST API.
Redirects are not followed, so the password is never sent to another address and the user learns the address
to use instead.
"""

from __future__ import annotations

import html
import json as jsonlib
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Permanent, Unauthorized

TIMEOUT_SECONDS = 10
MAX_BYTES = 20_000_000  # a page of 100 comments with their posts embedded
USER_AGENT = "Federe/0.1 (community inbox; WordPress connector)"

REFUSED_LOGIN = _lazy("WordPress refused the user name or application password.")
NOT_LOGGED_IN_HINT = _lazy(
    "It did not log us in: use an application password (Users → Profile → Application Passwords), not the"
    " account password, and check that the server passes the Authorization header on to WordPress."
)
NO_RIGHTS = _lazy("This WordPress user has no right to moderate comments: give it the Editor or Administrator role.")
NOT_WORDPRESS = _lazy("This address is not a WordPress site, or its REST API is disabled.")
NOT_JSON = _lazy(
    "WordPress answered with something that is not JSON (HTTP %(status)s, %(kind)s): a plugin or the web server"
    " may be failing."
)

# 403 answers that are about the content, not about the user's rights.
CONTENT_REFUSALS = {
    "rest_comment_closed": _lazy("Comments are closed on this post."),
    "rest_comment_draft_post": _lazy("This post is a draft: it cannot receive comments."),
    "rest_comment_trash_post": _lazy("This post is in the trash: it cannot receive comments."),
    "rest_comment_invalid_post_id": _lazy("This post no longer exists on WordPress."),
}
NOT_FOUND = {
    "rest_comment_invalid_id": _lazy("This comment no longer exists on WordPress."),
    "rest_post_invalid_id": _lazy("This post no longer exists on WordPress."),
}
WORDS = http.StatusWords(
    refused=REFUSED_LOGIN,
    not_found=NOT_WORDPRESS,
    slow_down=_lazy("WordPress asked us to slow down (HTTP 429); we will try again later."),
    server_error=_lazy("WordPress had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("WordPress refused the request (HTTP %(status)s)%(detail)s."),
    redirect=_lazy("%(site)s redirects to %(where)s: use that address for the site."),
)
_TAG = re.compile(r"<[^>]+>")

NotJson = http.NotJson


def _wp_error(body: bytes) -> tuple[str, str]:
    """WordPress's error code and message, in plain text, when the body is a WP_Error."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(payload, dict):
        return "", ""
    message = html.unescape(_TAG.sub("", str(payload.get("message") or ""))).strip()
    return str(payload.get("code") or ""), message


class WordPressClient:
    def __init__(
        self,
        site_url: str,
        username: str,
        app_password: str,
        *,
        timeout: float = TIMEOUT_SECONDS,
        api_url: str = "",
    ) -> None:
        self.site_url = site_url.rstrip("/")
        self.api_url = (api_url or f"{self.site_url}/wp-json").rstrip("/")
        self.timeout = timeout
        self._headers = {"Accept": "application/json", **http.basic_auth(username, app_password)}

    def __repr__(self) -> str:
        return f"<WordPressClient {self.site_url}>"  # never the password

    # -- the REST calls Fédère makes ------------------------------------------------------------------------

    def root(self) -> Any:
        return self.request("GET", "/").json

    def me(self) -> dict[str, Any]:
        return self.request("GET", "/wp/v2/users/me", params={"context": "edit"}).json

    def list_comments(self, params: dict[str, Any]) -> tuple[list[Any], int | None]:
        """One page of comments and the total that X-WP-Total announces (None when absent)."""
        answer = self.request("GET", "/wp/v2/comments", params=params)
        if not isinstance(answer.json, list):
            raise NotJson(_("WordPress answered the comment list with something that is not a list."))
        total = answer.headers.get("X-WP-Total", "")
        return answer.json, int(total) if total.isdigit() else None

    def get_comment(self, comment_id: int) -> dict[str, Any]:
        return self.request("GET", f"/wp/v2/comments/{comment_id}", params={"context": "edit"}).json

    def create_comment(self, data: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", "/wp/v2/comments", json=data).json

    def update_comment(self, comment_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", f"/wp/v2/comments/{comment_id}", json=data).json

    def delete_comment(self, comment_id: int, *, force: bool = False) -> dict[str, Any]:
        params = {"force": "true"} if force else {}
        return self.request("DELETE", f"/wp/v2/comments/{comment_id}", params=params).json

    def list_posts(self, params: dict[str, Any]) -> list[Any]:
        answer = self.request("GET", "/wp/v2/posts", params=params)
        if not isinstance(answer.json, list):
            raise NotJson(_("WordPress answered the post list with something that is not a list."))
        return answer.json

    def create_post(self, data: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", "/wp/v2/posts", json=data).json

    # -- plumbing -------------------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Answer:
        url, params = self._route(path, params or {})
        answer = http.request(
            method,
            url,
            params=params,
            headers=self._headers,
            json_body=json,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )
        problem = self._error_for(answer)
        if problem is not None:
            raise problem
        return Answer(http.json_of(answer, site=self.site_url, words=NOT_JSON), answer.headers)

    def _route(self, path: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The URL and query of a REST route; sites without pretty permalinks take it as ?rest_route=/path."""
        if "?" not in self.api_url:
            return f"{self.api_url}{path}", params
        base, _sep, query = self.api_url.partition("?")
        key, _sep, prefix = query.partition("=")
        return base, {key: f"{prefix}{path}", **params}  # a query left in the URL would be dropped

    def _error_for(self, answer: http.Answer) -> ConnectorError | None:
        """WordPress's own refusals first (they carry its error code), then the shared status mapping."""
        status = answer.status
        if status < 300:
            return None
        code, message = _wp_error(answer.body)
        if status == 401 and code == "rest_not_logged_in":
            return Unauthorized(f"{REFUSED_LOGIN} {NOT_LOGGED_IN_HINT}", status=status, code=code)
        if status == 403 and code in CONTENT_REFUSALS:
            return Permanent(str(CONTENT_REFUSALS[code]), status=status, code=code)
        if status == 403:
            return Unauthorized(str(NO_RIGHTS), status=status, code=code)
        if status == 404 and code in NOT_FOUND:
            return Permanent(str(NOT_FOUND[code]), status=status, code=code)
        error = http.status_error(answer, WORDS, site=self.site_url, detail=message)
        if error is not None:
            error.code = code
        return error


class Answer:
    """A successful answer: its decoded JSON and its headers (X-WP-Total lives there)."""

    __slots__ = ("headers", "json")

    def __init__(self, json: Any, headers: Any) -> None:
        self.json = json
        self.headers = headers
