"""The lookup tables of the lexicon scorer, built once per process from the files in ``nlp/data``.

- ``sentiment_{fr,en}.tsv``: sentiment words and expressions (``term<TAB>valence``);
- ``sentiment_emoji.tsv``: emoji and emoticons;
- ``sentiment_rules_{fr,en}.tsv``: function words (``term<TAB>role<TAB>factor``): negation, intensity, contrast
  and the pieces of French negation (``ne``, ``pas``, ``plus``, ``que``...);
- ``sentiment_negators.txt``: the words that make an expression carry its own negation (``pas terrible``).

Every table entry is one tuple (see the field indexes below), so that scoring a token is one dict lookup.
"""

from __future__ import annotations

import re
import threading
from importlib import resources

from federe.core.text import normalise

# Token kinds.
K_WORD, K_EMO, K_NEG, K_INT, K_CONTRAST, K_NE, K_PAS, K_PLUS, K_NECOND, K_PUNCT, K_QUE = range(11)
#: The roles a rules file may give a function word. For "intensity" the factor multiplies the next sentiment
#: word; for "negation" a non-zero factor is a soft flip applied to both signs ("moins cher" is good news).
ROLES = {
    "negation": K_NEG,
    "intensity": K_INT,
    "contrast": K_CONTRAST,
    "ne": K_NE,  # French "ne": the hits after it wait for their "pas"
    "que": K_QUE,  # "ne ... que" restricts, it does not negate
    "pas": K_PAS,  # completes "ne", or flips the word just before ("j'aime pas")
    "plus": K_PLUS,  # completes "ne", or intensifies
    "ne-only": K_NECOND,  # negates only after "ne" ("personne")
}
# Entry fields: (valence, kind, arg, canon, preneg, emphasis, starts a multi-word expression). For an expression,
# "preneg" means it carries its own negation ("pas terrible", "not bad") and is never negated again.
VAL, KIND, ARG, CANON, PRENEG, EMPH, MWE = range(7)
Entry = tuple  # the seven fields above
#: The entry of every word that carries nothing and starts no expression (most words): one identity test.
BORING: Entry = (0.0, K_WORD, 1.0, "", False, 1.0, False)
#: Accent-free spellings that are other, common words: "sur" is not "sûr", "a" is not "à".
NO_FOLD = frozenset(["sur", "a", "la", "ou", "du", "des", "mur", "cote", "tache", "peche", "pecher", "mais", "foret"])

WORD_RE = r"[^\W\d_]+(?:'[^\W\d_]+)*"
_EMOJI_RE = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2300-\u23FF\u2B00-\u2BFF]"
_PUNCT_RE = r"[!?]+|[.,;:…]+"
_WORD_ONLY = re.compile(WORD_RE)


def _data_lines(name: str) -> list[str]:
    """The lines of one shipped data file, without blank and comment lines."""
    raw = resources.files("federe.nlp").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in raw.splitlines() if line.strip() and not line.startswith("#")]


def read_lexicon(name: str) -> dict[str, float]:
    """One of the shipped TSV files as ``{term: valence}`` (comment lines skipped)."""
    out: dict[str, float] = {}
    for line in _data_lines(name):
        term, _, value = line.partition("\t")
        out[term.strip()] = float(value)
    return out


def read_rules(name: str) -> dict[str, tuple[int, float]]:
    """A rules file as ``{term: (kind, factor)}``, in the file's order (it decides accent-free collisions)."""
    out: dict[str, tuple[int, float]] = {}
    for line in _data_lines(name):
        term, role, factor = line.split("\t")
        out[term.strip()] = (ROLES[role], float(factor))
    return out


def read_words(name: str) -> frozenset[str]:
    return frozenset(line.strip() for line in _data_lines(name))


Expressions = dict[str, list[tuple[tuple[str, ...], Entry]]]


class Lang:
    """One language's lookup tables: ``lex`` (base entries plus a cache of resolved tokens), ``base`` (the
    entries read from the files) and ``mwe`` (multi-word expressions by their first word, longest first)."""

    __slots__ = ("base", "code", "lex", "mwe")

    def __init__(
        self,
        code: str,
        words: dict[str, float],
        rules: dict[str, tuple[int, float]],
        emoji: dict[str, float],
        negators: frozenset[str],
    ):
        self.code = code
        entries: dict[str, tuple[float, int, float]] = {term: (v, K_WORD, 1.0) for term, v in words.items()}
        for term, (kind, arg) in rules.items():
            entries[term] = (words.get(term, 0.0), kind, arg)
        mwe, singles = _split(entries, negators)
        lex = _single_words(singles, mwe)
        for term, v in emoji.items():
            lex.setdefault(term, (v, K_EMO, 1.0, term, False, 1.0, False))
        for cands in mwe.values():
            cands.sort(key=lambda c: -len(c[0]))
        self.lex = lex
        self.base = dict(lex)
        self.mwe = mwe


def _split(
    entries: dict[str, tuple[float, int, float]], negators: frozenset[str]
) -> tuple[Expressions, list[tuple[str, float, int, float]]]:
    """Multi-word expressions (by their first accent-free word), and the single words, in order."""
    mwe: Expressions = {}
    singles: list[tuple[str, float, int, float]] = []
    for term, (v, kind, arg) in entries.items():
        canon_tokens = _WORD_ONLY.findall(normalise(term))
        if len(canon_tokens) > 1:
            own_negation = any(t in negators or t.endswith("n't") or t.startswith("n'") for t in canon_tokens)
            entry = (v, kind, arg, term, own_negation, 1.0, False)
            mwe.setdefault(canon_tokens[0], []).append((tuple(canon_tokens[1:]), entry))
        else:
            singles.append((term, v, kind, arg))
    return mwe, singles


def _single_words(singles: list[tuple[str, float, int, float]], mwe: Expressions) -> dict[str, Entry]:
    """Exact forms first, then their accent-free forms where no other word has them."""
    lex: dict[str, Entry] = {}
    folded: list[tuple[str, Entry]] = []
    for term, v, kind, arg in singles:
        canon = normalise(term)
        entry = (v, kind, arg, canon, False, 1.0, canon in mwe)
        lex[term] = entry
        if canon != term:
            folded.append((canon, entry))
    for key, entry in folded:
        if key not in NO_FOLD:
            lex.setdefault(key, entry)
    return lex


def _token_pattern(emoji: dict[str, float]) -> re.Pattern[str]:
    """Words, emoticons, emoji and runs of punctuation.

    Emoticons that start with a letter ("xD") are found as words; the others are tried only where one of their
    first characters stands, so most positions cost a single character-class test.
    """
    alts = []
    firsts: set[str] = set()
    for emo in sorted((e for e in emoji if e.isascii() and not e[0].isalpha()), key=len, reverse=True):
        esc = re.escape(emo)
        if emo[-1] in ")(][dp3":
            esc += "+"
        alts.append(rf"(?<![:/]){esc}(?![\w/])")
        firsts.update({emo[0].lower(), emo[0].upper()})
    gate = "[" + "".join(re.escape(c) for c in sorted(firsts)) + "]"
    emoticons = f"(?={gate})(?i:" + "|".join(alts) + ")" if alts else r"(?!x)x"
    return re.compile(f"{WORD_RE}|{emoticons}|{_EMOJI_RE}|{_PUNCT_RE}")


class State:
    """Both languages' tables and the tokeniser."""

    __slots__ = ("langs", "token")

    def __init__(self) -> None:
        emoji = read_lexicon("sentiment_emoji.tsv")
        negators = read_words("sentiment_negators.txt")
        self.langs = {
            code: Lang(
                code, read_lexicon(f"sentiment_{code}.tsv"), read_rules(f"sentiment_rules_{code}.tsv"), emoji, negators
            )
            for code in ("fr", "en")
        }
        self.token = _token_pattern(emoji)


_state: State | None = None
_state_lock = threading.Lock()


def get_state() -> State:
    """The tables, loaded by the first caller of the process (the files are read once)."""
    global _state
    if _state is None:
        with _state_lock:
            if _state is None:
                _state = State()
    return _state
