"""The XRPC calls to a Bluesky PDS (AT Protocol), with every failure mapped into the connector error family.

Every call goes through ``federe.connectors.http`` (and so ``federe.core.netsafe``). Endpoints (``/xrpc/<nsid>``):

* ``com.atproto.server.createSession`` (handle + app password → access and refresh tokens, the account's DID),
  ``com.atproto.server.refreshSession`` (a new access token when the PDS answers ``ExpiredToken``);
* ``com.atproto.identity.resolveHandle`` (a mention's DID), ``com.atproto.repo.describeRepo`` (an author's handle);
* ``com.atproto.repo.getRecord`` / ``createRecord`` (with our own ``rkey``) / ``uploadBlob`` (an image);
* ``com.atproto.sync.listRepos`` and ``com.atproto.repo.listRecords`` (reading without an AppView);
* ``com.atproto.admin.updateSubjectStatus`` / ``getSubjectStatus`` / ``getAccountInfo``, with the PDS's admin
  password (HTTP Basic, user ``admin``).

The PDS answers errors as ``{"error": "Name", "message": "..."}``; the error's name is kept on the connector
error (``code``) so that the connector can tell ``RecordNotFound`` from the rest.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from federe.connectors import http
from federe.connectors.errors import ConnectorError, Permanent, Unauthorized

TIMEOUT_SECONDS = 10
MAX_BYTES = 10_000_000
USER_AGENT = "Federe/0.1 (community management; Bluesky connector)"
NOT_JSON = _lazy("%(site)s answered with something that is not JSON (HTTP %(status)s): is it a Bluesky PDS?")
WORDS = http.StatusWords(
    refused=_lazy("The Bluesky server refused the handle or app password (HTTP %(status)s)%(detail)s."),
    not_found=_lazy("%(site)s has no Bluesky API at this address (HTTP %(status)s): check the server address."),
    slow_down=_lazy("The Bluesky server asked us to slow down (HTTP 429): its rate limit is reached."),
    server_error=_lazy("The Bluesky server had an internal error (HTTP %(status)s)%(detail)s; we will try again."),
    other=_lazy("The Bluesky server refused the request (HTTP %(status)s)%(detail)s."),
    redirect=_lazy("%(site)s redirects to %(where)s: use that address for the server."),
)
ADMIN_REFUSED = _lazy("The Bluesky server refused the admin password: check it, or leave it empty.")
POST = "app.bsky.feed.post"


class BlueskyClient:
    def __init__(self, service_url: str, *, admin_password: str = "", timeout: float = TIMEOUT_SECONDS) -> None:
        self.service_url = service_url.rstrip("/")
        self.timeout = timeout
        self._admin = http.basic_auth("admin", admin_password) if admin_password else {}
        self._access = ""
        self._refresh = ""
        self.did = ""
        self.handle = ""

    def __repr__(self) -> str:
        return f"<BlueskyClient {self.service_url}>"  # never a token or a password

    @property
    def has_admin(self) -> bool:
        return bool(self._admin)

    # -- session --------------------------------------------------------------------------------------------

    def login(self, identifier: str, password: str) -> None:
        session = self.call(
            "POST", "com.atproto.server.createSession", body={"identifier": identifier, "password": password}
        )
        self._keep(session)

    def _keep(self, session: Any) -> None:
        if not isinstance(session, dict) or not session.get("accessJwt") or not session.get("did"):
            raise Permanent(_("The Bluesky server answered the login without a session."))
        self._access, self._refresh = str(session["accessJwt"]), str(session.get("refreshJwt") or "")
        self.did, self.handle = str(session["did"]), str(session.get("handle") or "")

    def _refreshed(self) -> bool:
        if not self._refresh:
            return False
        session = self.call("POST", "com.atproto.server.refreshSession", token=self._refresh)
        self._keep(session)
        return True

    def authed(self, method: str, nsid: str, **options: Any) -> Any:
        """A call as the logged-in account; an expired access token is refreshed once."""
        try:
            return self.call(method, nsid, token=self._access, **options)
        except ConnectorError as exc:
            if exc.code == "ExpiredToken" and self._refreshed():
                return self.call(method, nsid, token=self._access, **options)
            raise

    def admin(self, method: str, nsid: str, **options: Any) -> Any:
        try:
            return self.call(method, nsid, headers=self._admin, **options)
        except Unauthorized as exc:
            raise Unauthorized(str(ADMIN_REFUSED), status=exc.status, code=exc.code) from exc

    # -- the calls ------------------------------------------------------------------------------------------

    def resolve_handle(self, handle: str) -> str | None:
        try:
            answer = self.call("GET", "com.atproto.identity.resolveHandle", params={"handle": handle})
        except Permanent as exc:
            if exc.status == 400:  # "Unable to resolve handle"
                return None
            raise
        did = answer.get("did") if isinstance(answer, dict) else None
        return str(did) if did else None

    def describe_repo(self, did: str) -> dict[str, Any]:
        answer = self.call("GET", "com.atproto.repo.describeRepo", params={"repo": did})
        return answer if isinstance(answer, dict) else {}

    def get_record(self, repo: str, rkey: str, collection: str = POST) -> dict[str, Any] | None:
        """The record (uri, cid, value), or None when there is none (never written, deleted or taken down)."""
        params = {"repo": repo, "collection": collection, "rkey": rkey}
        try:
            answer = self.call("GET", "com.atproto.repo.getRecord", params=params)
        except Permanent as exc:
            if exc.code == "RecordNotFound" or exc.status == 404:
                return None
            raise
        return answer if isinstance(answer, dict) else None

    def create_record(self, rkey: str, record: dict[str, Any], collection: str = POST) -> dict[str, Any]:
        body = {"repo": self.did, "collection": collection, "rkey": rkey, "record": record}
        answer = self.authed("POST", "com.atproto.repo.createRecord", body=body)
        if not isinstance(answer, dict) or not answer.get("uri") or not answer.get("cid"):
            raise Permanent(_("The Bluesky server accepted the post but did not say where it is."))
        return answer

    def upload_blob(self, data: bytes, mime_type: str) -> dict[str, Any]:
        answer = self.authed("POST", "com.atproto.repo.uploadBlob", content=data, content_type=mime_type)
        blob = answer.get("blob") if isinstance(answer, dict) else None
        if not isinstance(blob, dict):
            raise Permanent(_("The Bluesky server did not keep the image."))
        return blob

    def list_repos(self, cursor: str, limit: int) -> dict[str, Any]:
        answer = self.call("GET", "com.atproto.sync.listRepos", params={"cursor": cursor or None, "limit": limit})
        return answer if isinstance(answer, dict) else {}

    def list_records(self, repo: str, cursor: str, limit: int) -> dict[str, Any]:
        params = {"repo": repo, "collection": POST, "cursor": cursor or None, "limit": limit}
        answer = self.call("GET", "com.atproto.repo.listRecords", params=params)
        return answer if isinstance(answer, dict) else {}

    # -- plumbing -------------------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        nsid: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        content_type: str = "",
        token: str = "",
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = {"Accept": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if content_type:
            sent["Content-Type"] = content_type
        answer = http.request(
            method,
            f"{self.service_url}/xrpc/{nsid}",
            params=params,
            headers=sent,
            json_body=body,
            content=content,
            timeout=self.timeout,
            max_bytes=MAX_BYTES,
            follow_redirects=False,
            user_agent=USER_AGENT,
        )
        name, message = _xrpc_error(answer.body) if answer.status >= 300 else ("", "")
        problem = http.status_error(answer, WORDS, site=self.service_url, detail=message)
        if problem is not None:
            problem.code = name
            raise problem
        if not answer.body:
            return {}
        return http.json_of(answer, site=self.service_url, words=NOT_JSON)


def _xrpc_error(body: bytes) -> tuple[str, str]:
    """The PDS's error name and message, when the body is an XRPC error."""
    try:
        payload = json.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(payload, dict):
        return "", ""
    return str(payload.get("error") or "")[:100], str(payload.get("message") or "")[:200]
