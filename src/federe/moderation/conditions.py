"""Rule conditions: pure functions over a message's facts, each returning why it matched.

A condition is a dict such as {"type": "words", "words": ["arnaque", "gagn*"]}. Matching of
words is accent- and case-insensitive, on word boundaries, with ``*`` as a wildcard.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{1,4}\)?[\s.-]?){3,5}\d{2,4}")


@dataclass(frozen=True)
class Facts:
    """What conditions may look at; built once per message."""

    text: str
    html: str
    language: str
    connection_id: int
    author_is_new: bool
    scores: dict[str, float] = field(default_factory=dict)


def fold(text: str) -> str:
    """Lower-case and strip accents, so that "Arnaqué" matches "arnaque"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=512)
def words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for word in words:
        folded = fold(word.strip())
        if not folded:
            continue
        escaped = re.escape(folded).replace(r"\*", r"\w*")
        parts.append(escaped)
    if not parts:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _words(cond: dict[str, Any], facts: Facts) -> str | None:
    found = words_pattern(tuple(cond.get("words", []))).findall(fold(facts.text))
    if not found:
        return None
    return _("watched words: %(words)s") % {"words": ", ".join(sorted(set(found)))}


def _links(cond: dict[str, Any], facts: Facts) -> str | None:
    count = len(_LINK.findall(facts.text)) + facts.html.count("<a ")
    minimum = int(cond.get("min", 1))
    return _("%(n)d link(s), limit %(min)d") % {"n": count, "min": minimum} if count >= minimum else None


def _contact(cond: dict[str, Any], facts: Facts) -> str | None:
    if _EMAIL.search(facts.text):
        return _("an e-mail address in the text")
    if _PHONE.search(facts.text):
        return _("a phone number in the text")
    return None


def _emoji_only(cond: dict[str, Any], facts: Facts) -> str | None:
    stripped = "".join(ch for ch in facts.text if not ch.isspace())
    if stripped and not any(ch.isalnum() for ch in stripped):
        return _("only emoji or symbols")
    return None


def _length(cond: dict[str, Any], facts: Facts) -> str | None:
    size = len(facts.text)
    if "min" in cond and size < int(cond["min"]):
        return _("%(n)d characters, shorter than %(limit)d") % {"n": size, "limit": int(cond["min"])}
    if "max" in cond and size > int(cond["max"]):
        return _("%(n)d characters, longer than %(limit)d") % {"n": size, "limit": int(cond["max"])}
    return None


def _language(cond: dict[str, Any], facts: Facts) -> str | None:
    return _("language is %(lang)s") % {"lang": facts.language} if facts.language in cond.get("in", []) else None


def _new_author(cond: dict[str, Any], facts: Facts) -> str | None:
    return _("first message from this author in the workspace") if facts.author_is_new else None


def _channel(cond: dict[str, Any], facts: Facts) -> str | None:
    return _("on a watched channel") if facts.connection_id in {int(c) for c in cond.get("in", [])} else None


def _score(cond: dict[str, Any], facts: Facts) -> str | None:
    task, threshold = str(cond.get("task", "")), float(cond.get("min", 1.0))
    value = facts.scores.get(task)
    if value is None or value < threshold:
        return None
    return _("%(task)s score %(value).2f ≥ %(min).2f") % {"task": task, "value": value, "min": threshold}


CONDITIONS: dict[str, Callable[[dict[str, Any], Facts], str | None]] = {
    "words": _words,
    "links": _links,
    "contact": _contact,
    "emoji_only": _emoji_only,
    "length": _length,
    "language": _language,
    "new_author": _new_author,
    "channel": _channel,
    "score": _score,
}


def evaluate(cond: dict[str, Any], facts: Facts) -> str | None:
    """The reason this condition matched, or None; negation with {"not": true}."""
    reason = CONDITIONS[cond["type"]](cond, facts)
    if cond.get("not"):
        return None if reason else _("not: %(type)s") % {"type": cond["type"]}
    return reason
