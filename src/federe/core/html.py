"""Community HTML is hostile until sanitised: nh3 keeps a small, safe subset."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "u",
    "ul",
    "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def sanitize_html(raw: str) -> str:
    return nh3.clean(
        raw or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def html_to_text(safe_html: str) -> str:
    """Plain text of already-sanitised HTML, for search, language and previews."""
    with_breaks = re.sub(r"<(br|/p|/li|/blockquote)\s*/?>", " ", safe_html, flags=re.IGNORECASE)
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", with_breaks))).strip()


def text_to_html(text: str) -> str:
    """A reply typed as text, as the safe HTML we store and send."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
