"""The calls to GNU Mailman 3's REST API (core, API 3.1), every failure mapped into the connector error family.

Endpoints used (Mailman 3.3 REST documentation): ``GET /system/versions`` (credentials), ``GET /lists`` and
``GET /lists/{list_id}`` (lists, member counts, posting address), ``GET /lists/{list_id}/held`` (held messages,
with the raw message in ``msg``), ``POST /lists/{list_id}/held/{request_id}`` (``action``: accept, reject, discard
or defer; ``comment``: the reason sent with a rejection), ``POST /lists/{list_id}/bans`` (``email``),
``GET /members/find`` and ``PATCH /members/{member_id}`` (``moderation_action``), ``GET /queues`` (how many
messages each runner's queue holds: a post handed over a moment ago may still be on its way). HTTP Basic
authentication with the REST admin user. Every call goes through ``federe.connectors.http`` (netsafe); redirects
are not followed.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError

TIMEOUT_SECONDS = 10
MAX_BYTES = 50_000_000  # a held queue carries whole messages
PAGE = 100
USER_AGENT = "Federe/0.1 (community inbox; Mailman connector)"

REFUSED = _lazy("Mailman refused the REST user name or password.")
WORDS = http.StatusWords(
    refused=REFUSED,
    not_found=_lazy("Mailman's REST API has nothing at this address (HTTP %(status)s): check the address (…/3.1)."),
    slow_down=_lazy("Mailman asked us to slow down (HTTP 429); we will try again later."),
    server_error=_lazy("Mailman had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("Mailman refused the request (HTTP %(status)s)%(detail)s."),
    redirect=_lazy("%(site)s redirects to %(where)s: use that address for Mailman's REST API."),
)
NOT_JSON = _lazy(
    "Mailman answered with something that is not JSON (HTTP %(status)s, %(kind)s): is this Mailman's REST address?"
)


def _description(body: bytes) -> str:
    """Mailman's own words for a refusal ({"title": ..., "description": ...})."""
    try:
        payload = jsonlib.loads(body)
    except ValueError:
        return ""
    return str(payload.get("description") or "")[:200] if isinstance(payload, dict) else ""


class MailmanClient:
    def __init__(self, rest_url: str, user: str, password: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.rest_url = rest_url.rstrip("/")
        self.timeout = timeout
        self._headers = {"Accept": "application/json", **http.basic_auth(user, password)}

    def __repr__(self) -> str:
        return f"<MailmanClient {self.rest_url}>"  # never the password

    def versions(self) -> Any:
        return self.request("GET", "/system/versions")

    def lists(self) -> list[dict[str, Any]]:
        return self._all("/lists")

    def mailing_list(self, list_id: str) -> dict[str, Any]:
        answer = self.request("GET", f"/lists/{list_id}")
        if not isinstance(answer, dict):
            raise http.NotJson(_("Mailman described the list with something that is not a JSON object."))
        return answer

    def queues(self) -> dict[str, int]:
        """How many messages wait in each of Mailman's queues (``GET /queues``): in, pipeline, out…"""
        answer = self.request("GET", "/queues")
        entries = answer.get("entries") if isinstance(answer, dict) else None
        counts: dict[str, int] = {}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("count"), int):
                counts[entry["name"]] = entry["count"]
        return counts

    def held(self, list_id: str) -> list[dict[str, Any]]:
        return self._all(f"/lists/{list_id}/held")

    def moderate(self, list_id: str, request_id: int, action: str, comment: str = "") -> None:
        data = {"action": action, **({"comment": comment} if comment else {})}
        self.request("POST", f"/lists/{list_id}/held/{request_id}", json=data)

    def ban(self, list_id: str, email: str) -> bool:
        """Ban ``email`` on the list; False when it was banned already."""
        try:
            self.request("POST", f"/lists/{list_id}/bans", json={"email": email})
        except ConnectorError as exc:
            if exc.status == 400 and "already banned" in exc.code.lower():
                return False
            raise
        return True

    def find_members(self, list_id: str, email: str, role: str) -> list[dict[str, Any]]:
        answer = self.request("GET", "/members/find", params={"list_id": list_id, "subscriber": email, "role": role})
        entries = answer.get("entries") if isinstance(answer, dict) else None
        return [entry for entry in entries or [] if isinstance(entry, dict)]

    def set_moderation(self, member_id: str, action: str) -> None:
        self.request("PATCH", f"/members/{member_id}", json={"moderation_action": action})

    # -- plumbing -------------------------------------------------------------------------------------------

    def _all(self, path: str) -> list[dict[str, Any]]:
        """Every entry of a paged collection (``count`` and ``page``; Mailman omits ``entries`` when empty)."""
        found: list[dict[str, Any]] = []
        for page in range(1, 1000):
            answer = self.request("GET", path, params={"count": PAGE, "page": page})
            if not isinstance(answer, dict):
                raise http.NotJson(_("Mailman answered a list with something that is not a JSON object."))
            entries = answer.get("entries") or []
            if not isinstance(entries, list):
                raise http.NotJson(_("Mailman answered a list with something that is not a JSON object."))
            found.extend(entry for entry in entries if isinstance(entry, dict))
            total = answer.get("total_size")
            if len(entries) < PAGE or (isinstance(total, int) and total and len(found) >= total):
                break
        return found

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        answer = http.request(
            method,
            f"{self.rest_url}{path}",
            params=params,
            headers=self._headers,
            json_body=json,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )
        if answer.status >= 300:
            detail = _description(answer.body)
            error = http.status_error(answer, WORDS, site=self.rest_url, detail=detail)
            if error is not None:
                error.code = detail
                raise error
        if answer.status == 204 or not answer.body.strip():
            return {}
        return http.json_of(answer, site=self.rest_url, words=NOT_JSON)
