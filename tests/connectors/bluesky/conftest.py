"""Bluesky answers RECORDED from a real PDS 0.5 (../shared/peers/pds) by ``record_fixtures.py``, replayed by a small
fake PDS (``FakePds``) that keeps what is written (records, takedowns) so that retries can be tested.

``recorded_pds_status.json`` keeps the HTTP status of each recorded answer. No token or password is in them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from federe.connectors.http import basic_auth
from tests.peers import peer_env

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SERVICE = "https://pds.example"
HOST = "pds.example"
PEER_KEYS = ("PDS_URL", "PDS_ADMIN_USER", "PDS_ADMIN_PASSWORD", "PDS_HANDLE_DOMAIN")
POST = "app.bsky.feed.post"
ADMIN_PASSWORD = "kit-admin-password"


def load(name: str) -> Any:
    return copy.deepcopy(json.loads((FIXTURES / f"recorded_pds_{name}.json").read_text(encoding="utf-8")))


def status_of(name: str) -> int:
    return int(json.loads((FIXTURES / "recorded_pds_status.json").read_text(encoding="utf-8"))[name])


def recorded(name: str) -> httpx.Response:
    return httpx.Response(status_of(name), json=load(name))


BRAND = load("create_session")  # did and handle of the recorded brand account (tokens scrubbed)


class FakePds:
    """A PDS in memory: the recorded repositories and records, and what the connector writes."""

    def __init__(self) -> None:
        self.repos = load("list_repos")["repos"]
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        for name in ("alice", "bob"):
            for record in load(f"list_records_{name}")["records"]:
                did, _collection, rkey = record["uri"].removeprefix("at://").split("/")
                self.records.setdefault(did, {})[rkey] = record
        launch = load("get_record")
        self.records.setdefault(BRAND["did"], {})[launch["uri"].split("/")[-1]] = launch
        self.handles = {
            load(f"describe_repo_{n}")["did"]: load(f"describe_repo_{n}")["handle"] for n in ("alice", "bob")
        }
        self.handles[BRAND["did"]] = BRAND["handle"]
        self.taken_down: set[str] = set()
        self.created: list[dict[str, Any]] = []
        self.blobs: list[bytes] = []
        self.fail_create_after_write = False  # the record is written, the answer is a 500 (a lost answer)
        self.expire_next = False
        self.refreshed = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        handler = getattr(self, nsid.replace(".", "_"), None)
        if handler is None:
            return httpx.Response(501, json={"error": "MethodNotImplemented", "message": nsid})
        return handler(request)

    # -- reading
    def com_atproto_identity_resolveHandle(self, request: httpx.Request) -> httpx.Response:
        handle = request.url.params["handle"]
        did = next((d for d, h in self.handles.items() if h == handle), None)
        return httpx.Response(200, json={"did": did}) if did else recorded("resolve_handle_unknown")

    def com_atproto_sync_listRepos(self, request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor") or 0)
        limit = int(request.url.params.get("limit") or 500)
        page = {"repos": self.repos[start : start + limit]}
        if start + limit < len(self.repos):
            page["cursor"] = str(start + limit)
        return httpx.Response(200, json=page)

    def com_atproto_repo_listRecords(self, request: httpx.Request) -> httpx.Response:
        records = self.records.get(request.url.params["repo"], {})
        ordered = [records[key] for key in sorted(records, reverse=True)]
        return httpx.Response(200, json={"records": ordered})

    def com_atproto_repo_describeRepo(self, request: httpx.Request) -> httpx.Response:
        did = request.url.params["repo"]
        return httpx.Response(200, json={"did": did, "handle": self.handles.get(did, ""), "collections": [POST]})

    def com_atproto_repo_getRecord(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        record = self.records.get(params["repo"], {}).get(params["rkey"])
        if record is None or record["uri"] in self.taken_down:
            return recorded("get_record_missing")
        return httpx.Response(200, json=record)

    # -- writing as the brand
    def com_atproto_server_createSession(self, request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("password") == "wrong":
            return recorded("create_session_refused")
        return httpx.Response(200, json={**BRAND, "accessJwt": "access-1", "refreshJwt": "refresh-1"})

    def com_atproto_server_refreshSession(self, request: httpx.Request) -> httpx.Response:
        self.refreshed += 1
        return httpx.Response(200, json={**BRAND, "accessJwt": "access-2", "refreshJwt": "refresh-2"})

    def com_atproto_repo_createRecord(self, request: httpx.Request) -> httpx.Response:
        if self.expire_next:  # the access token expired since the login (the PDS's own error)
            self.expire_next = False
            return httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"})
        body = json.loads(request.content)
        mine = self.records.setdefault(body["repo"], {})
        if body["rkey"] in mine:
            return recorded("create_record_again")  # the PDS's 500 on an existing key
        uri = f"at://{body['repo']}/{body['collection']}/{body['rkey']}"
        answer = {**load("create_record"), "uri": uri}
        mine[body["rkey"]] = {"uri": uri, "cid": answer["cid"], "value": body["record"]}
        self.created.append(body)
        if self.fail_create_after_write:
            return httpx.Response(500, json={"error": "InternalServerError", "message": "Internal Server Error"})
        return httpx.Response(200, json=answer)

    def com_atproto_repo_uploadBlob(self, request: httpx.Request) -> httpx.Response:
        self.blobs.append(request.content)
        return recorded("upload_blob")

    # -- admin
    def _admin(self, request: httpx.Request) -> bool:
        return request.headers.get("Authorization") == basic_auth("admin", ADMIN_PASSWORD)["Authorization"]

    def com_atproto_admin_getSubjectStatus(self, request: httpx.Request) -> httpx.Response:
        if not self._admin(request):
            return recorded("admin_refused")
        subject = request.url.params.get("uri") or request.url.params.get("did")
        if subject in self.taken_down:
            return recorded("subject_status_taken_down")
        return recorded("subject_status_never")

    def com_atproto_admin_updateSubjectStatus(self, request: httpx.Request) -> httpx.Response:
        if not self._admin(request):
            return recorded("admin_refused")
        subject = json.loads(request.content)["subject"]
        self.taken_down.add(subject.get("uri") or subject.get("did"))
        return recorded("update_subject_status")

    def com_atproto_admin_getAccountInfo(self, request: httpx.Request) -> httpx.Response:
        if not self._admin(request):
            return recorded("admin_refused")
        did = request.url.params["did"]
        return httpx.Response(200, json={"did": did, "handle": self.handles.get(did, "")})


@pytest.fixture(scope="session")
def pds_env() -> dict[str, str]:
    """The running PDS peer's address and admin password: from the environment, else its env file."""
    return peer_env(
        "pds",
        "Bluesky PDS",
        PEER_KEYS,
        ("PDS_URL", "/xrpc/_health"),
        "start one with ../shared/peers/pds/pds-ci.sh start",
    )
