"""Record the Bluesky fixtures from a running PDS peer (../shared/peers/pds).

    set -a; . /tmp/federe-peers/pds/env; set +a
    .venv/bin/python tests/connectors/bluesky/record_fixtures.py

It creates three accounts (the brand, Alice and Bob, with a fresh suffix), has the brand post twice, Alice answer
the brand's first post, Bob mention the brand and post about something else, Alice answer Bob's unrelated post;
then saves the XRPC answers Fédère reads into fixtures/recorded_pds_*.json, and in recorded_pds_status.json the
HTTP status of each. Tokens are replaced by "scrubbed", and the script refuses to write a file that still holds a
password or a JWT.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent / "fixtures"
POST = "app.bsky.feed.post"
STATUS: dict[str, int] = {}
SECRETS: list[str] = []


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def xrpc(client: httpx.Client, method: str, nsid: str, **options: Any) -> tuple[int, Any]:
    answer = client.request(method, f"/xrpc/{nsid}", **options)
    return answer.status_code, answer.json() if answer.content else {}


def save(name: str, status: int, payload: Any) -> Any:
    if isinstance(payload, dict):
        payload = {k: ("scrubbed" if k in ("accessJwt", "refreshJwt") else v) for k, v in payload.items()}
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if any(secret in text for secret in SECRETS) or "eyJ" in text:
        sys.exit(f"{name}: a secret would be written; nothing saved")
    (HERE / f"recorded_pds_{name}.json").write_text(text, encoding="utf-8")
    STATUS[name] = status
    return payload


def main() -> None:
    url, domain = os.environ["PDS_URL"].rstrip("/"), os.environ["PDS_HANDLE_DOMAIN"]
    admin = (os.environ["PDS_ADMIN_USER"], os.environ["PDS_ADMIN_PASSWORD"])
    SECRETS.extend([admin[1]])
    suffix = str(int(time.time() * 1000))[-6:]
    pds = httpx.Client(base_url=url, timeout=30, trust_env=False)
    accounts: dict[str, dict[str, Any]] = {}
    for name in ("brand", "alice", "bob"):
        password = f"{name}-pass-{suffix}"
        SECRETS.append(password)
        body = {"handle": f"{name}{suffix}{domain}", "email": f"{name}{suffix}@example.com", "password": password}
        status, account = xrpc(pds, "POST", "com.atproto.server.createAccount", json=body)
        assert status == 200, account
        accounts[name] = account
    brand, alice, bob = accounts["brand"], accounts["alice"], accounts["bob"]
    status, session = xrpc(
        pds,
        "POST",
        "com.atproto.server.createSession",
        json={"identifier": brand["handle"], "password": f"brand-pass-{suffix}"},
    )
    save("create_session", status, session)
    status, refused = xrpc(
        pds, "POST", "com.atproto.server.createSession", json={"identifier": brand["handle"], "password": "wrong"}
    )
    save("create_session_refused", status, refused)

    def write(who: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
        record = {"$type": POST, "text": text, "createdAt": now(), **extra}
        headers = {"Authorization": f"Bearer {who['accessJwt']}"}
        status, created = xrpc(
            pds,
            "POST",
            "com.atproto.repo.createRecord",
            headers=headers,
            json={"repo": who["did"], "collection": POST, "record": record},
        )
        assert status == 200, created
        return created

    launch = write(brand, "La terrasse rouvre samedi ! #terrasse")
    write(brand, "Merci pour vos messages.")
    write(alice, "Enfin ! On viendra à quatre.", reply={"root": launch, "parent": launch}, langs=["fr"])
    mention = f"@{brand['handle']} vous faites des brunchs ?"
    facet = {
        "index": {"byteStart": 0, "byteEnd": len(brand["handle"]) + 1},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand["did"]}],
    }
    write(bob, mention, facets=[facet], langs=["fr"])
    other = write(bob, "Il pleut sur Lyon.")
    write(alice, "Ici aussi.", reply={"root": other, "parent": other})

    status, repos = xrpc(pds, "GET", "com.atproto.sync.listRepos", params={"limit": 1000})
    ours = {a["did"] for a in accounts.values()}
    save("list_repos", status, {"repos": [r for r in repos["repos"] if r["did"] in ours]})
    for name in ("alice", "bob"):
        params = {"repo": accounts[name]["did"], "collection": POST, "limit": 100}
        status, records = xrpc(pds, "GET", "com.atproto.repo.listRecords", params=params)
        save(f"list_records_{name}", status, records)
    for name in ("alice", "bob"):
        status, described = xrpc(pds, "GET", "com.atproto.repo.describeRepo", params={"repo": accounts[name]["did"]})
        save(f"describe_repo_{name}", status, {k: described[k] for k in ("handle", "did", "collections")})
    status, resolved = xrpc(pds, "GET", "com.atproto.identity.resolveHandle", params={"handle": bob["handle"]})
    save("resolve_handle", status, resolved)
    status, unknown = xrpc(pds, "GET", "com.atproto.identity.resolveHandle", params={"handle": f"nobody{domain}"})
    save("resolve_handle_unknown", status, unknown)
    rkey = launch["uri"].split("/")[-1]
    status, record = xrpc(
        pds, "GET", "com.atproto.repo.getRecord", params={"repo": brand["did"], "collection": POST, "rkey": rkey}
    )
    save("get_record", status, record)
    params = {"repo": brand["did"], "collection": POST, "rkey": "2222222222222"}
    status, missing = xrpc(pds, "GET", "com.atproto.repo.getRecord", params=params)
    save("get_record_missing", status, missing)

    headers = {"Authorization": f"Bearer {brand['accessJwt']}"}
    body = {
        "repo": brand["did"],
        "collection": POST,
        "rkey": "3kfederekey22",
        "record": {"$type": POST, "text": "Avec notre clé", "createdAt": now()},
    }
    status, created = xrpc(pds, "POST", "com.atproto.repo.createRecord", headers=headers, json=body)
    save("create_record", status, created)
    status, again = xrpc(pds, "POST", "com.atproto.repo.createRecord", headers=headers, json=body)
    save("create_record_again", status, again)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    status, blob = xrpc(
        pds, "POST", "com.atproto.repo.uploadBlob", headers={**headers, "Content-Type": "image/png"}, content=png
    )
    save("upload_blob", status, blob)

    status, never = xrpc(pds, "GET", "com.atproto.admin.getSubjectStatus", params={"uri": created["uri"]}, auth=admin)
    save("subject_status_never", status, never)
    subject = {"$type": "com.atproto.repo.strongRef", "uri": created["uri"], "cid": created["cid"]}
    body = {"subject": subject, "takedown": {"applied": True, "ref": "federe"}}
    status, done = xrpc(pds, "POST", "com.atproto.admin.updateSubjectStatus", json=body, auth=admin)
    save("update_subject_status", status, done)
    status, taken = xrpc(pds, "GET", "com.atproto.admin.getSubjectStatus", params={"uri": created["uri"]}, auth=admin)
    save("subject_status_taken_down", status, taken)
    status, refused = xrpc(
        pds, "GET", "com.atproto.admin.getSubjectStatus", params={"did": bob["did"]}, auth=("admin", "wrong")
    )
    save("admin_refused", status, refused)
    (HERE / "recorded_pds_status.json").write_text(
        json.dumps(STATUS, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"recorded {len(STATUS)} answers")


if __name__ == "__main__":
    main()
