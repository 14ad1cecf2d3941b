"""RSS 2.0 (and 0.9x) and RSS 1.0 (RDF) documents into a ``Feed``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # only for Element types; parsing is defusedxml's

from django.utils.translation import gettext as _

from federe.connectors.rss.parser.model import CONTENT, DC, LJ, RDF, RSS090, RSS10, SLASH, Entry, Feed, FeedError
from federe.connectors.rss.parser.values import (
    absolute,
    absolutize_html,
    base_of,
    fingerprint,
    first_child,
    plain,
    text_of,
)
from federe.connectors.values import parse_utc

_RSS_AUTHOR = re.compile(r"^\s*([^\s()<>]+@[^\s()<>]+)\s*(?:\((.*)\))?\s*$")


def _rss_author(value: str) -> tuple[str, str]:
    """RSS's <author> is "email (Name)"; feeds also put a bare name or a bare address."""
    match = _RSS_AUTHOR.match(value)
    if match:
        return (match.group(2) or "").strip(), match.group(1)
    return value.strip(), ""


def rss2(root: ET.Element, url: str) -> Feed:
    channel = root.find("channel")
    if channel is None:
        raise FeedError(_("This RSS document has no <channel>: it is not a usable feed."), "not_feed")
    base = base_of(channel, base_of(root, url))
    name, email = _rss_author(text_of(first_child(channel, "managingEditor", f"{{{DC}}}creator", "author")))
    feed = Feed(
        kind="rss2",
        title=plain(text_of(channel.find("title"))),
        link=absolute(text_of(channel.find("link")), base),
        author_name=name,
        author_email=email,
        updated=parse_utc(text_of(first_child(channel, "lastBuildDate", "pubDate", f"{{{DC}}}date"))),
    )
    for item in root.iter("item"):  # RSS 0.9x feeds may put items beside the channel
        feed.entries.append(_rss_item(item, base))
    return feed


def _rss_item(item: ET.Element, parent_base: str) -> Entry:
    base = base_of(item, parent_base)
    guid = item.find("guid")
    guid_text = text_of(guid)
    link = text_of(item.find("link"))
    if not link and guid_text and (guid is None or guid.get("isPermaLink", "true").lower() != "false"):
        link = guid_text if guid_text.startswith(("http://", "https://")) else ""
    link = absolute(link, base)
    author_name, author_email = _rss_author(text_of(item.find("author")))
    # A community journal's entry names its poster (<lj:poster>, LiveJournal and Dreamwidth); else Dublin Core.
    creator = text_of(item.find(f"{{{LJ}}}poster")) or text_of(item.find(f"{{{DC}}}creator"))
    published = parse_utc(text_of(item.find("pubDate"))) or parse_utc(text_of(item.find(f"{{{DC}}}date")))
    return Entry(
        id=guid_text,
        title=plain(text_of(item.find("title"))),
        link=link,
        author_name=author_name or creator,
        author_email=author_email,
        published=published,
        updated=parse_utc(text_of(item.find(f"{{{DC}}}modified"))),
        content_html=absolutize_html(text_of(item.find(f"{{{CONTENT}}}encoded")), link or base),
        summary_html=absolutize_html(text_of(item.find("description")), link or base),
        categories=[text_of(c) for c in item.findall("category") if text_of(c)],
        fingerprint=fingerprint(item),
        comment_count=_count(text_of(first_child(item, f"{{{LJ}}}reply-count", f"{{{SLASH}}}comments"))),
    )


def _count(value: str) -> int | None:
    """A comment count the feed gives (a whole number), else None."""
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


# -- RSS 1.0 / RDF -------------------------------------------------------------------------------------------------


def rss1(root: ET.Element, url: str) -> Feed:
    namespace = RSS10 if root.find(f"{{{RSS10}}}channel") is not None or root.find(f"{{{RSS10}}}item") else RSS090
    channel = root.find(f"{{{namespace}}}channel")
    base = base_of(root, url)
    feed = Feed(kind="rss1")
    if channel is not None:
        feed.title = plain(text_of(channel.find(f"{{{namespace}}}title")))
        feed.link = absolute(text_of(channel.find(f"{{{namespace}}}link")), base)
        feed.author_name = text_of(first_child(channel, f"{{{DC}}}creator", f"{{{DC}}}publisher"))
        feed.updated = parse_utc(text_of(channel.find(f"{{{DC}}}date")))
    for item in root.iter(f"{{{namespace}}}item"):
        about = item.get(f"{{{RDF}}}about", "").strip()
        link = absolute(text_of(item.find(f"{{{namespace}}}link")) or about, base)
        feed.entries.append(
            Entry(
                id=about or link,
                title=plain(text_of(item.find(f"{{{namespace}}}title"))),
                link=link,
                author_name=text_of(item.find(f"{{{DC}}}creator")),
                published=parse_utc(text_of(item.find(f"{{{DC}}}date"))),
                content_html=absolutize_html(text_of(item.find(f"{{{CONTENT}}}encoded")), link or base),
                summary_html=absolutize_html(text_of(item.find(f"{{{namespace}}}description")), link or base),
                categories=[text_of(s) for s in item.findall(f"{{{DC}}}subject") if text_of(s)],
                fingerprint=fingerprint(item),
            )
        )
    return feed
