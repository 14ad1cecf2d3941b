"""The excerpt of a found message: a window of its text around the first matching word, the matching words in
``<mark>``, everything else escaped (the text is the network's, never trusted as HTML).

A word of the text matches when its stem in the message's language is one of the query's forms
(``analysis.forms``), the comparison the index made; the words of a phrase are marked one by one.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from federe.core.text import WORD_RE, normalise_with_offsets
from federe.search.analysis import forms, stem

WIDTH = 240  # characters shown
BEFORE = 60  # characters kept before the first match
MAX_TEXT = 20_000  # characters read to find a match (long messages: the start is enough for an excerpt)


def _spans(text: str, language: str, wanted: set[str]) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of each word whose stem is wanted."""
    folded, offsets = normalise_with_offsets(text)
    spans = []
    for match in WORD_RE.finditer(folded):
        if stem(language, match.group()) in wanted:
            spans.append((offsets[match.start()], offsets[match.end() - 1] + 1))
    return spans


def highlighted(text: str, language: str, terms: tuple[tuple[str, ...], ...]) -> SafeString:
    """The escaped excerpt of ``text`` with the words matching ``terms`` marked."""
    text = text[:MAX_TEXT]
    wanted = {word for term in terms for form in forms(term) for word in form}
    spans = _spans(text, language, wanted)
    start = max(0, spans[0][0] - BEFORE) if spans else 0
    if start:
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + WIDTH)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces = ["…" if start else ""]
    position = start
    for first, last in spans:
        if first < position or first >= end:
            continue
        last = min(last, end)
        pieces += [escape(text[position:first]), "<mark>", escape(text[first:last]), "</mark>"]
        position = last
    pieces += [escape(text[position:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of the text is escaped above
