"""Stack Exchange dump rows into Fédère items and members: pure functions that never raise.

- A question is a conversation: ``thread_id = "post:<question id>"``, kind ``post``.
- An answer is a ``reply`` in its question's thread, its parent being the question.
- A comment is a ``comment`` in the thread of the question it belongs to (directly or through an answer);
  its parent is the post it comments on. Comments and posts have separate id series in a dump, hence the
  ``post:`` and ``comment:`` prefixes.
- A user is an identity whose external id is the site's user id. Posts whose author deleted their account
  keep only a display name: they get a ``deleted:<name>`` identity, so no message is lost.
Dates in a dump are UTC without an offset.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from federe.connectors.types import Author, Item, ItemKind, MalformedItem
from federe.connectors.values import parse_utc, web_url

QUESTION, ANSWER = "1", "2"
_SPACE = re.compile(r"\s+")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_CODE = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True, slots=True)
class Member:
    """A row of Users.xml: the identity, and the facts Stack Exchange knows about the member."""

    author: Author
    reputation: int
    account_id: str = ""
    website: str = ""
    created_at: datetime | None = None


def post_id(value: str | int) -> str:
    return f"post:{value}"


def comment_id(value: str | int) -> str:
    return f"comment:{value}"


def parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def handle_of(display_name: str) -> str:
    """How members mention each other on Stack Exchange: the display name without spaces (@JohnDoe)."""
    return _SPACE.sub("", display_name)


def map_user(row: dict[str, str], site_url: str = "") -> Member | MalformedItem:
    user_id = parse_int(row.get("Id"))
    if user_id is None:
        return MalformedItem(reason="user without a numeric Id", external_id=row.get("Id", ""))
    name = (row.get("DisplayName") or "").strip() or f"user{user_id}"
    reputation = parse_int(row.get("Reputation"))
    return Member(
        author=Author(
            external_id=str(user_id),
            handle=handle_of(name),
            display_name=name,
            profile_url=_on_site(site_url, f"/users/{user_id}") if user_id > 0 else "",
            avatar_url=web_url(row.get("ProfileImageUrl")),
        ),
        reputation=reputation if reputation is not None else 0,
        account_id=row.get("AccountId", ""),
        website=web_url(row.get("WebsiteUrl")),
        created_at=parse_utc(row.get("CreationDate")),
    )


def _on_site(site_url: str, path: str) -> str:
    """A page of the site, when the site's address is a web address ("" otherwise)."""
    return web_url(f"{site_url}{path}") if web_url(site_url) else ""


def row_author(row: dict[str, str], id_key: str, name_key: str) -> Author:
    """The author of a post or comment: the user id when there is one, else the name left by a deleted account."""
    user_id = parse_int(row.get(id_key))
    name = (row.get(name_key) or "").strip()
    if user_id is not None:
        return Author(external_id=str(user_id), handle=handle_of(name), display_name=name or f"user{user_id}")
    name = name or "anonymous"
    return Author(external_id=f"deleted:{name}"[:255], handle=handle_of(name), display_name=name)


def map_post(row: dict[str, str], site_url: str = "") -> Item | MalformedItem:
    """A question or an answer (check ``PostTypeId`` before: other post types are not messages)."""
    raw_id = row.get("Id", "")
    pid = parse_int(raw_id)
    created = parse_utc(row.get("CreationDate"))
    kind = row.get("PostTypeId")
    if pid is None:
        return MalformedItem(reason="post without a numeric Id", external_id=raw_id)
    if created is None:
        return MalformedItem(reason="post without a valid CreationDate", external_id=post_id(pid))
    author = row_author(row, "OwnerUserId", "OwnerDisplayName")
    edited = parse_utc(row.get("LastEditDate"))
    if kind == QUESTION:
        return Item(
            external_id=post_id(pid),
            thread_id=post_id(pid),
            author=author,
            body_html=row.get("Body", ""),
            created_at=created,
            kind=ItemKind.POST,
            thread_title=row.get("Title", "").strip()[:300],  # plain text in dumps
            url=_on_site(site_url, f"/q/{pid}"),
            edited_at=edited,
        )
    if kind == ANSWER:
        parent = parse_int(row.get("ParentId"))
        if parent is None:
            return MalformedItem(reason="answer without a numeric ParentId", external_id=post_id(pid))
        return Item(
            external_id=post_id(pid),
            thread_id=post_id(parent),
            author=author,
            body_html=row.get("Body", ""),
            created_at=created,
            kind=ItemKind.REPLY,
            parent_id=post_id(parent),
            url=_on_site(site_url, f"/a/{pid}"),
            edited_at=edited,
        )
    return MalformedItem(reason=f"post type {kind} is neither a question nor an answer", external_id=post_id(pid))


def comment_html(text: str) -> str:
    """Comments are plain text with a little Markdown: keep paragraphs, links and `code`, escape the rest."""
    escaped = html.escape(text or "", quote=False)
    escaped = _LINK.sub(lambda m: f'<a href="{m.group(2).replace(chr(34), "&quot;")}">{m.group(1)}</a>', escaped)
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", escaped) if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)


def map_comment(row: dict[str, str], question: int, site_url: str = "") -> Item | MalformedItem:
    """A comment on a post of the thread of ``question`` (the importer knows which question a post belongs to)."""
    raw_id = row.get("Id", "")
    cid = parse_int(raw_id)
    on_post = parse_int(row.get("PostId"))
    created = parse_utc(row.get("CreationDate"))
    if cid is None:
        return MalformedItem(reason="comment without a numeric Id", external_id=raw_id)
    if on_post is None:
        return MalformedItem(reason="comment without a numeric PostId", external_id=comment_id(cid))
    if created is None:
        return MalformedItem(reason="comment without a valid CreationDate", external_id=comment_id(cid))
    return Item(
        external_id=comment_id(cid),
        thread_id=post_id(question),
        author=row_author(row, "UserId", "UserDisplayName"),
        body_html=comment_html(row.get("Text", "")),
        created_at=created,
        kind=ItemKind.COMMENT,
        parent_id=post_id(on_post),
        url=_on_site(site_url, f"/posts/comments/{cid}"),
    )
