"""Record the ``recorded_takahe_*`` fixtures from a running Takahē peer (../shared/peers/takahe, Mastodon client API).

    TAKAHE_SRC=/path/to/takahe ../shared/peers/takahe/takahe-ci.sh start
    set -a; . /tmp/federe-peers/takahe/env; set +a     # or let this script read that file
    .venv/bin/python tests/connectors/mastodon/record_fixtures.py

Alice (admin) and Bob (member) post public statuses with #cafelumiere, in French and in English, one behind a
content warning, one edited, one unlisted; Bob replies to Alice and boosts her status; both favourite. Takahē
does this work asynchronously (Stator), so the script polls until the tag timeline shows the statuses and their
counts, then saves the answers the Mastodon connector reads (instance, app check, tag timeline with and without
``limit``/``min_id``, search, the plain-text answer to a wrong token), plus the reply and the boost as single
statuses (Takahē's tag timeline has neither), into ``fixtures/``; and the request, status and headers that matter
(Link, X-RateLimit-*) into ``recorded_takahe_headers.json``. Run it on a fresh server (``takahe-ci.sh reset``).

Secrets never reach the files: tokens travel only in the Authorization header, and the script refuses to write a
file that contains one of the tokens or the passwords.
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
TAG = "cafelumiere"
KEPT_HEADERS = ("link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "content-type")
ENV_KEYS = ("MASTODON_URL", "MASTODON_ADMIN_TOKEN", "MASTODON_USER_TOKEN")


def _env_file() -> Path:
    state = os.environ.get("PEERS_STATE") or os.path.join(os.environ.get("TMPDIR") or "/tmp", "federe-peers")  # noqa: S108
    return Path(state) / "takahe" / "env"


def load_env() -> dict[str, str]:
    values: dict[str, str] = {}
    if _env_file().is_file():
        for line in _env_file().read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.strip().startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    values.update({k: v for k, v in os.environ.items() if k.startswith("MASTODON_") and v})
    missing = [k for k in ENV_KEYS if not values.get(k)]
    if missing:
        sys.exit(f"{', '.join(missing)} not set and not in {_env_file()}: start the Takahē peer first.")
    return values


class Recorder:
    def __init__(self, env: dict[str, str]) -> None:
        self.url = env["MASTODON_URL"].rstrip("/")
        self.secrets = [v for k, v in env.items() if k.endswith(("_TOKEN", "_PASSWORD")) and v]
        common: dict[str, Any] = {"base_url": self.url, "timeout": 30, "trust_env": False}
        self.alice = httpx.Client(headers={"Authorization": f"Bearer {env['MASTODON_ADMIN_TOKEN']}"}, **common)
        self.bob = httpx.Client(headers={"Authorization": f"Bearer {env['MASTODON_USER_TOKEN']}"}, **common)
        self.anonymous = httpx.Client(**common)
        self.headers: dict[str, Any] = {}

    def ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 300:
            sys.exit(
                f"{response.request.method} {response.request.url.path} -> {response.status_code}:"
                f" {response.text[:300]}"
            )
        return response.json()

    def post(self, who: httpx.Client, **status: Any) -> dict[str, Any]:
        return self.ok(who.post("/api/v1/statuses", json=status))

    def save(self, name: str, response: httpx.Response) -> Any:
        """A JSON answer as name.json; any other answer (Takahē's plain-text errors) as name.txt, byte for byte."""
        is_json = response.headers.get("content-type", "").startswith("application/json")
        text = json.dumps(response.json(), ensure_ascii=False, indent=2) + "\n" if is_json else response.text
        for secret in self.secrets:
            if secret in text or secret in str(response.headers):
                sys.exit(f"refusing to write {name}: it contains a secret")
        (HERE / name).write_text(text, encoding="utf-8")
        kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
        query = dict(response.request.url.params)
        self.headers[name] = {
            "path": response.request.url.path,
            "params": query,
            "status": response.status_code,
            "headers": kept,
        }
        print(f"{name}: HTTP {response.status_code} {response.request.url.path} {query}")
        return response.json() if is_json else response.text

    def wait_for(self, what: str, test: Any, timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            timeline = self.ok(self.bob.get(f"/api/v1/timelines/tag/{TAG}", params={"limit": 40}))
            if test(timeline):
                return timeline
            if time.monotonic() > deadline:
                sys.exit(f"Takahē did not show {what} within {timeout} s (Stator running?)")
            time.sleep(1)


def main() -> None:
    env = load_env()
    rec = Recorder(env)
    stamp = time.strftime("%H%M%S")
    # -- statuses, in French and English, on #cafelumiere ------------------------------------------------------------
    launch = rec.post(
        rec.alice,
        status="Café Lumière ouvre sa nouvelle brûlerie à Lyon samedi ! Venez goûter l'espresso maison ☕"
        f" #CafeLumiere #lyon ({stamp})",
        language="fr",
    )
    review_text = "Tried the Cafe Lumiere espresso today: better than the chains, and lovely staff."
    review_text += f" #cafelumiere #coffee ({stamp})"
    review = rec.post(rec.bob, status=review_text, language="en")
    warned = rec.post(
        rec.alice,
        status=f"Quarante minutes d'attente et un cappuccino froid chez Café Lumière ce matin… #cafelumiere ({stamp})",
        spoiler_text="Avis négatif, service",
        sensitive=True,
        language="fr",
    )
    reply = rec.post(
        rec.bob,
        status=f"@alice J'y serai samedi avec des amis ! #cafelumiere ({stamp})",
        in_reply_to_id=launch["id"],
        language="fr",
    )
    rec.post(rec.bob, status=f"Unlisted note about #cafelumiere ({stamp})", visibility="unlisted", language="en")
    rec.ok(rec.bob.put(f"/api/v1/statuses/{review['id']}", json={"status": review_text + " Edit: the oat latte too."}))
    if review["account"]["acct"] == launch["account"]["acct"]:
        sys.exit("Alice and Bob are the same account: check the tokens")
    # -- interactions --------------------------------------------------------------------------------------------------
    boost = rec.bob.post(f"/api/v1/statuses/{launch['id']}/reblog")
    rec.ok(rec.alice.post(f"/api/v1/statuses/{review['id']}/favourite"))
    rec.ok(rec.bob.post(f"/api/v1/statuses/{launch['id']}/favourite"))
    ids = {launch["id"], review["id"], warned["id"]}  # Takahē's tag timeline leaves replies out

    def settled(timeline: list[dict[str, Any]]) -> bool:
        seen = {s["id"]: s for s in timeline}
        if not ids <= set(seen):
            return False
        first = seen[launch["id"]]
        return first["reblogs_count"] >= 1 and first["favourites_count"] >= 1 and first["replies_count"] >= 1

    rec.wait_for("the statuses and their counts", settled)
    # -- the answers the connector reads ------------------------------------------------------------------------------
    rec.save("recorded_takahe_reblog.json", boost)
    rec.save("recorded_takahe_reply.json", rec.bob.get(f"/api/v1/statuses/{reply['id']}"))
    rec.save("recorded_takahe_instance.json", rec.anonymous.get("/api/v1/instance"))
    rec.save("recorded_takahe_app_verify.json", rec.bob.get("/api/v1/apps/verify_credentials"))
    rec.save("recorded_takahe_tag_anonymous.json", rec.anonymous.get(f"/api/v1/timelines/tag/{TAG}"))
    wrong = {"Authorization": "Bearer not-a-valid-token"}  # a made-up token, never a real one
    rec.save("recorded_takahe_invalid_token.txt", rec.anonymous.get("/api/v1/instance", headers=wrong))
    full = rec.save("recorded_takahe_tag.json", rec.bob.get(f"/api/v1/timelines/tag/{TAG}"))
    rec.save("recorded_takahe_tag_limit2.json", rec.bob.get(f"/api/v1/timelines/tag/{TAG}", params={"limit": 2}))
    # the page right after the oldest of today's statuses, two at a time
    floor = min(ids, key=int)
    rec.save(
        "recorded_takahe_tag_min_id.json",
        rec.bob.get(f"/api/v1/timelines/tag/{TAG}", params={"limit": 2, "min_id": floor}),
    )
    newest = full[0]["id"]
    late = rec.post(rec.alice, status=f"Last call: Café Lumière tasting tonight #cafelumiere ({stamp})", language="en")
    rec.wait_for("the late status", lambda timeline: any(s["id"] == late["id"] for s in timeline))
    rec.save(
        "recorded_takahe_tag_after.json",
        rec.bob.get(f"/api/v1/timelines/tag/{TAG}", params={"limit": 40, "min_id": newest}),
    )
    rec.save(
        "recorded_takahe_search_words.json",
        rec.bob.get("/api/v2/search", params={"q": "Café Lumière", "type": "statuses"}),
    )
    rec.save(
        "recorded_takahe_search_tag.json",
        rec.bob.get("/api/v2/search", params={"q": f"#{TAG}", "type": "statuses", "limit": 40}),
    )
    rec.save(
        "recorded_takahe_search_url.json",
        rec.bob.get("/api/v2/search", params={"q": launch["url"], "type": "statuses"}),
    )
    rec.save(
        "recorded_takahe_search_min_id.json",
        rec.bob.get("/api/v2/search", params={"q": "Café Lumière", "type": "statuses", "min_id": floor}),
    )
    rec.save(
        "recorded_takahe_search_anonymous.json",
        rec.anonymous.get("/api/v2/search", params={"q": "Café Lumière", "type": "statuses"}),
    )
    (HERE / "recorded_takahe_headers.json").write_text(json.dumps(rec.headers, indent=2) + "\n", encoding="utf-8")
    print(f"recorded {len(rec.headers)} answers from {rec.url} into {HERE}")


if __name__ == "__main__":
    main()
