"""Publishing a post on Misago once: a new thread, in the channel's category, with the post's title and text.

``POST /api/threads/`` with ``{"category": id, "title": …, "post": …}`` (the call Misago's own editor makes; it
answers ``{"id", "title", "url"}``, or HTTP 400 with Misago's words for each refused field: title shorter than 5
or longer than 90 characters, message shorter than 5 characters, by default). The category is the post's option
``category`` when the channel follows it, else the first category the channel follows (``config["targets"]``),
else the first one the member may post in (``GET /api/threads/editor/``).

Misago has no idempotency key, so the thread's first post ends with the delivery's invisible marker (zero-width
characters derived from its idempotency key, ``replies.marker``): Misago's parser keeps them as they are (a
paragraph of its own, which a reader does not see; tests/connectors/misago/test_integration.py checks it on a real
forum). ``find_published`` reads the category's newest threads (``GET /api/threads/?category=…``, at most
``FIND_PAGES`` pages), keeps those the channel's member started with the same title, and reads their first post
(``GET /api/threads/<id>/posts/``) for the marker. A thread moved to another category, retitled, or pushed past
those pages by newer ones is not found.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from federe.connectors.errors import Permanent
from federe.connectors.misago.client import MisagoClient
from federe.connectors.misago.mapping import absolute, number
from federe.connectors.misago.replies import marker
from federe.connectors.types import OutgoingPost, PostRules, PublishResult
from federe.core.html import html_to_text, sanitize_html

# Misago 0.39's default settings (thread_title_length_min/max, post_length_max); a forum that changed them says so
# in its answer, which the connector passes on.
TITLE_MIN = 5
TITLE_MAX = 90
POST_MAX = 60_000
RULES = PostRules(
    max_length=POST_MAX, title=True, title_required=True, title_min_length=TITLE_MIN, title_max_length=TITLE_MAX
)
FIND_PAGES = 3  # thread-list pages (about 25 threads each) looked at for an earlier attempt's thread


def thread_text(post: OutgoingPost) -> str:
    """The first post: the plain-text variant (Misago reads Markdown/BBCode, not HTML), then the marker."""
    text = (post.body_text or html_to_text(sanitize_html(post.body_html))).strip()
    if not text:
        raise Permanent(_("A Misago thread needs a text."))
    return f"{text}\n\n{marker(post.idempotency_key)}"


def thread_title(post: OutgoingPost) -> str:
    title = " ".join(post.title.split())
    if not title:
        raise Permanent(_("A Misago thread needs a title."))
    return title


def category_for(client: MisagoClient, post: OutgoingPost, targets: list[int]) -> int:
    option = post.options.get("category")
    wanted = int(option) if isinstance(option, str) and option.isdigit() else number(option)
    if wanted and (not targets or wanted in targets):
        return wanted
    if targets:
        return targets[0]
    editor = client.get("/api/threads/editor/")
    for category in editor if isinstance(editor, list) else []:
        if isinstance(category, dict) and number(category.get("id")):
            return number(category["id"])
    raise Permanent(_("This Misago member may not start threads in any category."))


def start_thread(client: MisagoClient, post: OutgoingPost, category: int, forum_url: str) -> PublishResult:
    body = {"category": category, "title": thread_title(post), "post": thread_text(post)}
    created = client.call("POST", "/api/threads/", json=body)
    return result_of(created, forum_url)


def find_thread(client: MisagoClient, post: OutgoingPost, category: int, forum_url: str) -> PublishResult | None:
    """The thread an earlier attempt started: ours, same title, its first post carrying the delivery's marker."""
    me = number((client.user or client.login()).get("id"))
    title, mark = thread_title(post), marker(post.idempotency_key)
    start: Any = None
    for _page in range(FIND_PAGES):
        answer = client.get("/api/threads/", {"category": category, "start": start})
        threads = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(threads, list):
            raise Permanent(_("Misago answered the thread list with something that is not a list."))
        for thread in threads:
            if isinstance(thread, dict) and _started_by(thread, me) and _same_title(thread.get("title"), title):
                found = client.thread_page(number(thread.get("id")), 1)
                first = next((p for p in found[1] if p.get("is_event") is not True), None) if found else None
                content = first.get("content") if first else None
                if isinstance(content, str) and mark in content:
                    return result_of(thread, forum_url)
        start = answer.get("next")
        if not start:
            break
    return None


def _started_by(thread: dict[str, Any], me: int) -> bool:
    starter = thread.get("starter")
    return isinstance(starter, dict) and number(starter.get("id")) == me


def _same_title(listed: Any, title: str) -> bool:
    return isinstance(listed, str) and " ".join(listed.split()).casefold() == title.casefold()


def result_of(thread: Any, forum_url: str) -> PublishResult:
    if not isinstance(thread, dict) or not number(thread.get("id")):
        raise Permanent(_("Misago accepted the thread but did not say which one it created."))
    url = thread.get("url")
    return PublishResult(
        external_id=str(thread["id"]),
        url=absolute(forum_url, url.get("index") if isinstance(url, dict) else url if isinstance(url, str) else None),
    )
