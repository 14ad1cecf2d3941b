"""Turn whatever arrives (bytes, HTML, zalgo, a novel) into a :class:`Doc` that every backend can score.

Nothing here raises for bad input: the problem is written down as a note (``truncated``, ``invalid_utf8``,
``html_removed``, ``zalgo``) or as a reason not to score (``empty``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from federe.nlp.base import Doc

#: Longer texts are cut here (characters) before scoring; the note ``truncated`` records it.
MAX_CHARS = 5000

_TAG = re.compile(r"<[^>]{0,2000}>")
_LOOKS_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?/?>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_SPACES = re.compile(r"\s+")
# Three or more combining marks in a row: zalgo, not French accents.
_ZALGO = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{3,}")
_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
#: A lone UTF-16 surrogate (valid in JSON as "\ud800"): no UTF-8 text can hold one.
SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def prepare(raw: str | bytes | None, *, meta: dict[str, Any] | None = None, language: str = "") -> Doc:
    notes: list[str] = []
    if raw is None:
        raw = ""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            notes.append("invalid_utf8")
    else:
        text = raw
        if SURROGATE.search(text):
            text = text.encode("utf-8", errors="replace").decode("utf-8")
            notes.append("invalid_utf8")
    if len(text) > MAX_CHARS * 4:
        text = text[: MAX_CHARS * 4]  # bound the work below; truncation is noted after cleaning
    if "<" in text and _LOOKS_HTML.search(text):
        text = _TAG.sub(" ", text)
        notes.append("html_removed")
    if "&" in text:
        import html

        text = html.unescape(text) if _ENTITY.search(text) else text
    if _ZALGO.search(text):
        text = unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", text)))
        notes.append("zalgo")
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        notes.append("truncated")
    doc = Doc(text=text, language=language or "other", meta=dict(meta or {}), notes=notes)
    if not text:
        doc.skip = "empty"
    return doc
