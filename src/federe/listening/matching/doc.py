"""A message prepared once for matching: its folded words and their positions, and the metadata filters read
(language, channel, hosts of its address and links, author)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from federe.core.text import normalise
from federe.core.wordmatch import Words
from federe.listening.query.values import normalize_host

_LINK_RE = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'`()\[\]{}]+", re.IGNORECASE)

_URL_HOST_RE = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^@/?#\s]*@)?([^:/?#\s\[\]]+)")
_PLAIN_HOST_RE = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*")


def _host(url: str) -> str:
    """The normalised host of a URL ("https://Blog.Acme.fr:8443/x" → "blog.acme.fr"); "" when there is none."""
    url = url.strip()
    if not url:
        return ""
    if "//" not in url:
        url = "//" + url
    found = _URL_HOST_RE.match(url)
    if found:  # the common case, without urlsplit
        host = found.group(1).lower().strip(".")
        if _PLAIN_HOST_RE.fullmatch(host):
            return host
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return normalize_host(host) or ""


@dataclass(eq=False)
class MatchDoc(Words):
    """A message prepared for matching: its words (``federe.core.wordmatch.Words``) and metadata. Build it with
    ``from_message``."""

    lang: str = ""
    channel_id: str = ""
    channel_name: str = ""  # normalised, spaces collapsed
    url_host: str = ""
    link_hosts: frozenset[str] = frozenset()
    author_handle: str = ""  # normalised, without a leading "@"
    has_link: bool = False

    @classmethod
    def from_message(
        cls,
        text: str,
        *,
        language: str | None = "",
        channel_id: int | str | None = None,
        channel_name: str | None = "",
        url: str | None = "",
        author_handle: str | None = "",
        links: Iterable[str] = (),
    ) -> MatchDoc:
        """``url`` is the message's own address; ``links`` are links found outside the text (HTML hrefs)."""
        text = text or ""
        found_links = _LINK_RE.findall(text) + [link for link in links if link]
        link_hosts = frozenset(h for h in (_host(link) for link in found_links) if h)
        return cls(
            **cls.cut(text),  # type: ignore[arg-type]
            lang=(language or "").strip().lower().replace("_", "-"),
            channel_id="" if channel_id is None else str(channel_id),
            channel_name=" ".join(normalise(channel_name or "").split()),
            url_host=_host(url or ""),
            link_hosts=link_hosts,
            author_handle=normalise(author_handle or "").strip().lstrip("@"),
            has_link=bool(found_links),
        )
