"""One HTTP layer for every connector.

* Every request goes through ``federe.core.netsafe``: the address is a user's choice, so loopback, private and
  metadata addresses are refused (unless an operator allows them), connections are pinned to the checked address,
  time and size are capped, and no network call may run inside a database transaction.
* Failures become the connector error family in one place: network failures (``net_error``) and HTTP statuses
  (``status_error``), with ``Retry-After`` (or Mastodon's ``X-RateLimit-Reset``) read once.
* Messages are plain, translated words. A connector only says what is particular to its network
  (``StatusWords``); the family a status belongs to is decided here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors.errors import ConnectorError, Permanent, RateLimited, Transient, Unauthorized
from federe.core import netsafe
from federe.core.netsafe import fetch as fetching  # looked up at each call: both paths meet in fetching.request

USER_AGENT = "Federe/0.1 (community inbox; +https://federe.org)"
# netsafe failures that trying again will not cure; the others (timeouts, resets, DNS) may pass.
PERMANENT_NET = {"address", "scheme", "credentials", "invalid", "too_large", "redirect", "redirects", "tls"}

Answer = netsafe.FetchResult


REFUSED = _lazy("%(site)s refused the request (HTTP %(status)s)%(detail)s.")
NOT_FOUND = _lazy("%(site)s has nothing at this address (HTTP %(status)s): check the address.")
SLOW_DOWN = _lazy("%(site)s asked us to slow down (HTTP 429); we will try again later.")
SERVER_ERROR = _lazy("%(site)s had an internal error (HTTP %(status)s)%(detail)s; we will try again.")
REDIRECT = _lazy("%(site)s redirects to %(where)s: use that address instead.")
NOT_JSON = _lazy("%(site)s answered with something that is not JSON (HTTP %(status)s, %(kind)s).")


class NotJson(Transient):
    """The answer was not JSON: often a broken plugin or a proxy page, so worth retrying."""


@dataclass(frozen=True)
class StatusWords:
    """What a network says for each kind of refusal. Placeholders: %(site)s %(status)s %(detail)s %(where)s.

    ``refused`` covers 401 and 403: an ``Unauthorized`` error when ``login`` (the user must fix credentials),
    else ``Permanent``.
    """

    refused: Any = REFUSED
    not_found: Any = NOT_FOUND
    slow_down: Any = SLOW_DOWN
    server_error: Any = SERVER_ERROR
    other: Any = REFUSED
    redirect: Any = REDIRECT
    login: bool = True


def basic_auth(user: str, password: str) -> dict[str, str]:
    """The Authorization header of HTTP Basic authentication."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def request(
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    content: bytes | None = None,
    timeout: float = 10,
    max_bytes: int = 5_000_000,
    follow_redirects: bool = True,
    user_agent: str = USER_AGENT,
) -> Answer:
    """One exchange; a network failure raises a connector error, an HTTP status is returned (see status_error).

    ``content``: raw bytes to send (an image, a multipart form), with the Content-Type given in ``headers``.
    """
    sent = dict(headers or {})
    if json_body is not None:
        content = json.dumps(json_body).encode("utf-8")
        sent["Content-Type"] = "application/json"
    return _through_netsafe(
        fetching.request,
        method,
        url,
        params={k: v for k, v in (params or {}).items() if v is not None},
        headers=sent,
        content=content,
        max_bytes=max_bytes,
        timeout=timeout,
        user_agent=user_agent,
        follow_redirects=follow_redirects,
    )


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    headers: Mapping[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 5_000_000,
    user_agent: str = USER_AGENT,
) -> Answer:
    """A conditional GET (``etag`` and ``last_modified`` from the previous answer; a 304 sets ``not_modified``).

    netsafe's fetch_url writes the conditional headers; a network failure raises a connector error, as in request.
    """
    return _through_netsafe(
        fetching.fetch_url,
        url,
        etag=etag,
        last_modified=last_modified,
        headers=headers,
        max_bytes=max_bytes,
        timeout=timeout,
        user_agent=user_agent,
    )


def _through_netsafe(call: Callable[..., Answer], *args: Any, timeout: float, **options: Any) -> Answer:
    """A netsafe call with its overall deadline (twice the step's timeout); a network failure, a connector error."""
    try:
        return call(*args, timeout=timeout, total_deadline=timeout * 2, **options)
    except netsafe.NetError as exc:
        raise net_error(exc) from exc


def net_error(exc: netsafe.NetError) -> ConnectorError:
    """A netsafe failure as a connector error: refusals, bad certificates and oversize answers are permanent."""
    if isinstance(exc, netsafe.NetRefused) or exc.code in PERMANENT_NET:
        return Permanent(exc.message)
    return Transient(exc.message)


def retry_after(answer: Answer) -> float | None:
    """Seconds to wait before the next try, from Retry-After or X-RateLimit-Reset; None when not said."""
    for header in ("Retry-After", "X-RateLimit-Reset"):
        wait = netsafe.retry_after_seconds(answer.headers.get(header))
        if wait is not None:
            return wait
    return None


def status_error(answer: Answer, words: StatusWords, *, site: str, detail: str = "") -> ConnectorError | None:
    """The connector error for an answer that is not a success (None for 2xx and 304)."""
    status = answer.status
    if 200 <= status < 300 or status == 304:
        return None
    values = {
        "site": site,
        "status": status,
        "detail": f": {detail[:200]}" if detail else "",
        "where": answer.headers.get("Location", "?")[:300],
    }
    if 300 <= status < 400:
        return Permanent(str(words.redirect) % values, status=status)
    if status in (401, 403):
        refused = Unauthorized if words.login else Permanent
        return refused(str(words.refused) % values, status=status)
    if status in (404, 410):
        return Permanent(str(words.not_found) % values, status=status)
    if status == 429:
        return RateLimited(str(words.slow_down) % values, retry_after=retry_after(answer))
    if status >= 500:
        return Transient(str(words.server_error) % values, status=status)
    return Permanent(str(words.other) % values, status=status)


def json_of(answer: Answer, *, site: str, words: Any = NOT_JSON) -> Any:
    """The answer's JSON; NotJson when it is something else (an HTML error page, a proxy's answer).

    ``words`` may use %(site)s, %(status)s and %(kind)s (the content type).
    """
    try:
        return json.loads(answer.body)
    except ValueError as exc:
        kind = answer.content_type or _("no content type")
        raise NotJson(str(words) % {"site": site, "status": answer.status, "kind": kind}) from exc
