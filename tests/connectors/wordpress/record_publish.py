"""Record the WordPress publishing fixtures from a running peer server (../shared/peers/wp).

    set -a; . /tmp/federe-peers/wp/env; set +a
    .venv/bin/python tests/connectors/wordpress/record_publish.py

It creates an article, a draft and a scheduled post the way the connector does (``POST /wp/v2/posts`` with a
slug), looks the article up by its slug, and saves the answers into fixtures/ (post_published.json,
post_draft.json, post_future.json, posts_by_slug.json), then deletes the three posts. Secrets never reach the
files: the script refuses to write a file that contains the application password.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent / "fixtures"


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 300:
        sys.exit(f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:300]}")
    return response.json()


def _save(name: str, payload: Any, secret: str) -> None:
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if secret in text or "Authorization" in text:
        sys.exit(f"{name}: a secret would be written; nothing saved")
    (HERE / name).write_text(text, encoding="utf-8")
    print("wrote", name)


def main() -> None:
    api = os.environ["WORDPRESS_URL"].rstrip("/") + "/wp-json"
    secret = os.environ["WORDPRESS_APP_PASSWORD"]
    stamp = uuid.uuid4().hex[:6]
    later = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S")
    bodies = {
        "post_published.json": {"status": "publish"},
        "post_draft.json": {"status": "draft"},
        "post_future.json": {"status": "future", "date_gmt": later},
    }
    created = []
    with httpx.Client(base_url=api, auth=(os.environ["WORDPRESS_USER"], secret), timeout=30, trust_env=False) as wp:
        for name, extra in bodies.items():
            title = f"Nouvelle carte d'hiver {stamp} ({extra['status']})"
            body = {"title": title, "content": "<p>Soupe à l'oignon &amp; <strong>vin chaud</strong>.</p>", **extra}
            post = _ok(wp.post("/wp/v2/posts", json={**body, "slug": f"nouvelle-carte-{stamp}-{extra['status']}"}))
            created.append(post["id"])
            _save(name, post, secret)
        params = {"slug": f"nouvelle-carte-{stamp}-publish", "status": "publish,future,draft,pending,private,trash"}
        _save("posts_by_slug.json", _ok(wp.get("/wp/v2/posts", params={**params, "context": "edit"})), secret)
        for post_id in created:
            _ok(wp.delete(f"/wp/v2/posts/{post_id}", params={"force": "true"}))


if __name__ == "__main__":
    main()
