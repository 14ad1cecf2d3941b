"""A Bluesky post's text: its length in graphemes, and its facets (links, mentions, hashtags) in UTF-8 bytes.

Bluesky limits a post to 300 *graphemes* (what a reader sees as one character: "é" written as e + accent, a
flag, a family emoji), and places rich text by *byte* offsets in the text's UTF-8 encoding
(``app.bsky.richtext.facet``: ``index.byteStart``/``byteEnd``, features ``#link``, ``#mention`` with the
account's DID, ``#tag`` without the "#").

The grapheme rules are the ones of Unicode's text segmentation (UAX #29) that change a count in practice:
combining marks and variation selectors stay with what they follow, emoji modifiers and zero-width-joiner
sequences are one emoji, two regional indicators are one flag, CR LF is one break, Hangul jamo join.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

ZWJ = "\u200d"
_REGIONAL = range(0x1F1E6, 0x1F200)
_EXTEND_RANGES = (
    range(0xFE00, 0xFE10),  # variation selectors
    range(0xE0100, 0xE01F0),
    range(0x1F3FB, 0x1F400),  # emoji skin tones
    range(0xE0020, 0xE0080),  # tag characters (subdivision flags)
    range(0x1160, 0x1200),  # Hangul medial vowels and final consonants
    range(0xD7B0, 0xD800),
)


def _extends(char: str) -> bool:
    """True when ``char`` belongs to the grapheme before it."""
    point = ord(char)
    if char == ZWJ or unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    return any(point in block for block in _EXTEND_RANGES)


def graphemes(text: str) -> list[str]:
    """``text`` cut into graphemes."""
    clusters: list[str] = []
    for char in text:
        if clusters and _joins(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _joins(cluster: str, char: str) -> bool:
    last = cluster[-1]
    if last == "\r" and char == "\n":
        return True
    if last in "\r\n" or char in "\r\n":
        return False
    if _extends(char):
        return True
    if last == ZWJ and len(cluster) > 1:  # emoji ZWJ sequence: 👩‍👩‍👧 is one
        return True
    if ord(char) in _REGIONAL and ord(last) in _REGIONAL:
        return sum(1 for c in cluster if ord(c) in _REGIONAL) % 2 == 1
    return False


def count_graphemes(text: str) -> int:
    """The length Bluesky counts against its 300 limit."""
    return len(graphemes(text))


# --------------------------------------------------------------------------------------------- facets

# An http(s) address, ending before trailing punctuation; a bare domain is not made a link.
_LINK = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
# @handle.domain at the start or after a space or an opening bracket (handles are domain names).
_MENTION = re.compile(r"(?:^|(?<=[\s(\[]))@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]*)")
# #tag at the start or after a space; not only digits; at most 64 characters (Bluesky's limit).
_TAG = re.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃]+)")
_TRAILING = ".,;:!?)]}\"'»…"


@dataclass(frozen=True)
class Span:
    start: int  # in characters of the text
    end: int
    feature: dict[str, str]


def _bytes(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def facets(text: str, resolve: Callable[[str], str | None]) -> list[dict[str, object]]:
    """The facets of ``text``; ``resolve(handle)`` gives an account's DID, or None (the mention stays plain)."""
    spans: list[Span] = []
    for match in _LINK.finditer(text):
        link = match.group(0).rstrip(_TRAILING)
        if "(" not in link:
            link = link.rstrip(")")
        spans.append(Span(match.start(), match.start() + len(link), {"$type": "#link", "uri": link}))
    for match in _MENTION.finditer(text):
        handle = match.group(1).rstrip(".").lower()
        did = resolve(handle)
        if did:
            start = match.start(1) - 1
            spans.append(Span(start, start + 1 + len(handle), {"$type": "#mention", "did": did}))
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        if tag and not tag.isdigit() and len(tag) <= 64:
            start = match.start(1) - 1
            spans.append(Span(start, start + 1 + len(tag), {"$type": "#tag", "tag": tag}))
    return [_facet(text, span) for span in _without_overlaps(spans)]


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Links first, then mentions and tags outside them ("#" in a link's address is not a hashtag)."""
    kept: list[Span] = []
    for span in spans:
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda span: span.start)


def _facet(text: str, span: Span) -> dict[str, object]:
    kind = span.feature["$type"]
    feature = {**span.feature, "$type": f"app.bsky.richtext.facet{kind}"}
    return {
        "index": {"byteStart": _bytes(text, span.start), "byteEnd": _bytes(text, span.end)},
        "features": [feature],
    }
