"""Record the WordPress fixtures from a running peer server (../shared/peers/wp).

    set -a; . /tmp/federe-peers/wp/env; set +a
    .venv/bin/python tests/connectors/wordpress/record_fixtures.py

It creates one post with comments in every status (a visitor's, a threaded reply, one by the site's user),
then saves the REST answers Fédère reads into fixtures/. Secrets never reach the files: the script refuses to
write any file that contains the passwords, an Authorization header or a Basic credential.
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
ROOT_KEYS = ("name", "description", "url", "home", "gmt_offset", "timezone_string", "namespaces", "authentication")


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"{name} is not set: load the peer's env file first (see this script's docstring).")
    return value


def _clients() -> tuple[httpx.Client, httpx.Client, httpx.Client]:
    api = _env("WORDPRESS_URL").rstrip("/") + "/wp-json"
    auth = (_env("WORDPRESS_USER"), _env("WORDPRESS_APP_PASSWORD"))
    common: dict[str, Any] = {"base_url": api, "timeout": 30, "trust_env": False}
    return (
        httpx.Client(auth=auth, **common),
        httpx.Client(**common),
        httpx.Client(auth=(auth[0], "wrong pass word 0000 0000"), **common),
    )


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 300:
        sys.exit(f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:300]}")
    return response.json()


def _make_thread(admin: httpx.Client, visitor: httpx.Client, stamp: str) -> int:
    """A post with one comment per status, a threaded reply and a comment by the site's user."""
    title = f"Café & “bonnes” adresses {stamp}"
    post = _ok(
        admin.post("/wp/v2/posts", json={"title": title, "content": "<p>Nos adresses.</p>", "status": "publish"})
    )
    visitors = [
        ("Alice Martin", "Alice.Martin@example.com", f"<p>Super article, merci ! {stamp}</p>", "approved"),
        ("Bob", "bob@example.com", f"J'attends la suite… {stamp}", "hold"),
        ("Cheap Pills", "pills@example.net", f"BUY NOW http://spam.example.net {stamp}", "spam"),
        ("Troll", "troll@example.org", f"Nul. {stamp}", "trash"),
    ]
    ids = []
    for name, email, content, status in visitors:
        body = {"post": post["id"], "author_name": name, "author_email": email, "content": content}
        if name == "Alice Martin":
            body["author_url"] = "https://alice.example.com"
        created = _ok(visitor.post("/wp/v2/comments", json=body))
        _ok(admin.post(f"/wp/v2/comments/{created['id']}", json={"status": status}))
        ids.append(created["id"])
    reply = {"post": post["id"], "parent": ids[0], "author_name": "Bob", "author_email": "bob@example.com"}
    _ok(visitor.post("/wp/v2/comments", json={**reply, "content": f"D'accord avec Alice. {stamp}"}))
    own = {"post": post["id"], "parent": ids[0], "content": f"<p>Merci Alice ! {stamp}</p>", "status": "approved"}
    _write("created_comment.json", _ok(admin.post("/wp/v2/comments", json=own)))
    duplicate = admin.post("/wp/v2/comments", json=own)
    assert duplicate.status_code == 409, duplicate.text
    _write("error_409_duplicate.json", duplicate.json())
    return post["id"]


def _record(admin: httpx.Client, wrong: httpx.Client, post_id: int) -> None:
    params = {"post": post_id, "status": "any", "context": "edit", "orderby": "id", "order": "asc", "_embed": "up"}
    page = admin.get("/wp/v2/comments", params=params)
    _write("comments_page.json", _ok(page))
    _write("comments_page_headers.json", {k: page.headers[k] for k in ("X-WP-Total", "X-WP-TotalPages")})
    _write("post.json", _ok(admin.get(f"/wp/v2/posts/{post_id}")))
    _write("users_me.json", _ok(admin.get("/wp/v2/users/me", params={"context": "edit"})))
    root = _ok(admin.get("/"))
    _write("root.json", {key: root[key] for key in ROOT_KEYS if key in root})  # its 200 kB of routes are not used
    _write("error_401.json", wrong.get("/wp/v2/users/me", params={"context": "edit"}).json())
    _write("error_404.json", admin.get("/wp/v2/no-such-route").json())
    _write("error_404_comment.json", admin.get("/wp/v2/comments/999999999").json())


def _write(name: str, payload: Any) -> None:
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    secrets = [os.environ.get(k, "") for k in ("WORDPRESS_APP_PASSWORD", "WORDPRESS_PASSWORD")]
    secrets += [s.replace(" ", "") for s in secrets]
    leaked = [s for s in secrets if len(s) >= 6 and s.lower() in text.lower()]
    leaked += [header for header in ("Authorization:", "Basic ") if header in text]
    if leaked:
        sys.exit(f"refusing to write {name}: it contains a secret or an Authorization header")
    (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote fixtures/{name} ({len(text)} bytes)")


def main() -> None:
    HERE.mkdir(exist_ok=True)
    admin, visitor, wrong = _clients()
    post_id = _make_thread(admin, visitor, stamp=str(int(time.time())))
    _record(admin, wrong, post_id)


if __name__ == "__main__":
    main()
