"""A Misago forum served by respx from the payloads recorded on the real one (fixtures/, record_fixtures.py).

It answers the calls the connector makes, with the session and CSRF cookies Misago sets, and keeps the state
moderation changes (hidden, closed, weight, deleted) so that a second action finds the first one done.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import respx

from tests.connectors.contract import public_dns

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOST = "forum.example.org"
URL = f"https://{HOST}"
THREAD_FILES = {1: "posts_open_thread.json", 2: "posts_waiting_thread.json", 3: "posts_staff_thread.json"}


def load(name: str) -> Any:
    """A recorded payload, as a fresh copy that a test may change."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


class FakeMisago:
    def __init__(self) -> None:
        self.threads = {thread_id: load(name) for thread_id, name in THREAD_FILES.items()}
        self.lists = {"all": load("threads_all.json"), "unapproved": load("threads_unapproved.json")}
        self.calls: list[tuple[str, str]] = []
        self.logins = 0
        self.csrf_failures = 0  # the next N non-GET calls fail as if the CSRF token had expired
        self.per_page = 50
        self.created: list[dict[str, Any]] = []
        self.started: list[dict[str, Any]] = []  # threads started through the API
        self.moderator = True
        # A path that fails (with this answer, or this exception raised) until the test clears it.
        self.failing: tuple[str, httpx.Response | Exception] | None = None

    def add_reply(
        self, thread_id: int, post_id: int, text: str = "Nouvelle réponse", *, unapproved: bool = False
    ) -> None:
        """A member's new reply, as Misago would list it (an unapproved one does not move the thread's last post)."""
        post = {**load(THREAD_FILES[1])["post_set"]["results"][1], "id": post_id, "content": f"<p>{text}</p>"}
        post["is_unapproved"] = unapproved
        self.threads[thread_id]["post_set"]["results"].append(post)
        listed = next(t for t in self.lists["all"]["results"] if t["id"] == thread_id)
        if unapproved:
            listed["has_unapproved_posts"] = True
            if listed not in self.lists["unapproved"]["results"]:
                self.lists["unapproved"]["results"].append(listed)
        else:
            listed["last_post"] = post_id
            self.lists["all"]["results"].sort(key=lambda t: -t["last_post"])

    # -- respx handlers ---------------------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        self.calls.append((method, path))
        if self.failing and path.startswith(self.failing[0]):
            if isinstance(self.failing[1], Exception):
                raise self.failing[1]
            return self.failing[1]
        if path == "/" and method == "GET":
            return httpx.Response(200, text="<html>forum</html>", headers={"Set-Cookie": "csrftoken=anon123; Path=/"})
        if path == "/api/auth/" and method == "POST":
            return self._login(request)
        if method != "GET" and "sessionid=s3ss" not in request.headers.get("Cookie", ""):
            return httpx.Response(403, json={"detail": "This action is not available to guests."})
        if method != "GET" and (self.csrf_failures or request.headers.get("X-CSRFToken") != "tok456"):
            self.csrf_failures = max(0, self.csrf_failures - 1)
            return httpx.Response(
                403, json={"detail": "CSRF Failed: CSRF token from the 'X-Csrftoken' header is incorrect."}
            )
        parts = [p for p in path.split("/") if p][1:]  # after "api"
        return self._route(method, parts, request)

    def _login(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("password") == "wrong":
            return httpx.Response(400, json=load("login_refused.json")["body"])
        self.logins += 1
        cookies = [("Set-Cookie", "csrftoken=tok456; Path=/"), ("Set-Cookie", "sessionid=s3ss; HttpOnly; Path=/")]
        return httpx.Response(200, json=load("auth_user.json"), headers=cookies)

    def _route(self, method: str, parts: list[str], request: httpx.Request) -> httpx.Response:
        if parts == ["threads", "editor"] and method == "GET":
            return httpx.Response(200, json=load("threads_editor.json"))
        if parts == ["threads"] and request.url.params.get("list") == "unapproved" and not self.moderator:
            return httpx.Response(403, json=load("not_moderator.json")["body"])
        if parts == ["threads"] and method == "GET":
            return httpx.Response(200, json=self._list(request))
        if parts == ["threads"] and method == "POST":
            return self._start(request)
        thread = self.threads.get(int(parts[1])) if len(parts) > 1 and parts[1].isdigit() else None
        if thread is None:
            return httpx.Response(404, json={"detail": "NOT FOUND"})
        if len(parts) == 2:
            return self._thread(method, thread, request)
        if len(parts) == 3 and method == "GET":
            return httpx.Response(200, json=self._page(thread, int(request.url.params.get("page", 1))))
        if len(parts) == 3 and method == "POST":
            return self._reply(thread, request)
        post = next((p for p in thread["post_set"]["results"] if str(p["id"]) == parts[3]), None)
        if post is None:
            return httpx.Response(404, json={"detail": "NOT FOUND"})
        if method == "DELETE":
            thread["post_set"]["results"].remove(post)
            return httpx.Response(200, json={})
        return httpx.Response(200, json=self._patch(post, request))

    def _thread(self, method: str, thread: dict[str, Any], request: httpx.Request) -> httpx.Response:
        if method == "DELETE":
            del self.threads[thread["id"]]
            return httpx.Response(200, json={})
        if method == "PATCH":
            return httpx.Response(200, json=self._patch(thread, request))
        return httpx.Response(200, json={k: v for k, v in thread.items() if k != "post_set"})

    def _list(self, request: httpx.Request) -> dict[str, Any]:
        listed = self.lists[request.url.params.get("list", "all")]
        category = request.url.params.get("category")
        if not category:
            return listed
        return {**listed, "results": [t for t in listed["results"] if str(t["category"]) == category]}

    def _start(self, request: httpx.Request) -> httpx.Response:
        """A new thread, as Misago answers its editor (``{"id", "title", "url"}``, recorded), with Misago's field
        errors for a title or a message it refuses."""
        body = json.loads(request.content)
        errors = {}
        if len(body.get("title", "")) > 90:
            errors["title"] = [f"Thread title cannot be longer than 90 characters (it has {len(body['title'])})."]
        if len(body.get("post", "")) < 5:
            errors["post"] = [f"Posted message should be at least 5 characters long (it has {len(body['post'])})."]
        if errors:
            return httpx.Response(400, json=errors)
        thread_id = 10 + len(self.started)
        created = {**load("thread_created.json"), "id": thread_id, "title": body["title"]}
        created["url"] = f"/t/thread/{thread_id}/"
        first = {**load("reply_created.json"), "id": 1000 + thread_id, "content": "<p>" + body["post"] + "</p>"}
        listed = {**load("threads_all.json")["results"][0], "id": thread_id, "title": body["title"]}
        listed.update(category=body["category"], starter={**listed["starter"], "id": 1}, url={"index": created["url"]})
        self.threads[thread_id] = {**listed, "post_set": {"results": [first], "page": 1, "pages": 1}}
        self.lists["all"]["results"].insert(0, listed)
        self.started.append(created)
        return httpx.Response(200, json=created)

    def _page(self, thread: dict[str, Any], page: int) -> dict[str, Any]:
        posts = thread["post_set"]["results"]
        pages = max(1, -(-len(posts) // self.per_page))
        chosen = posts[(page - 1) * self.per_page : page * self.per_page]
        return {**thread, "post_set": {**thread["post_set"], "results": chosen, "page": page, "pages": pages}}

    def _reply(self, thread: dict[str, Any], request: httpx.Request) -> httpx.Response:
        created = load("reply_created.json")
        created["id"] = 100 + len(self.created)
        created["content"] = "<p>" + json.loads(request.content)["post"] + "</p>"
        self.created.append(created)
        thread["post_set"]["results"].append(created)
        return httpx.Response(200, json=created)

    @staticmethod
    def _patch(target: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
        changed = {}
        for op in json.loads(request.content):
            field = op["path"].replace("-", "_")
            target[field] = op["value"]
            changed[field] = op["value"]
        return changed


@contextmanager
def serving(forum: FakeMisago | None = None) -> Iterator[FakeMisago]:
    forum = forum or FakeMisago()
    with public_dns(HOST), respx.mock(assert_all_called=False) as router:
        router.route(host=HOST).mock(side_effect=forum)
        yield forum
