"""Record the Misago fixtures from the running peer (../shared/peers/misago).

    .venv/bin/python -m tests.connectors.misago.record_fixtures     # reads $PEERS_STATE/misago/env

The member writes threads and replies through Misago's API (one thread in a category that holds posts for
approval), the moderator hides a reply and closes a thread (an event post), then the API answers Fédère reads are
saved in fixtures/. Only this run's threads are kept in the lists. Secrets never reach the files: the script
refuses to write one that holds a password, a session or CSRF cookie, or an e-mail address.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.connectors.misago.peer import ENV_KEYS, held_category, session
from tests.peers import env_file, read_env_file

HERE = Path(__file__).resolve().parent / "fixtures"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def ok(answer: httpx.Response) -> Any:
    if answer.status_code >= 300:
        sys.exit(f"{answer.request.method} {answer.request.url} -> {answer.status_code}: {answer.text[:300]}")
    return answer.json()


def save(name: str, payload: Any, secrets: list[str]) -> None:
    text = json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    for secret in secrets:
        if secret and secret in text:
            sys.exit(f"{name} would hold a secret: not written")
    if EMAIL.search(text):
        sys.exit(f"{name} would hold an e-mail address: not written")
    (HERE / name).write_text(text, encoding="utf-8")
    print("wrote", name)


def only(threads: dict[str, Any], ids: set[int]) -> dict[str, Any]:
    return {**threads, "results": [t for t in threads["results"] if t["id"] in ids], "next": None}


def main() -> None:
    env = read_env_file(env_file("misago"))
    url = env["MISAGO_URL"]
    held = held_category()  # first: it may restart the peer
    admin = session(url, env["MISAGO_ADMIN_USER"], env["MISAGO_ADMIN_PASSWORD"])
    member = session(url, env["MISAGO_MEMBER_USER"], env["MISAGO_MEMBER_PASSWORD"])
    secrets = [env[k] for k in ENV_KEYS if "PASSWORD" in k]
    secrets += [c.value for c in [*admin.cookies.jar, *member.cookies.jar] if c.value]
    stamp = uuid.uuid4().hex[:6]
    general = ok(admin.get("/api/threads/editor/"))[0]["id"]

    open_thread = ok(
        member.post(
            "/api/threads/",
            json={
                "category": general,
                "title": f"Horaires {stamp}",
                "post": "Bonjour, êtes-vous ouverts le **dimanche** ?",
            },
        )
    )
    kept = ok(member.post(f"/api/threads/{open_thread['id']}/posts/", json={"post": "Et les jours fériés ?"}))
    hidden = ok(member.post(f"/api/threads/{open_thread['id']}/posts/", json={"post": "Achetez ici : spam"}))
    patch = [{"op": "replace", "path": "is-hidden", "value": True}]
    ok(admin.patch(f"/api/threads/{open_thread['id']}/posts/{hidden['id']}/", json=patch))
    ok(admin.patch(f"/api/threads/{open_thread['id']}/", json=[{"op": "replace", "path": "is-closed", "value": True}]))
    waiting = ok(
        member.post(
            "/api/threads/",
            json={"category": held, "title": f"En attente {stamp}", "post": "Un sujet qui attend un modérateur."},
        )
    )
    staff = ok(
        admin.post(
            "/api/threads/",
            json={"category": held, "title": f"Annonce {stamp}", "post": "Les nouvelles règles du forum."},
        )
    )
    held_reply = ok(member.post(f"/api/threads/{staff['id']}/posts/", json={"post": "Une réponse à approuver."}))
    print("threads", open_thread["id"], waiting["id"], staff["id"], "posts", kept["id"], hidden["id"], held_reply["id"])
    ours = {open_thread["id"], waiting["id"], staff["id"]}

    me = ok(admin.get("/api/auth/"))
    save("auth_user.json", {**me, "email": "(scrubbed)"}, secrets)
    save("threads_editor.json", ok(admin.get("/api/threads/editor/")), secrets)
    save("threads_all.json", only(ok(admin.get("/api/threads/")), ours), secrets)
    save("threads_unapproved.json", only(ok(admin.get("/api/threads/", params={"list": "unapproved"})), ours), secrets)
    save("posts_open_thread.json", ok(admin.get(f"/api/threads/{open_thread['id']}/posts/")), secrets)
    save("posts_waiting_thread.json", ok(admin.get(f"/api/threads/{waiting['id']}/posts/")), secrets)
    save("posts_staff_thread.json", ok(admin.get(f"/api/threads/{staff['id']}/posts/")), secrets)
    created = ok(admin.post(f"/api/threads/{staff['id']}/posts/", json={"post": "Merci !"}))
    save("reply_created.json", created, secrets)
    started = {"category": general, "title": f"Nouvelles {stamp}", "post": "Le local rouvre lundi."}
    save("thread_created.json", ok(admin.post("/api/threads/", json=started)), secrets)
    with httpx.Client(base_url=url, trust_env=False, headers={"Referer": f"{url}/"}) as anonymous:
        anonymous.get("/")
        refused = anonymous.post(
            "/api/auth/",
            json={"username": "admin", "password": "wrong"},
            headers={"X-CSRFToken": anonymous.cookies.get("csrftoken") or ""},
        )
    save("login_refused.json", {"status": refused.status_code, "body": refused.json()}, secrets)
    no_csrf = httpx.post(f"{url}/api/threads/{staff['id']}/posts/", json={"post": "x"}, cookies=admin.cookies)
    save("csrf_failed.json", {"status": no_csrf.status_code, "body": no_csrf.json()}, secrets)
    not_mod = member.get("/api/threads/", params={"list": "unapproved"})
    save("not_moderator.json", {"status": not_mod.status_code, "body": not_mod.json()}, secrets)


if __name__ == "__main__":
    main()
