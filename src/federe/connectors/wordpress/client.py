"""The HTTP calls to a WordPress site's REST API, with every failure mapped into the connector error family.

Authentication is HTTP Basic with an Application Password (WordPress 5.6+): the account's login password
does not work on the REST API. Redirects are not followed, so the password is never sent to another address
and the user learns the address to use instead.
"""

from __future__ import annotations

import html
import re
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized

TIMEOUT_SECONDS = 10.0
USER_AGENT = "Federe/0.1 (community inbox; WordPress connector)"

REFUSED_LOGIN = "WordPress refused the user name or application password."
NOT_LOGGED_IN_HINT = (
    " It did not log us in: use an application password (Users → Profile → Application Passwords), not the"
    " account password, and check that the server passes the Authorization header on to WordPress."
)
NO_RIGHTS = "This WordPress user has no right to moderate comments: give it the Editor or Administrator role."
NOT_WORDPRESS = "This address is not a WordPress site, or its REST API is disabled."
BAD_CERTIFICATE = "The site's HTTPS certificate is not valid ({detail}): fix the certificate or check the address."
TLS_FAILED = "The secure (HTTPS) connection to {site} failed ({detail}): check the address and the server's TLS setup."

# 403 answers that are about the content, not about the user's rights.
CONTENT_REFUSALS = {
    "rest_comment_closed": "Comments are closed on this post.",
    "rest_comment_draft_post": "This post is a draft: it cannot receive comments.",
    "rest_comment_trash_post": "This post is in the trash: it cannot receive comments.",
    "rest_comment_invalid_post_id": "This post no longer exists on WordPress.",
}
NOT_FOUND = {
    "rest_comment_invalid_id": "This comment no longer exists on WordPress.",
    "rest_post_invalid_id": "This post no longer exists on WordPress.",
}
_TAG = re.compile(r"<[^>]+>")


class Refused(Permanent):
    """WordPress said no for good; keeps the HTTP status and WordPress's error code for the caller."""

    def __init__(self, message: str, *, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class NotJson(Transient):
    """The answer was not JSON: often a broken plugin or a proxy page, so worth retrying."""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After is either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _wp_error(response: httpx.Response) -> tuple[str, str]:
    """WordPress's error code and message, in plain text, when the body is a WP_Error."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    message = html.unescape(_TAG.sub("", str(body.get("message") or ""))).strip()
    return str(body.get("code") or ""), message


def _tls_failure(exc: BaseException) -> str:
    """'certificate' or 'tls' when a connection failed in the TLS handshake, else ''.

    httpx wraps the ssl module's error in its own ConnectError; the original stays in the exception chain.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:  # chains can loop back on themselves
        chain.append(current)
        current = current.__cause__ or current.__context__
    for seen in chain:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return "certificate"
    return "tls" if any(isinstance(seen, ssl.SSLError) or "[SSL" in str(seen) for seen in chain) else ""


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
        # trust_env=False: a proxy or .netrc from the worker's environment must not see the password.
        self._http = httpx.Client(
            auth=httpx.BasicAuth(username, app_password),
            timeout=httpx.Timeout(timeout),
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"<WordPressClient {self.site_url}>"

    # -- the REST calls Fédère makes ------------------------------------------------------------------------

    def root(self) -> Any:
        return self.request("GET", "/").json

    def me(self) -> dict[str, Any]:
        return self.request("GET", "/wp/v2/users/me", params={"context": "edit"}).json

    def list_comments(self, params: dict[str, Any]) -> tuple[list[Any], int | None]:
        """One page of comments and the total that X-WP-Total announces (None when absent)."""
        answer = self.request("GET", "/wp/v2/comments", params=params)
        if not isinstance(answer.json, list):
            raise NotJson("WordPress answered the comment list with something that is not a list.")
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

    # -- plumbing -------------------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, **kwargs: Any) -> Answer:
        url, params = self._route(path, params or {})
        response = self._send(method, url, params=params, **kwargs)
        self._raise_for_status(response)
        try:
            body = response.json()
        except ValueError as exc:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            raise NotJson(
                f"WordPress answered with something that is not JSON (HTTP {response.status_code}, {kind}):"
                " a plugin or the web server may be failing."
            ) from exc
        return Answer(body, response.headers)

    def _route(self, path: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The URL and query of a REST route; sites without pretty permalinks take it as ?rest_route=/path."""
        if "?" not in self.api_url:
            return f"{self.api_url}{path}", params
        base, _sep, query = self.api_url.partition("?")
        key, _sep, prefix = query.partition("=")
        return base, {key: f"{prefix}{path}", **params}  # httpx would drop a query left in the URL

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise Transient(f"{self.site_url} did not answer within {self.timeout:g} seconds (timeout).") from exc
        except httpx.ConnectError as exc:
            tls = _tls_failure(exc)
            if tls == "certificate":
                raise Permanent(BAD_CERTIFICATE.format(detail=_short(exc))) from exc
            if tls:
                raise Permanent(TLS_FAILED.format(site=self.site_url, detail=_short(exc))) from exc
            raise Transient(f"Cannot reach {self.site_url}: {_short(exc)}") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise Permanent(f"The site address {self.site_url!r} is not valid: give it as https://example.org") from exc
        except httpx.TransportError as exc:
            raise Transient(f"The connection to {self.site_url} broke: {_short(exc)}") from exc

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 300:
            return
        code, message = _wp_error(response)
        raise self._error_for(status, code, message, response)

    def _error_for(self, status: int, code: str, message: str, response: httpx.Response) -> ConnectorError:
        if 300 <= status < 400:
            where = response.headers.get("Location", "another address")
            return Permanent(f"{self.site_url} redirects to {where}: use that address for the site.")
        if status == 401:
            return Unauthorized(REFUSED_LOGIN + (NOT_LOGGED_IN_HINT if code == "rest_not_logged_in" else ""))
        if status == 403:
            if code in CONTENT_REFUSALS:
                return Refused(CONTENT_REFUSALS[code], status=status, code=code)
            return Unauthorized(NO_RIGHTS)
        if status == 404:
            return Refused(NOT_FOUND.get(code, NOT_WORDPRESS), status=status, code=code)
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return RateLimited(f"WordPress asked us to slow down (HTTP 429){_wait(wait)}.", retry_after=wait)
        if status >= 500:
            return Transient(f"WordPress had an internal error (HTTP {status}){_detail(message)}.")
        return Refused(f"WordPress refused the request (HTTP {status}){_detail(message)}.", status=status, code=code)


class Answer:
    """A successful answer: its decoded JSON and its headers (X-WP-Total lives there)."""

    __slots__ = ("headers", "json")

    def __init__(self, json: Any, headers: httpx.Headers) -> None:
        self.json = json
        self.headers = headers


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _detail(message: str) -> str:
    return f": {message[:200]}" if message else ""


def _wait(seconds: float | None) -> str:
    return f"; trying again in {seconds:.0f} seconds" if seconds else ""
