"""Tokens that are not in the tables as written: accent-free, elided, elongated, laughter, inflected.

Each such token is resolved once and its entry cached in the language's ``lex`` (bounded by ``_MAX_CACHE``);
a token that carries nothing and starts no expression is cached as ``BORING``.
"""

from __future__ import annotations

import re

from federe.core.text import normalise
from federe.nlp.sentiment.lexicon import (
    ARG,
    BORING,
    CANON,
    EMPH,
    K_EMO,
    K_NEG,
    K_PUNCT,
    K_WORD,
    KIND,
    MWE,
    NO_FOLD,
    PRENEG,
    VAL,
    Entry,
    Lang,
)

PUNCT_START = frozenset("!?.,;:…")
_ELONG = re.compile(r"(\w)\1{2,}")
_LAUGH = (
    (re.compile(r"^(?:ha|ah){2,}h?$"), "haha"),
    (re.compile(r"^(?:he|eh){2,}h?$"), "hehe"),
    (re.compile(r"^(?:hi){2,}h?$"), "hihi"),
    (re.compile(r"^(?:lo)+l+$"), "lol"),
    (re.compile(r"^m+d+r+$"), "mdr"),
    (re.compile(r"^x+d+$"), "xd"),
)
_ELISION = frozenset(["l", "d", "j", "n", "c", "qu", "s", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu"])
_MAX_CACHE = 200_000


def resolve(low: str, lang: Lang) -> Entry:
    """An entry for a token not found as-is; cached in ``lang.lex``."""
    entry = _resolve_uncached(low, lang)
    starts = entry[CANON] in lang.mwe
    if entry[KIND] == K_WORD and entry[VAL] == 0.0 and not entry[PRENEG] and not starts:
        entry = BORING
    elif entry[MWE] != starts:
        entry = (*entry[:6], starts)
    lex = lang.lex
    if len(lex) > len(lang.base) + _MAX_CACHE:
        lex.clear()
        lex.update(lang.base)
    lex[low] = entry
    return entry


def _unknown(low: str) -> Entry:
    kind = K_WORD if low[:1].isalpha() else K_EMO
    return (0.0, kind, 1.0, normalise(low), False, 1.0, False)


def _is_sentiment(entry: Entry | None) -> bool:
    return entry is not None and entry[KIND] == K_WORD and entry[VAL] != 0.0


def _lookup_plain(word: str, base: dict[str, Entry]) -> Entry | None:
    entry = base.get(word)
    if entry is None and not word.isascii():
        folded = normalise(word)
        if folded not in NO_FOLD:
            entry = base.get(folded)
    return entry


def _as(sub: Entry, canon: str, preneg: bool | None = None) -> Entry:
    """``sub``'s meaning under another spelling (``canon``), with its own negation flag unless one is given."""
    return (sub[VAL], sub[KIND], sub[ARG], canon, sub[PRENEG] if preneg is None else preneg, sub[EMPH], False)


def _resolve_uncached(low: str, lang: Lang) -> Entry:
    if low[0] in PUNCT_START and low[-1] in PUNCT_START:
        return (0.0, K_PUNCT, float(low.count("!")), low, "?" in low, 1.0, False)
    entry = _lookup_plain(low, lang.base)
    if entry is not None:
        return entry
    if not low[:1].isalpha():
        return _emoticon(low, lang)
    canon = normalise(low)
    if "'" in low:
        return _apostrophe(low, canon, lang)
    sub = _resolve_word(low, lang)
    if sub[EMPH] != 1.0:  # "trooop" is "trop", and starts what "trop" starts
        return sub
    return _as(sub, canon)


def _emoticon(low: str, lang: Lang) -> Entry:
    """An emoji or emoticon with its last character repeated: ":)))" is ":)"."""
    short = low
    while len(short) > 2 and short[-1] == short[-2]:
        short = short[:-1]
    entry = lang.base.get(short)
    return entry if entry is not None else _unknown(low)


def _apostrophe(low: str, canon: str, lang: Lang) -> Entry:
    """French elision ("l'", "n'", "qu'"...) reads the word after it; English reads the word before ("'s")."""
    head, _, tail = low.partition("'")
    if lang.code == "fr":
        if head in _ELISION and tail:
            sub = _resolve_word(tail, lang)
            return _as(sub, canon, True) if head == "n" else _as(sub, canon)
    else:
        if low.endswith("n't"):
            return (0.0, K_NEG, 0.0, canon, False, 1.0, False)
        return _as(_resolve_word(head, lang), canon)
    return _as(_resolve_word(tail, lang), canon)


def _resolve_word(word: str, lang: Lang) -> Entry:
    """A word without apostrophe: exact, accent-free, laughter, elongation, then inflection."""
    base = lang.base
    entry = _lookup_plain(word, base)
    if entry is not None:
        return entry
    for pattern, target in _LAUGH:
        if pattern.match(word):
            entry = base.get(target)
            if entry is not None:
                return entry
    if _ELONG.search(word):
        for shorter in (_ELONG.sub(r"\1\1", word), _ELONG.sub(r"\1", word)):
            entry = _lookup_plain(shorter, base) or _inflected(shorter, lang)
            if entry is not None:
                return (entry[VAL], entry[KIND], entry[ARG], entry[CANON], entry[PRENEG], 1.25, False)
    entry = _inflected(word, lang)
    if entry is not None:
        return entry
    return _unknown(word)


def _inflected(word: str, lang: Lang) -> Entry | None:
    """A light stemmer, used only to find a lexicon word (never a function word)."""
    if len(word) < 4:
        return None
    candidates = _french_stems(word) if lang.code == "fr" else _english_stems(word)
    for cand in candidates:
        if len(cand) >= 3:
            entry = _lookup_plain(cand, lang.base)
            if _is_sentiment(entry):
                return entry
    return None


def _french_stems(word: str) -> list[str]:
    candidates = []
    if word.endswith("aux"):
        candidates.append(word[:-3] + "al")
    if word.endswith("es"):
        candidates.append(word[:-2])
    if word[-1] in "sx":
        candidates.append(word[:-1])
    if word.endswith("e"):
        candidates.append(word[:-1])
    if word.endswith("ement"):  # "rapidement" → "rapide"
        candidates.append(word[:-4])
    return candidates


def _english_stems(word: str) -> list[str]:
    candidates = []
    if word.endswith("ies"):
        candidates.append(word[:-3] + "y")
    if word.endswith("ied"):
        candidates.append(word[:-3] + "y")
    if word.endswith("es"):
        candidates.append(word[:-2])
    if word.endswith("s"):
        candidates.append(word[:-1])
    if word.endswith("ed"):
        candidates += [word[:-2], word[:-1]]
    if word.endswith("ing"):
        candidates += [word[:-3], word[:-3] + "e"]
    if word.endswith("ly"):
        candidates.append(word[:-2])
    return candidates
