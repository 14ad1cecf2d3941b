"""Rule conditions: pure functions over a message's facts, each returning why it matched.

A condition is a dict such as {"type": "words", "words": ["arnaque", "gagn*"]}. Watched words are matched
exactly as listening queries match a word or a "phrase" (``federe.core.wordmatch``): the text is normalised
(``federe.core.text.normalise``: case, accents, ligatures, apostrophes, dashes, width), cut into words at every
character that is not a letter or digit, and a phrase is its words next to each other; ``*`` stands for any
letters or digits and is matched without backtracking.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from federe.core.text import term_patterns
from federe.core.wordmatch import Sequence, Words

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Bounded parts (an address's local part has at most 64 characters, a domain label 63, a domain 253), so each
# attempt reads a bounded stretch and a long word is read in one pass, not once per starting position.
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,253}")
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


@lru_cache(maxsize=512)
def _watched(words: tuple[str, ...]) -> tuple[Sequence, ...]:
    """One matcher per watched word or phrase; entries without a letter or digit watch nothing."""
    return tuple(Sequence(patterns) for patterns in map(term_patterns, words) if patterns)


@lru_cache(maxsize=16)
def _words_of(text: str) -> Words:
    """Several rules look at the same message one after the other: it is cut into words once."""
    return Words.of(text)


def watched_words(words: tuple[str, ...], text: str) -> list[str]:
    """The watched words and phrases found in ``text``, normalised, each once, sorted."""
    sequences = _watched(words)
    if not sequences:
        return []
    doc = _words_of(text)
    return sorted({doc.folded_text(span) for seq in sequences for span in seq.spans(doc)})


Reason = dict[str, Any]  # {"code": ..., "params": {...}}: stored as data, put into words when shown


def _reason(code: str, **params: Any) -> Reason:
    return {"code": code, "params": params}


def _words(cond: dict[str, Any], facts: Facts) -> Reason | None:
    found = watched_words(tuple(str(w) for w in cond.get("words", [])), facts.text)
    return _reason("words", words=found) if found else None


def _links(cond: dict[str, Any], facts: Facts) -> Reason | None:
    count = len(_LINK.findall(facts.text)) + facts.html.count("<a ")
    minimum = int(cond.get("min", 1))
    return _reason("links", n=count, min=minimum) if count >= minimum else None


def _contact(cond: dict[str, Any], facts: Facts) -> Reason | None:
    if _EMAIL.search(facts.text):
        return _reason("email")
    if _PHONE.search(facts.text):
        return _reason("phone")
    return None


def _emoji_only(cond: dict[str, Any], facts: Facts) -> Reason | None:
    stripped = "".join(ch for ch in facts.text if not ch.isspace())
    return _reason("emoji_only") if stripped and not any(ch.isalnum() for ch in stripped) else None


def _length(cond: dict[str, Any], facts: Facts) -> Reason | None:
    size = len(facts.text)
    if "min" in cond and size < int(cond["min"]):
        return _reason("too_short", n=size, limit=int(cond["min"]))
    if "max" in cond and size > int(cond["max"]):
        return _reason("too_long", n=size, limit=int(cond["max"]))
    return None


def _language(cond: dict[str, Any], facts: Facts) -> Reason | None:
    return _reason("language", lang=facts.language) if facts.language in cond.get("in", []) else None


def _new_author(cond: dict[str, Any], facts: Facts) -> Reason | None:
    return _reason("new_author") if facts.author_is_new else None


def _channel(cond: dict[str, Any], facts: Facts) -> Reason | None:
    return _reason("channel") if facts.connection_id in {int(c) for c in cond.get("in", [])} else None


def _score(cond: dict[str, Any], facts: Facts) -> Reason | None:
    task, threshold = str(cond.get("task", "")), float(cond.get("min", 1.0))
    value = facts.scores.get(task)
    if value is None or value < threshold:
        return None
    return _reason("score", task=task, value=round(value, 2), min=threshold)


SCORE_NAMES = {
    "spam": gettext_lazy("spam"),
    "toxicity": gettext_lazy("toxicity"),
    "negative": gettext_lazy("negative tone"),
}

CONDITIONS: dict[str, Callable[[dict[str, Any], Facts], Reason | None]] = {
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


def evaluate(cond: dict[str, Any], facts: Facts) -> Reason | None:
    """Why this condition matched, or None; negation with {"not": true}."""
    reason = CONDITIONS[cond["type"]](cond, facts)
    if cond.get("not"):
        return None if reason else _reason("not", type=cond["type"])
    return reason


LANGUAGE_NAMES = {
    "fr": gettext_lazy("French"),
    "en": gettext_lazy("English"),
    "other": gettext_lazy("another language"),
}


def _condition_name(kind: str) -> str:
    from federe.moderation.wording import CONDITION_NAMES

    return str(CONDITION_NAMES.get(kind, kind))


def describe(reason: Reason | str) -> str:
    """A stored reason in plain words, in the reader's language."""
    if isinstance(reason, str):
        return reason
    code, p = reason.get("code"), reason.get("params", {})
    texts: dict[str, Callable[[], str]] = {
        "words": lambda: _("watched words: %(words)s") % {"words": ", ".join(p.get("words", []))},
        "links": lambda: ngettext("%(n)d link, limit %(min)d", "%(n)d links, limit %(min)d", p.get("n", 0)) % p,
        "email": lambda: _("an e-mail address in the text"),
        "phone": lambda: _("a phone number in the text"),
        "emoji_only": lambda: _("only emoji or symbols"),
        "too_short": lambda: (
            ngettext(
                "%(n)d character, shorter than %(limit)d", "%(n)d characters, shorter than %(limit)d", p.get("n", 0)
            )
            % p
        ),
        "too_long": lambda: _("%(n)d characters, longer than %(limit)d") % p,
        "language": lambda: _("language is %(lang)s") % {"lang": LANGUAGE_NAMES.get(p.get("lang"), p.get("lang"))},
        "new_author": lambda: _("first message from this author in the workspace"),
        "channel": lambda: _("on a watched channel"),
        "score": lambda: (
            _("%(task)s score %(value)d%% (threshold %(min)d%%)")
            % {
                "task": SCORE_NAMES.get(p.get("task"), p.get("task")),
                "value": round(float(p.get("value", 0)) * 100),
                "min": round(float(p.get("min", 0)) * 100),
            }
        ),
        "not": lambda: _("not: %(condition)s") % {"condition": _condition_name(p.get("type", ""))},
        "note": lambda: str(p.get("text", "")),
        "refined_would": lambda: _refined_would(p),
        "refined_unmet": lambda: _refined_unmet(p),
    }
    return texts[code]() if code in texts else str(code)


def _refined_scores(p: dict[str, Any]) -> str:
    return ", ".join(
        _("%(task)s %(value)d%% (threshold %(min)d%%)")
        % {
            "task": SCORE_NAMES.get(s.get("task"), s.get("task")),
            "value": round(float(s.get("value") or 0) * 100),
            "min": round(float(s.get("min") or 0) * 100),
        }
        for s in p.get("scores", [])
    )


def _decided(p: dict[str, Any]) -> str:
    from federe.moderation.wording import action_text

    action = action_text({"type": p.get("decided", "")})
    if p.get("applied"):
        return _("“%(action)s” was already applied on the network") % {"action": action}
    return _("“%(action)s” was already decided") % {"action": action}


def _refined_would(p: dict[str, Any]) -> str:
    from federe.moderation.wording import action_text

    return _("Refined scores (%(scores)s): this rule would now choose “%(would)s”, but %(decided)s. Review it.") % {
        "scores": _refined_scores(p),
        "would": action_text({"type": p.get("would", "")}),
        "decided": _decided(p),
    }


def _refined_unmet(p: dict[str, Any]) -> str:
    return _("Refined scores (%(scores)s) no longer meet this rule, and %(decided)s. Review it.") % {
        "scores": _refined_scores(p),
        "decided": _decided(p),
    }
