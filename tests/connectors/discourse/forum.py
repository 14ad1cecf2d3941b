"""A fake Discourse forum for the tests: the fixtures/ payloads served by respx, with state that actions change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import respx

from tests.connectors.contract import public_dns
from tests.connectors.discourse.conftest import load

HOST = "forum.example.org"
SITE = f"https://{HOST}"


class FakeForum:
    """The latest posts (paged by ``before``, ``page_size`` a page), the review queue, and what actions did."""

    def __init__(self, page_size: int = 50) -> None:
        self.posts: list[dict[str, Any]] = load("latest_posts.json")["latest_posts"]
        self.page_size = page_size
        self.pending = load("review_pending.json")
        self.reviewed = load("review_reviewed.json")
        self.reviewable = load("reviewable.json")
        self.topic = load("topic.json")
        self.member = load("admin_user.json")
        self.created: list[dict[str, Any]] = []
        self.external_ids: dict[str, int] = {}  # topics opened with an external_id: the topic's id
        self.calls: list[str] = []

    def latest(self, request: httpx.Request) -> httpx.Response:
        before = int(request.url.params.get("before") or 0)
        newest_first = sorted(self.posts, key=lambda post: -post["id"])
        page = [post for post in newest_first if not before or post["id"] < before][: self.page_size]
        return httpx.Response(200, json={"latest_posts": page})

    def review(self, request: httpx.Request) -> httpx.Response:
        answer = self.pending if request.url.params.get("status") == "pending" else self.reviewed
        return httpx.Response(200, json=answer)

    def post(self, request: httpx.Request, post_id: str) -> httpx.Response:
        for post in self.posts:
            if str(post["id"]) == post_id:
                return httpx.Response(200, json=post)
        return httpx.Response(404, json=load("error_404.json"))

    def by_number(self, request: httpx.Request, topic: str, place: str) -> httpx.Response:
        if (topic, place) == ("11", "3"):
            return httpx.Response(200, json=load("post_by_number.json"))
        for post in self.posts:
            if (str(post["topic_id"]), str(post["post_number"])) == (topic, place):
                return httpx.Response(200, json=post)
        return httpx.Response(404, json=load("error_404.json"))

    def by_external_id(self, request: httpx.Request, external_id: str) -> httpx.Response:
        """Discourse redirects to the topic (TopicsController#show_by_external_id)."""
        if external_id in self.external_ids:
            location = f"{SITE}/t/sunday-opening-from-december/{self.external_ids[external_id]}.json"
            return httpx.Response(301, headers={"Location": location})
        return httpx.Response(404, json=load("error_404.json"))

    def create(self, request: httpx.Request) -> httpx.Response:
        data = json.loads(request.content)
        self.created.append(data)
        answer = load("created_topic.json") if "title" in data else load("created_post.json")
        return httpx.Response(200, json=answer)

    def record(self, answer: Any = None) -> Any:
        def respond(request: httpx.Request, **_kwargs: Any) -> httpx.Response:
            self.calls.append(f"{request.method} {request.url.path}")
            return httpx.Response(200, json=answer if answer is not None else {"success": "OK"})

        return respond

    @contextmanager
    def serve(self) -> Iterator[respx.Router]:
        with public_dns(HOST), respx.mock(base_url=SITE, assert_all_called=False) as router:
            router.get("/posts.json").mock(side_effect=self.latest)
            router.post("/posts.json").mock(side_effect=self.create)
            router.get(path__regex=r"^/posts/(?P<post_id>\d+)\.json$").mock(side_effect=self.post)
            router.get(path__regex=r"^/posts/by_number/(?P<topic>\d+)/(?P<place>\d+)\.json$").mock(
                side_effect=self.by_number
            )
            router.get("/review.json").mock(side_effect=self.review)
            router.get("/review/31.json").mock(side_effect=lambda request: httpx.Response(200, json=self.reviewable))
            router.put(path__regex=r"^/review/31/perform/").mock(side_effect=self.record(load("perform_result.json")))
            router.get("/u/brand_team.json").respond(200, json=load("user.json"))
            router.get("/categories.json").respond(200, json=load("categories.json"))
            router.get(path__regex=r"^/t/\d+\.json$").mock(
                side_effect=lambda request: httpx.Response(200, json=self.topic)
            )
            router.get(path__regex=r"^/t/external_id/(?P<external_id>[^/]+)\.json$").mock(
                side_effect=self.by_external_id
            )
            router.get(path__regex=r"^/admin/users/\d+\.json$").mock(
                side_effect=lambda request: httpx.Response(200, json=self.member)
            )
            for method, pattern in (
                ("PUT", r"^/posts/\d+/(unhide|recover)$"),
                ("DELETE", r"^/posts/\d+\.json$"),
                ("PUT", r"^/t/\d+/status\.json$"),
                ("PUT", r"^/admin/users/\d+/(silence|suspend)\.json$"),
                ("POST", r"^/post_actions\.json$"),
            ):
                router.route(method=method, path__regex=pattern).mock(side_effect=self.record())
            yield router
