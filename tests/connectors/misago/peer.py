"""Talking to the Misago peer (../shared/peers/misago) as its own members do, for the integration tests and the
fixture recorder: a logged-in session (cookie + CSRF), and a category that holds replies for approval.

Misago's API cannot change a category's settings (its admin pages do), so ``held_category`` creates one through
the peer's own ``manage.py shell``, with the same role permissions as the forum's first category.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from tests.peers import env_file

PEER = Path(__file__).resolve().parents[3].parent / "shared" / "peers" / "misago"
ENV_KEYS = ("MISAGO_URL", "MISAGO_ADMIN_USER", "MISAGO_ADMIN_PASSWORD", "MISAGO_MEMBER_USER", "MISAGO_MEMBER_PASSWORD")


def session(url: str, username: str, password: str) -> httpx.Client:
    """A member logged in on the forum: GET / for the CSRF cookie, POST /api/auth/, the rotated token kept."""
    client = httpx.Client(base_url=url, timeout=30, trust_env=False, headers={"Referer": f"{url}/"})
    client.get("/")
    client.headers["X-CSRFToken"] = client.cookies.get("csrftoken") or ""
    answer = client.post("/api/auth/", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRFToken"] = client.cookies.get("csrftoken") or ""
    return client


CREATE_CATEGORY = """
from misago.cache.versions import invalidate_all_caches
from misago.categories.models import Category, RoleCategoryACL
found = Category.objects.filter(name=NAME).first()
if found:
    print("CATEGORY", found.pk, "found")
    raise SystemExit(0)
model = Category.objects.all_categories().order_by("pk").first()
new = Category(name=NAME, slug=NAME.lower().replace(" ", "-"), require_threads_approval=True,
               require_replies_approval=True)
new.insert_at(model.parent, position="last-child", save=True)
for acl in RoleCategoryACL.objects.filter(category=model):
    RoleCategoryACL.objects.create(role=acl.role, category=new, category_role=acl.category_role)
invalidate_all_caches()
print("CATEGORY", new.pk, "created")
"""


def held_category(name: str = "Federe held") -> int:
    """The category where members' threads and replies wait for a moderator (created once); its id.

    Misago keeps its category tree in a per-process cache, so the peer is restarted after creating it (the
    misago peer belongs to this connector's tests: nobody else uses it).
    """
    state = env_file("misago").parent
    env = {**os.environ, "MISAGO_PEER_STATE": str(state), "DJANGO_SETTINGS_MODULE": "forumproject.settings"}
    done = subprocess.run(
        [
            str(state / "venv" / "bin" / "python"),
            str(PEER / "manage.py"),
            "shell",
            "-c",
            f"NAME = {name!r}\n{CREATE_CATEGORY}",
        ],
        cwd=state,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line.split() for line in done.stdout.splitlines() if line.startswith("CATEGORY ")]
    assert done.returncode == 0 and lines, done.stderr[-2000:]
    if lines[-1][2] == "created":
        for command in ("stop", "start"):
            subprocess.run([str(PEER / "misago-ci.sh"), command], check=True, capture_output=True, timeout=120)
    return int(lines[-1][1])
