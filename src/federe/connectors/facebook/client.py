"""The Graph API calls of the Facebook Pages connector (Graph API v25.0), each naming its endpoint.

Built to Meta's published reference (developers.facebook.com/docs/graph-api/reference, v25.0), not checked against
a live Page. Requests, errors, rate limits and paging are in ``graph.py`` (shared with Instagram). Every call uses
the Page access token (``pages_read_engagement``, ``pages_manage_engagement``, ``pages_manage_posts``,
``pages_read_user_content``, ``pages_manage_metadata`` for blocking).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from federe.connectors.facebook.graph import GraphClient
from federe.connectors.facebook.mapping import COMMENT_FIELDS, POST_FIELDS


class PageClient:
    def __init__(self, graph: GraphClient, page_id: str) -> None:
        self.graph = graph
        self.page_id = page_id

    def __repr__(self) -> str:
        return f"<PageClient {self.page_id}>"

    def page(self) -> dict[str, Any]:
        """GET /{page-id}?fields=id,name: the Page the token manages."""
        return self.graph.get(self.page_id, fields="id,name")

    def latest_posts(self) -> list[dict[str, Any]]:
        """GET /{page-id}/feed: the first page of the Page's posts, newest first."""
        return next(self.graph.pages(f"{self.page_id}/feed", limit=1, fields=POST_FIELDS), [])

    def latest_comments(self, object_id: str) -> list[dict[str, Any]]:
        """GET /{object-id}/comments?order=reverse_chronological: the newest comments on a post or a comment."""
        pages: Iterator[list[dict[str, Any]]] = self.graph.pages(
            f"{object_id}/comments", limit=1, fields=COMMENT_FIELDS, order="reverse_chronological"
        )
        return next(pages, [])

    def comment_on(self, object_id: str, message: str) -> dict[str, Any]:
        """POST /{object-id}/comments {message}: a comment on a post, or a reply to a comment. Answers {id}."""
        return self.graph.post(f"{object_id}/comments", message=message)

    def publish(self, message: str) -> dict[str, Any]:
        """POST /{page-id}/feed {message}: a post on the Page. Answers {id} ("PAGEID_POSTID")."""
        return self.graph.post(f"{self.page_id}/feed", message=message)

    def state(self, object_id: str) -> dict[str, Any]:
        """GET /{object-id}?fields=id,is_hidden: whether a comment (or a post) is hidden."""
        return self.graph.get(object_id, fields="id,is_hidden")

    def set_hidden(self, object_id: str, hidden: bool) -> None:
        """POST /{object-id} {is_hidden}: hide or unhide a comment (Comment reference, "Updating")."""
        self.graph.post(object_id, is_hidden=hidden)

    def delete(self, object_id: str) -> None:
        """DELETE /{object-id}: delete a comment (or one of the Page's posts)."""
        self.graph.delete(object_id)

    def is_blocked(self, user_id: str) -> bool:
        """GET /{page-id}/blocked?user={id}: the person, if blocked from the Page."""
        return bool(self.graph.get(f"{self.page_id}/blocked", user=user_id).get("data"))

    def block(self, user_id: str) -> None:
        """POST /{page-id}/blocked {user}: block a person (a Page-scoped id) from the Page."""
        self.graph.post(f"{self.page_id}/blocked", user=user_id)

    def unblock(self, user_id: str) -> None:
        """DELETE /{page-id}/blocked?user={id}."""
        self.graph.delete(f"{self.page_id}/blocked", user=user_id)
