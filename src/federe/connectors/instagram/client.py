"""The Instagram Graph API calls of the Instagram connector (v25.0, "Instagram API with Facebook Login"), each
naming its endpoint.

Built to Meta's published reference (developers.facebook.com/docs/instagram-platform/instagram-graph-api, v25.0),
not checked against a live account. This is the Facebook Login flavour: the host is graph.facebook.com and the token
is the access token of the Facebook Page linked to the professional account (``instagram_basic``,
``instagram_manage_comments``, ``instagram_content_publish``, ``pages_read_engagement``, ``pages_show_list``).
Requests, errors, rate limits and paging are Facebook's ``graph.py``.
"""

from __future__ import annotations

from typing import Any

from federe.connectors.facebook.graph import GraphClient
from federe.connectors.instagram.mapping import COMMENT_FIELDS, MEDIA_FIELDS


class AccountClient:
    def __init__(self, graph: GraphClient, ig_user_id: str) -> None:
        self.graph = graph
        self.ig_user_id = ig_user_id

    def __repr__(self) -> str:
        return f"<AccountClient {self.ig_user_id}>"

    def account(self) -> dict[str, Any]:
        """GET /{ig-user-id}?fields=id,username: the professional account the token reaches."""
        return self.graph.get(self.ig_user_id, fields="id,username")

    def latest_media(self) -> list[dict[str, Any]]:
        """GET /{ig-user-id}/media: the first page of the account's media, newest first."""
        return next(self.graph.pages(f"{self.ig_user_id}/media", limit=1, fields=MEDIA_FIELDS), [])

    def comments(self, media_id: str) -> list[dict[str, Any]]:
        """GET /{ig-media-id}/comments: the first page of a media's comments, with their ``replies``."""
        return next(self.graph.pages(f"{media_id}/comments", limit=1, fields=COMMENT_FIELDS), [])

    def media(self, media_id: str) -> dict[str, Any]:
        """GET /{ig-media-id}?fields=id,permalink,timestamp: a published media."""
        return self.graph.get(media_id, fields="id,permalink,timestamp")

    def comment_on(self, media_id: str, message: str) -> dict[str, Any]:
        """POST /{ig-media-id}/comments {message}: a comment on a media. Answers {id}."""
        return self.graph.post(f"{media_id}/comments", message=message)

    def reply_to(self, comment_id: str, message: str) -> dict[str, Any]:
        """POST /{ig-comment-id}/replies {message}: a reply to a comment. Answers {id}."""
        return self.graph.post(f"{comment_id}/replies", message=message)

    def state(self, comment_id: str) -> dict[str, Any]:
        """GET /{ig-comment-id}?fields=id,hidden."""
        return self.graph.get(comment_id, fields="id,hidden")

    def set_hidden(self, comment_id: str, hidden: bool) -> None:
        """POST /{ig-comment-id} {hide}: hide or unhide a comment."""
        self.graph.post(comment_id, hide=hidden)

    def delete(self, comment_id: str) -> None:
        """DELETE /{ig-comment-id}."""
        self.graph.delete(comment_id)

    def container(self, image_url: str, caption: str) -> str:
        """POST /{ig-user-id}/media {image_url, caption}: a media container (step 1 of publishing). Its id."""
        return str(self.graph.post(f"{self.ig_user_id}/media", image_url=image_url, caption=caption).get("id") or "")

    def publish_container(self, container_id: str) -> dict[str, Any]:
        """POST /{ig-user-id}/media_publish {creation_id}: publish the container (step 2). Answers {id}."""
        return self.graph.post(f"{self.ig_user_id}/media_publish", creation_id=container_id)
