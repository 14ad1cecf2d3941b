"""What a parsed feed is: plain dataclasses, the namespaces the formats use, and the one error the parser raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ATOM = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
SLASH = "http://purl.org/rss/1.0/modules/slash/"  # <slash:comments>: how many comments an entry has
LJ = "http://www.livejournal.org/rss/lj/1.0/"  # LiveJournal's and Dreamwidth's <lj:reply-count>, <lj:poster>
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class FeedError(Exception):
    """The document cannot be read as a feed; ``message`` says why in plain words."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Entry:
    id: str = ""
    title: str = ""  # plain text
    link: str = ""
    author_name: str = ""
    author_email: str = ""
    author_uri: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    content_html: str = ""
    summary_html: str = ""
    categories: list[str] = field(default_factory=list)
    fingerprint: str = ""  # the entry's own text, to key entries that have no id and no link
    comment_count: int | None = None  # when the feed says it (<lj:reply-count>, <slash:comments>)


@dataclass
class Feed:
    kind: str  # rss2, rss1, atom
    title: str = ""
    link: str = ""
    id: str = ""
    author_name: str = ""
    author_email: str = ""
    author_uri: str = ""
    updated: datetime | None = None
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
