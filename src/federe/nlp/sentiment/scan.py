"""One pass over a text's tokens, left to right: the rules of negation, intensity and contrast.

Each token's entry says what kind of word it is. Function words change the state of the pass (a negation that
reaches the next few words, a multiplier waiting for its sentiment word, a French "ne" waiting for its "pas",
the weight after a "mais"); a sentiment word (or expression) becomes one hit, scored under that state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from federe.core.text import normalise
from federe.nlp.sentiment.lexicon import (
    ARG,
    BORING,
    CANON,
    EMPH,
    K_CONTRAST,
    K_EMO,
    K_INT,
    K_NE,
    K_NECOND,
    K_NEG,
    K_PAS,
    K_PLUS,
    K_PUNCT,
    K_QUE,
    K_WORD,
    KIND,
    MWE,
    PRENEG,
    VAL,
    Entry,
    Lang,
)
from federe.nlp.sentiment.params import Params
from federe.nlp.sentiment.resolve import resolve


class Scan:
    """What one pass over a text found, and (while it runs) where the pass stands."""

    __slots__ = (
        "caps",
        "content",
        "contrast",
        "emoji",
        "excl",
        "hits",
        "last_i",
        "last_raw",
        "mult",
        "mult_left",
        "n_punct",
        "ne_active",
        "ne_start",
        "neg_factor",
        "neg_left",
        "negated",
        "question",
        "tokens",
        "vals",
        "weight",
    )

    def __init__(self) -> None:
        self.vals: list[list[Any]] = []  # [feature, signed contribution, is_emoji, frozen (emoji, expression)]
        self.hits = 0
        self.negated = 0
        self.emoji = 0
        self.excl = 0
        self.question = False
        self.content = False
        self.caps = 0
        self.contrast = 0
        self.tokens = 0
        self.n_punct = 0
        self.neg_left = 0  # words a negation still reaches
        self.neg_factor = 0.0  # its soft flip factor, 0 for the default ones
        self.ne_active = False
        self.ne_start = -1  # French "ne" seen: hits since vals[ne_start] wait for "pas"/"plus"/"jamais"...
        self.mult = 1.0
        self.mult_left = 0  # words an intensifier still reaches
        self.weight = 1.0  # 1, then more after a contrast
        self.last_i = -2  # token index of the last hit that "pas" may still flip ("j'aime pas")
        self.last_raw = 0.0

    def pass_word(self) -> None:
        """A word that carries nothing still uses up the reach of a negation and of an intensifier."""
        if self.neg_left:
            self.neg_left -= 1
        if self.mult_left:
            self.mult_left -= 1

    def start_ne(self) -> None:
        self.ne_active = True
        self.ne_start = len(self.vals)
        self.neg_left = 0

    def stop(self) -> None:
        """Punctuation and contrasts end every pending negation and intensifier."""
        self.neg_left = 0
        self.ne_active = False
        self.ne_start = -1
        self.mult_left = 0
        self.last_i = -2


def scan(toks: list[str], all_caps: bool, lang: Lang, p: Params) -> Scan:
    s = Scan()
    lex = lang.lex
    n = len(toks)
    skip = 0
    for i in range(n):
        if skip:
            skip -= 1
            continue
        low = toks[i].lower()
        e = lex.get(low)
        if e is None:
            e = resolve(low, lang)
        if e is BORING:
            s.pass_word()
            continue
        feature, is_mwe, end = low, False, i
        elongated = e[EMPH] != 1.0
        if e[MWE]:
            found = _expression(toks, i, lang.mwe[e[CANON]])
            if found is not None:
                e, skip = found
                feature, is_mwe, end = " ".join(toks[i : i + skip + 1]).lower(), True, i + skip
        if e[KIND] == K_EMO:  # never negated nor intensified
            s.emoji += 1
            if e[VAL]:
                s.vals.append([feature, e[VAL] * s.weight, True, True])
            continue
        v = _value(s, e, toks, i, i + skip + 1, is_mwe, lang, p)
        if v is None:
            continue
        if not v:
            s.pass_word()
            continue
        frozen = is_mwe and e[PRENEG]
        _hit(s, v, toks[i], feature, frozen, end, elongated, all_caps, p)
    s.tokens = n
    s.content = n > s.n_punct
    return s


def _expression(toks: list[str], i: int, candidates: list[tuple[tuple[str, ...], Entry]]) -> tuple[Entry, int] | None:
    """The longest expression that starts at token ``i``: its entry and the number of tokens after the first."""
    n = len(toks)
    for rest, ent in candidates:
        k = len(rest)
        if i + k >= n:
            continue
        for j in range(k):
            t2 = toks[i + 1 + j].lower()
            if not t2.isascii():
                t2 = normalise(t2)
            if t2 != rest[j]:
                break
        else:
            return ent, k
    return None


def _value(
    s: Scan, e: Entry, toks: list[str], i: int, following: int, is_mwe: bool, lang: Lang, p: Params
) -> float | None:
    """The valence of the token at ``i`` when it may be a hit, or None once a function word has done its work on
    the state (``following`` is the index of the token after it, or after the expression it starts)."""
    kind = e[KIND]
    if kind == K_PUNCT:
        _punctuation(s, e)
        return None
    if e[PRENEG] and not is_mwe:  # "n'aime", "n'est": negated once "pas" (or "plus"...) confirms
        s.start_ne()
    if kind == K_WORD:
        return e[VAL]
    if kind == K_INT:
        return None if _intensifies(s, e, toks, following, lang) else e[VAL]
    handler = _FUNCTION_WORDS.get(kind)
    if handler is not None:
        handler(s, e, i, is_mwe, p)
    return None


def _punctuation(s: Scan, e: Entry) -> None:
    s.n_punct += 1
    if e[ARG]:
        s.excl += int(e[ARG])
    if e[PRENEG]:
        s.question = True
    s.stop()


def _intensifies(s: Scan, e: Entry, toks: list[str], following: int, lang: Lang) -> bool:
    """Whether an intensifier multiplies what follows: "super" alone is praise, "super cher" is an intensifier."""
    peek_hit = False
    if e[VAL] and following < len(toks):
        t2 = toks[following].lower()
        e2 = lang.lex.get(t2)
        if e2 is None:
            e2 = resolve(t2, lang)
        kind2 = e2[KIND]
        peek_hit = e2[MWE] or kind2 == K_INT or (kind2 == K_WORD and e2[VAL] != 0.0)
    if not (peek_hit or not e[VAL]):
        return False
    s.mult = min(s.mult * e[ARG], 3.0) if s.mult_left else e[ARG]
    s.mult_left = 2
    return True


def _negation(s: Scan, e: Entry, i: int, is_mwe: bool, p: Params) -> None:
    if is_mwe and s.last_i == i - 1:  # "j'aime pas trop", "j'aime pas du tout": an expression that ends at i
        _flip_previous(s, e[ARG] or (p.neg_pos if s.last_raw > 0 else p.neg_neg))
    else:
        if s.ne_start >= 0:  # "je n'ai aucun..."
            s.negated += _confirm_ne(s.vals, s.ne_start, p)
            s.ne_start = -1
        s.neg_left = p.scope
        s.neg_factor = e[ARG]
    s.last_i = -2


def _ne(s: Scan, e: Entry, i: int, is_mwe: bool, p: Params) -> None:
    s.start_ne()


def _que(s: Scan, e: Entry, i: int, is_mwe: bool, p: Params) -> None:
    if s.ne_start >= 0:  # "ne ... que" restricts, it does not negate
        s.ne_start = -1
        s.ne_active = False
        s.neg_left = 0


def _pas(s: Scan, e: Entry, i: int, is_mwe: bool, p: Params) -> None:
    """ "pas", "plus", "personne": the end of a French negation, or informal negation of the word before."""
    kind = e[KIND]
    if s.ne_active:
        if s.ne_start >= 0:
            s.negated += _confirm_ne(s.vals, s.ne_start, p)
            s.ne_start = -1
        s.neg_left = p.scope
        s.neg_factor = 0.0
    elif kind == K_NECOND:
        pass
    elif s.last_i == i - 1:  # "j'aime pas": flip the word just before
        _flip_previous(s, p.neg_pos if s.last_raw > 0 else p.neg_neg)
        s.last_i = -2
    elif kind == K_PLUS:
        s.mult = e[ARG]
        s.mult_left = 2
    else:
        s.neg_left = p.scope
        s.neg_factor = 0.0


def _contrast(s: Scan, e: Entry, i: int, is_mwe: bool, p: Params) -> None:
    """What came before "mais"/"but" weighs less, what comes after weighs more."""
    for item in s.vals:
        item[1] *= p.before_contrast
    s.weight = p.after_contrast
    s.contrast += 1
    s.stop()


_FUNCTION_WORDS: dict[int, Callable[[Scan, Entry, int, bool, Params], None]] = {
    K_NEG: _negation,
    K_NE: _ne,
    K_QUE: _que,
    K_PAS: _pas,
    K_PLUS: _pas,
    K_NECOND: _pas,
    K_CONTRAST: _contrast,
}


def _flip_previous(s: Scan, factor: float) -> None:
    """Negate the hit just before, with its value as it was before any negation."""
    item = s.vals[-1]
    item[1] = s.last_raw * factor * s.weight
    item[0] = "¬" + item[0]
    s.negated += 1


def _hit(
    s: Scan, v: float, tok: str, feature: str, frozen: bool, end: int, elongated: bool, all_caps: bool, p: Params
) -> None:
    """A sentiment word (or expression): scaled by emphasis and intensity, negated when a negation reaches it."""
    s.hits += 1
    if elongated:
        v *= p.elongated
    if s.mult_left:
        if not (s.neg_left and s.mult > 1.0):  # "pas très bon" is not "très pas bon"
            v *= s.mult
        s.mult_left = 0
    if not all_caps and len(tok) > 1 and tok.isupper():
        v *= p.caps
        s.caps += 1
    if s.neg_left and not frozen:
        if s.neg_factor:
            v *= s.neg_factor
        else:
            v *= p.neg_pos if v > 0 else p.neg_neg
        feature = "¬" + feature
        s.negated += 1
        s.neg_left -= 1
        s.last_i = -2
    else:
        if s.neg_left:
            s.neg_left -= 1
        s.last_raw = v
        s.last_i = -2 if frozen else end
    s.vals.append([feature, v * s.weight, False, frozen])


def _confirm_ne(vals: list[list[Any]], start: int, p: Params) -> int:
    """Negate the hits between "ne" and its "pas": "je n'aime pas", "ce n'est vraiment pas"."""
    count = 0
    for item in vals[start:]:
        if not item[3] and not item[0].startswith("¬"):
            item[1] *= p.neg_pos if item[1] > 0 else p.neg_neg
            item[0] = "¬" + item[0]
            count += 1
    return count
