"""The real servers of ../shared/peers that publishing is tested on (bench/publish_crash.py --peers and
tests/publishing/test_crash_peers.py): for each one that runs, a channel of its own (a new Matrix user and room, a
new Bluesky account, a new mailing list, the forum's and the blog's admin), and a reader that asks the SERVER what
it shows, never Fédère's ledger.

Every delivery's text carries a token of its own (``<run>-<n>``); a reader returns the (token, external id) of each
object it finds with this run's tag, so that duplicates (a token twice) and missing ones are counted on the server.
Not a benchmark itself.
"""

from __future__ import annotations

import mailbox
import re
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
PEERS = REPO.parent / "shared" / "peers"
TOKEN = re.compile(r"\b(crash[0-9a-f]{6}-\d{4})\b")

Found = list[tuple[str, str]]  # (token, external id) of each object on the server


@dataclass
class Network:
    key: str  # the connector's
    name: str  # as printed
    config: dict[str, Any]
    credentials: dict[str, Any]
    read_back: Callable[[], Found]
    note: str = ""


def env_of(peer: str, state: str) -> dict[str, str]:
    path = Path(state) / peer / "env"
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


def answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=3, trust_env=False)
    except httpx.HTTPError:
        return False
    return True


def tokens_in(text: str) -> list[str]:
    return TOKEN.findall(text or "")


# --------------------------------------------------------------------------------------------- WordPress


def wordpress(env: dict[str, str], tag: str) -> Network:
    base, auth = env["WORDPRESS_URL"], (env["WORDPRESS_USER"], env["WORDPRESS_APP_PASSWORD"])

    def read_back() -> Found:
        found: Found = []
        with httpx.Client(base_url=f"{base}/wp-json", auth=auth, timeout=60, trust_env=False) as client:
            for page in range(1, 100):
                params = {"search": tag, "status": "publish,future,draft,pending,private,trash", "context": "edit",
                          "per_page": 100, "page": page}  # fmt: skip
                answer = client.get("/wp/v2/posts", params=params)
                if answer.status_code == 400:  # past the last page
                    break
                answer.raise_for_status()
                for post in answer.json():
                    found += [(token, str(post["id"])) for token in tokens_in(post["title"]["raw"])]
                if page >= int(answer.headers.get("X-WP-TotalPages", "1")):
                    break
        return found

    config = {"site_url": base}
    credentials = {"username": env["WORDPRESS_USER"], "app_password": env["WORDPRESS_APP_PASSWORD"]}
    return Network("wordpress", "WordPress", config, credentials, read_back, "the blog's admin")


# --------------------------------------------------------------------------------------------- Bluesky PDS


def bluesky(env: dict[str, str], tag: str) -> Network:
    base = env["PDS_URL"].rstrip("/")
    name = f"bench{tag[-6:]}{uuid.uuid4().hex[:4]}"
    password = f"{name}-pass-1"
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
        body = {"handle": f"{name}{env['PDS_HANDLE_DOMAIN']}", "email": f"{name}@example.com", "password": password}
        created = client.post("/xrpc/com.atproto.server.createAccount", json=body)
        created.raise_for_status()
        account = created.json()
        headers = {"Authorization": f"Bearer {account['accessJwt']}"}
        app = client.post("/xrpc/com.atproto.server.createAppPassword", headers=headers, json={"name": "federe"})
        app.raise_for_status()

    def read_back() -> Found:
        found: Found = []
        cursor = None
        with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
            while True:
                params = {"repo": account["did"], "collection": "app.bsky.feed.post", "limit": 100}
                params.update({"cursor": cursor} if cursor else {})
                answer = client.get("/xrpc/com.atproto.repo.listRecords", params=params)
                answer.raise_for_status()
                page = answer.json()
                for record in page["records"]:
                    found += [(token, record["uri"]) for token in tokens_in(record["value"].get("text", ""))]
                cursor = page.get("cursor")
                if not cursor or not page["records"]:
                    break
        return found

    config = {"service_url": base, "handle": account["handle"]}
    return Network("bluesky", "Bluesky PDS", config, {"app_password": app.json()["password"]}, read_back,
                   f"account {account['handle']}")  # fmt: skip


# --------------------------------------------------------------------------------------------- Matrix Synapse

CLIENT = "/_matrix/client/v3"


def matrix(env: dict[str, str], tag: str) -> Network:
    base = env["MATRIX_URL"]
    name = f"bench-{tag}"
    register = [str(PEERS / "synapse" / "synapse-ci.sh"), "register", name, f"{name}-pass"]
    token = subprocess.run(register, capture_output=True, text=True, check=True, timeout=120).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base + CLIENT, headers=headers, timeout=60, trust_env=False) as client:
        created = client.post("/createRoom", json={"name": f"Crash {tag}", "preset": "private_chat"})
        created.raise_for_status()
        room = created.json()["room_id"]

    def read_back() -> Found:
        found: Found = []
        start = None
        with httpx.Client(base_url=base + CLIENT, headers=headers, timeout=60, trust_env=False) as client:
            while True:
                params = {"dir": "b", "limit": 500, **({"from": start} if start else {})}
                answer = client.get(f"/rooms/{room}/messages", params=params)
                answer.raise_for_status()
                page = answer.json()
                for event in page.get("chunk", []):
                    if event.get("type") == "m.room.message":
                        body = event.get("content", {}).get("body", "")
                        found += [(token, f"{room}|{event['event_id']}") for token in tokens_in(body)]
                start = page.get("end")
                if not start or not page.get("chunk"):
                    break
        return found

    config = {"homeserver": base, "targets": [room], "long_poll_seconds": 0}
    return Network("matrix", "Matrix Synapse", config, {"access_token": token}, read_back, f"user @{name}, a room")


# --------------------------------------------------------------------------------------------- Misago


def misago(env: dict[str, str], tag: str) -> Network:
    base = env["MISAGO_URL"]
    credentials = {"username": env["MISAGO_ADMIN_USER"], "password": env["MISAGO_ADMIN_PASSWORD"]}

    def session() -> httpx.Client:
        client = httpx.Client(base_url=base, timeout=60, trust_env=False, headers={"Referer": f"{base}/"})
        client.get("/")
        client.headers["X-CSRFToken"] = client.cookies.get("csrftoken") or ""
        client.post("/api/auth/", json=credentials).raise_for_status()
        client.headers["X-CSRFToken"] = client.cookies.get("csrftoken") or ""
        return client

    client = session()
    try:
        category = client.get("/api/threads/editor/").json()[0]["id"]
    finally:
        client.close()

    def read_back() -> Found:
        found: Found = []
        start = None
        client = session()
        try:
            for _page in range(1000):
                params = {"category": category, **({"start": start} if start else {})}
                answer = client.get("/api/threads/", params=params)
                answer.raise_for_status()
                page = answer.json()
                for thread in page["results"]:
                    found += [(token, str(thread["id"])) for token in tokens_in(thread["title"])]
                start = page.get("next")
                if not start:
                    break
        finally:
            client.close()
        return found

    config = {"forum_url": base, "targets": [str(category)]}
    return Network("misago", "Misago", config, credentials, read_back, f"the admin, category {category}")


# --------------------------------------------------------------------------------------------- Mailman


def mailman(env: dict[str, str], tag: str) -> Network:
    base, auth = env["MAILMAN_REST_URL"], (env["MAILMAN_REST_USER"], env["MAILMAN_REST_PASSWORD"])
    name = f"bench-{tag}"
    list_id, address = f"{name}.lists.example.com", f"{name}@lists.example.com"
    team = f"equipe-{tag}@example.org"
    with httpx.Client(base_url=base, auth=auth, timeout=60, trust_env=False) as rest:
        rest.post("/domains", json={"mail_host": "lists.example.com"})
        rest.post("/lists", json={"fqdn_listname": address}).raise_for_status()
        settings = {"default_member_action": "hold", "default_nonmember_action": "hold", "send_welcome_message": False}
        rest.patch(f"/lists/{list_id}/config", json=settings).raise_for_status()
        member = {"list_id": list_id, "subscriber": team, "pre_verified": True, "pre_confirmed": True,
                  "pre_approved": True}  # fmt: skip
        created = rest.post("/members", json=member)
        created.raise_for_status()
        member_id = created.headers["location"].rstrip("/").rsplit("/", 1)[1]
        rest.patch(f"/members/{member_id}", json={"moderation_action": "accept"}).raise_for_status()
    sink = env["MAILMAN_SMTP_SINK_MAILDIR"]

    def read_back() -> Found:
        """The copies the list delivered to its one member (the sink stands for the members' mailboxes), and the
        posts it holds."""
        found: Found = []
        for message in mailbox.Maildir(sink, create=False):
            if f"<{list_id}>" in str(message.get("List-Id") or "") and message.get("X-RcptTo") == team:
                subject = str(make_header(decode_header(str(message.get("Subject") or ""))))
                message_id = str(message.get("Message-ID") or "").strip().strip("<>")
                found += [(token, f"{list_id}/{message_id}") for token in tokens_in(subject)]
        with httpx.Client(base_url=base, auth=auth, timeout=60, trust_env=False) as rest:
            held = rest.get(f"/lists/{list_id}/held", params={"count": 1000, "page": 1}).json().get("entries", [])
        for entry in held:
            message_id = str(entry.get("message_id") or "").strip().strip("<>")
            found += [(token, f"{list_id}/{message_id}") for token in tokens_in(str(entry.get("subject") or ""))]
        return found

    config = {
        "rest_url": base,
        "rest_user": env["MAILMAN_REST_USER"],
        "targets": [list_id],
        "maildir": sink,
        "from_address": team,
        "mail_host": env["MAILMAN_LMTP_HOST"],
        "mail_port": env["MAILMAN_LMTP_PORT"],
        "mail_protocol": "lmtp",
    }
    credentials = {"rest_password": env["MAILMAN_REST_PASSWORD"]}
    return Network("mailman", "Mailman", config, credentials, read_back, f"list {address}, one member")


# (peer folder, env key of its address, path that answers, setup)
SERVERS: list[tuple[str, str, str, Callable[[dict[str, str], str], Network]]] = [
    ("wp", "WORDPRESS_URL", "/wp-json/", wordpress),
    ("pds", "PDS_URL", "/xrpc/_health", bluesky),
    ("synapse", "MATRIX_URL", "/_matrix/client/versions", matrix),
    ("misago", "MISAGO_URL", "/api/threads/", misago),
    ("mailman", "MAILMAN_REST_URL", "", mailman),
]


def running_networks(state: str, tag: str, only: list[str] | None = None) -> tuple[list[Network], list[str]]:
    """A channel on each real server that answers; and, in words, the ones left out and why."""
    networks: list[Network] = []
    left_out: list[str] = []
    for peer, url_key, path, setup in SERVERS:
        if only and peer not in only:
            continue
        env = env_of(peer, state)
        if not env.get(url_key):
            left_out.append(f"{peer}: no env file (not started)")
            continue
        probe = env[url_key].rstrip("/") + path
        if peer == "mailman":
            probe = f"{env[url_key]}/system/versions"
        if not answers(probe):
            left_out.append(f"{peer}: {env[url_key]} does not answer")
            continue
        networks.append(setup(env, tag))
    return networks, left_out


def loopback_env(networks: list[Network]) -> dict[str, str]:
    """What Fédère's workers need to reach the peers on 127.0.0.1 and read the list's sink."""
    values = {"FEDERE_NET_ALLOW_HOSTS": "127.0.0.0/8,::1/128"}
    sinks = [str(Path(n.config["maildir"]).parent) for n in networks if n.key == "mailman"]
    if sinks:
        values["FEDERE_MAILDIR_ROOTS"] = ",".join(sinks)
    return values
