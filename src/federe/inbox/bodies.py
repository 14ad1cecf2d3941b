"""What is stored of a message's body: sanitised HTML and its text, up to FEDERE_MAX_MESSAGE_TEXT_KB.

A 10 MB message must not hang anything downstream (rules, listening, classifiers, pages): its HTML is cut at
``HTML_PER_TEXT`` times the limit before it is sanitised, and only the first FEDERE_MAX_MESSAGE_TEXT_KB K
characters (1 K = 1,024) of its text are kept, with the size the network sent (docs/operations.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from federe.core.html import html_to_text, sanitize_html, text_to_html

#: HTML longer than this many times the text limit is cut before it is sanitised, so the work stays bounded.
HTML_PER_TEXT = 8


@dataclass
class Body:
    """What is stored of an item's body: sanitised HTML, its text, and the size sent when it was cut."""

    html: str
    text: str
    truncated_from: int | None = None


def body_of(raw_html: str) -> Body:
    """The first FEDERE_MAX_MESSAGE_TEXT_KB K characters of text; a longer message keeps its beginning, as
    paragraphs of text (its HTML cut anywhere would not say the same thing), and records its size."""
    raw_html = raw_html or ""
    limit = max(1, settings.FEDERE_MAX_MESSAGE_TEXT_KB) * 1024
    cut = len(raw_html) > limit * HTML_PER_TEXT
    html = sanitize_html(raw_html[: limit * HTML_PER_TEXT] if cut else raw_html)
    text = html_to_text(html)
    if not cut and len(text) <= limit:
        return Body(html, text)
    text = text[:limit]
    return Body(text_to_html(text), text, len(raw_html))
