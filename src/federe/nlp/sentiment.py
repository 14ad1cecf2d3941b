"""Out-of-the-box sentiment for French and English: our own lexicons plus a few rules.

Nothing here was trained on research-only data. The lexicons in ``nlp/data/sentiment_*.tsv`` were
written for Fédère (same licence as the project); the rules are the usual ones of lexicon scorers:

- **negation** (``ne … pas``, ``pas``, ``jamais``, ``sans``, ``not``, ``never``, ``n't``…) flips and
  dampens the next few words; informal French ``j'aime pas`` flips the word just before ``pas``;
- **intensifiers and diminishers** (``très``, ``trop``, ``vraiment``, ``really``, ``a bit``, ``un peu``…)
  scale the next sentiment word; ``moins``/``less``/``peu`` flip it softly (``moins cher`` is good news);
- **contrast** (``mais``, ``but``, ``par contre``…): what comes after weighs more than what came before;
- **emphasis**: exclamation marks, ALL-CAPS words, elongated words (``trooop``, ``sooo``);
- **emoji and emoticons** (``sentiment_emoji.tsv``), never negated;
- **multi-word expressions** (``pas terrible``, ``pas mal``, ``à chier``, ``not bad``, ``no way``…),
  matched before single words.

Words are looked up as written, then normalised (``federe.core.text.normalise``, shared with every matcher:
accents, ligatures, full width), so ``genial`` finds ``génial``. The summed valence is squashed into a
compound score in [-1, 1], and a softmax with a neutral band turns it into three probabilities.

Everything is loaded once per process, lazily. Scoring is a regex tokeniser plus dict lookups; unknown
and unusual tokens (elongated, elided, inflected) are resolved once and cached.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

from federe.core.text import normalise
from federe.nlp.base import Contribution, DocBatch, NotScored, Result, Score

VERSION = "2026-11-23"
MODEL_ID = f"lexicon:sentiment@{VERSION}"
LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Params:
    """The tunable numbers, all set by hand. None is fitted to data: the only sentiment-labelled sets at hand are
    research-only (UMSAB), which may evaluate the shipped model locally but never shape it. Each workspace's own
    model (nlp.learning) learns its community's thresholds from its corrections."""

    scope: int = 3  # words a negation reaches
    neg_pos: float = -0.6  # factor for a negated positive word ("pas génial")
    neg_neg: float = -0.4  # factor for a negated negative word ("pas mauvais": mildly positive)
    before_contrast: float = 0.5  # weight of what comes before "mais"/"but"
    after_contrast: float = 1.5  # weight of what comes after
    exclamation: float = 0.3  # added in the direction of the sum, per "!", up to 4
    caps: float = 1.3  # an ALL-CAPS word in a message that is not all caps
    elongated: float = 1.25  # "trooop", "sooo"
    question: float = 0.9  # a question without "!" is a bit less sure
    alpha: float = 4.0  # compound = s / sqrt(s² + alpha), in [-1, 1]
    # The neutral band and the softmax temperature, round values chosen by hand.
    pos_threshold: float = 0.25  # compound above which positive beats neutral
    neg_threshold: float = 0.25  # compound below minus this: negative beats neutral
    temperature: float = 0.7  # logits are (compound - threshold) / temperature


DEFAULT_PARAMS = Params()

# Token kinds.
K_WORD, K_EMO, K_NEG, K_INT, K_CONTRAST, K_NE, K_PAS, K_PLUS, K_NECOND, K_PUNCT, K_QUE = range(11)
# Entry fields: (valence, kind, arg, canon, preneg, emphasis, starts a multi-word expression). For an expression,
# "preneg" means it carries its own negation ("pas terrible", "not bad") and is never negated again.
_VAL, _KIND, _ARG, _CANON, _PRENEG, _EMPH, _MWE = range(7)
#: The entry of every word that carries nothing and starts no expression (most words): one identity test.
_BORING = (0.0, K_WORD, 1.0, "", False, 1.0, False)

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'"})
_WORD_RE = r"[^\W\d_]+(?:'[^\W\d_]+)*"
_EMOJI_RE = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2300-\u23FF\u2B00-\u2BFF]"
_PUNCT_RE = r"[!?]+|[.,;:…]+"
_PUNCT_START = frozenset("!?.,;:…")
_WORD_ONLY = re.compile(_WORD_RE)
_ELONG = re.compile(r"(\w)\1{2,}")
_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_LAUGH = (
    (re.compile(r"^(?:ha|ah){2,}h?$"), "haha"),
    (re.compile(r"^(?:he|eh){2,}h?$"), "hehe"),
    (re.compile(r"^(?:hi){2,}h?$"), "hihi"),
    (re.compile(r"^(?:lo)+l+$"), "lol"),
    (re.compile(r"^m+d+r+$"), "mdr"),
    (re.compile(r"^x+d+$"), "xd"),
)
#: Accent-free spellings that are other, common words: "sur" is not "sûr", "a" is not "à".
_NO_FOLD = frozenset(["sur", "a", "la", "ou", "du", "des", "mur", "cote", "tache", "peche", "pecher", "mais", "foret"])
_ELISION = frozenset(["l", "d", "j", "n", "c", "qu", "s", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu"])
_MAX_CACHE = 200_000
_NEGATORS = frozenset(
    [
        "ne",
        "pas",
        "jamais",
        "rien",
        "plus",
        "aucun",
        "aucune",
        "sans",
        "ni",
        "personne",
        "guere",
        "non",
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "without",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "wont",
        "aint",
    ]
)

# Function words: negation, intensity, contrast. (kind, arg); for K_INT arg is the multiplier, for K_NEG a
# non-zero arg is a soft flip factor applied to both signs ("moins cher" is good, "moins bien" is bad).
_MODIFIERS: dict[str, dict[str, tuple[int, float]]] = {
    "fr": {
        "ne": (K_NE, 0.0),
        "que": (K_QUE, 0.0),
        "pas": (K_PAS, 0.0),
        "jamais": (K_PAS, 0.0),
        "rien": (K_PAS, 0.0),
        "plus": (K_PLUS, 1.2),
        "personne": (K_NECOND, 0.0),
        "aucun": (K_NEG, 0.0),
        "aucune": (K_NEG, 0.0),
        "sans": (K_NEG, 0.0),
        "ni": (K_NEG, 0.0),
        "guère": (K_NEG, 0.0),
        "non": (K_NEG, 0.0),
        "pas du tout": (K_NEG, 0.0),
        "pas vraiment": (K_NEG, -0.4),
        "pas trop": (K_NEG, -0.5),
        "à peine": (K_NEG, -0.4),
        "moins": (K_NEG, -0.5),
        "peu": (K_NEG, -0.6),
        "un peu": (K_INT, 0.6),
        "un petit peu": (K_INT, 0.5),
        "très": (K_INT, 1.5),
        "trop": (K_INT, 1.5),
        "vraiment": (K_INT, 1.4),
        "super": (K_INT, 1.6),
        "hyper": (K_INT, 1.6),
        "ultra": (K_INT, 1.6),
        "méga": (K_INT, 1.6),
        "giga": (K_INT, 1.7),
        "archi": (K_INT, 1.6),
        "tellement": (K_INT, 1.5),
        "vachement": (K_INT, 1.5),
        "carrément": (K_INT, 1.4),
        "franchement": (K_INT, 1.3),
        "absolument": (K_INT, 1.5),
        "totalement": (K_INT, 1.5),
        "complètement": (K_INT, 1.5),
        "extrêmement": (K_INT, 1.7),
        "particulièrement": (K_INT, 1.3),
        "incroyablement": (K_INT, 1.7),
        "terriblement": (K_INT, 1.6),
        "énormément": (K_INT, 1.6),
        "infiniment": (K_INT, 1.6),
        "profondément": (K_INT, 1.5),
        "sacrément": (K_INT, 1.5),
        "grave": (K_INT, 1.4),
        "bien": (K_INT, 1.3),
        "si": (K_INT, 1.3),
        "tout à fait": (K_INT, 1.3),
        "énorme": (K_INT, 1.4),
        "putain": (K_INT, 1.3),
        "assez": (K_INT, 1.1),
        "plutôt": (K_INT, 0.85),
        "légèrement": (K_INT, 0.6),
        "moyennement": (K_INT, 0.5),
        "presque": (K_INT, 0.7),
        "quasi": (K_INT, 0.8),
        "quasiment": (K_INT, 0.8),
        "relativement": (K_INT, 0.8),
        "mais": (K_CONTRAST, 0.0),
        "cependant": (K_CONTRAST, 0.0),
        "pourtant": (K_CONTRAST, 0.0),
        "toutefois": (K_CONTRAST, 0.0),
        "néanmoins": (K_CONTRAST, 0.0),
        "par contre": (K_CONTRAST, 0.0),
        "en revanche": (K_CONTRAST, 0.0),
        "sauf que": (K_CONTRAST, 0.0),
    },
    "en": {
        **dict.fromkeys(
            [
                "not",
                "no",
                "never",
                "none",
                "nobody",
                "nothing",
                "neither",
                "nor",
                "without",
                "cannot",
                "cant",
                "dont",
                "doesnt",
                "didnt",
                "isnt",
                "wasnt",
                "arent",
                "werent",
                "wont",
                "wouldnt",
                "shouldnt",
                "couldnt",
                "havent",
                "hasnt",
                "hadnt",
                "aint",
                "mustnt",
                "nowhere",
            ],
            (K_NEG, 0.0),
        ),
        "not really": (K_NEG, -0.4),
        "not that": (K_NEG, -0.5),
        "not very": (K_NEG, -0.5),
        "not so": (K_NEG, -0.5),
        "not at all": (K_NEG, 0.0),
        "less": (K_NEG, -0.5),
        "hardly": (K_NEG, -0.5),
        "barely": (K_NEG, -0.5),
        "rarely": (K_NEG, -0.5),
        "scarcely": (K_NEG, -0.5),
        "very": (K_INT, 1.5),
        "really": (K_INT, 1.4),
        "so": (K_INT, 1.4),
        "too": (K_INT, 1.3),
        "extremely": (K_INT, 1.7),
        "super": (K_INT, 1.6),
        "totally": (K_INT, 1.5),
        "absolutely": (K_INT, 1.6),
        "completely": (K_INT, 1.5),
        "utterly": (K_INT, 1.6),
        "incredibly": (K_INT, 1.7),
        "highly": (K_INT, 1.5),
        "hugely": (K_INT, 1.5),
        "insanely": (K_INT, 1.6),
        "ridiculously": (K_INT, 1.5),
        "truly": (K_INT, 1.4),
        "especially": (K_INT, 1.3),
        "particularly": (K_INT, 1.3),
        "most": (K_INT, 1.3),
        "more": (K_INT, 1.15),
        "quite": (K_INT, 1.15),
        "pretty": (K_INT, 1.25),
        "fairly": (K_INT, 0.85),
        "rather": (K_INT, 0.85),
        "somewhat": (K_INT, 0.7),
        "slightly": (K_INT, 0.6),
        "kinda": (K_INT, 0.7),
        "sorta": (K_INT, 0.7),
        "kind of": (K_INT, 0.7),
        "sort of": (K_INT, 0.7),
        "a bit": (K_INT, 0.6),
        "a little": (K_INT, 0.6),
        "a tad": (K_INT, 0.6),
        "fucking": (K_INT, 1.6),
        "fuckin": (K_INT, 1.6),
        "fkn": (K_INT, 1.6),
        "effing": (K_INT, 1.5),
        "freaking": (K_INT, 1.5),
        "freakin": (K_INT, 1.5),
        "frickin": (K_INT, 1.5),
        "damn": (K_INT, 1.4),
        "bloody": (K_INT, 1.4),
        "hella": (K_INT, 1.5),
        "mega": (K_INT, 1.6),
        "ultra": (K_INT, 1.6),
        "hyper": (K_INT, 1.5),
        "way": (K_INT, 1.3),
        "much": (K_INT, 1.2),
        "such": (K_INT, 1.3),
        "deeply": (K_INT, 1.5),
        "seriously": (K_INT, 1.3),
        "genuinely": (K_INT, 1.3),
        "literally": (K_INT, 1.2),
        "definitely": (K_INT, 1.2),
        "exceptionally": (K_INT, 1.7),
        "terribly": (K_INT, 1.5),
        "awfully": (K_INT, 1.5),
        "amazingly": (K_INT, 1.6),
        "but": (K_CONTRAST, 0.0),
        "however": (K_CONTRAST, 0.0),
        "nevertheless": (K_CONTRAST, 0.0),
        "nonetheless": (K_CONTRAST, 0.0),
        "except that": (K_CONTRAST, 0.0),
        "even so": (K_CONTRAST, 0.0),
    },
}


def read_lexicon(name: str) -> dict[str, float]:
    """One of the shipped TSV files as ``{term: valence}`` (comment lines skipped)."""
    out: dict[str, float] = {}
    raw = resources.files("federe.nlp").joinpath("data", name).read_text(encoding="utf-8")
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, _, value = line.partition("\t")
        out[term.strip()] = float(value)
    return out


class _Lang:
    """One language's lookup tables."""

    __slots__ = ("base", "code", "lex", "mwe")

    def __init__(self, code: str, words: dict[str, float], emoji: dict[str, float]):
        self.code = code
        lex: dict[str, tuple] = {}
        mwe: dict[str, list[tuple[tuple[str, ...], tuple]]] = {}
        modifiers = _MODIFIERS[code]
        entries: dict[str, tuple[float, int, float]] = {term: (v, K_WORD, 1.0) for term, v in words.items()}
        for term, (kind, arg) in modifiers.items():
            entries[term] = (words.get(term, 0.0), kind, arg)
        # Exact forms first, then their accent-free forms where free.
        folded: list[tuple[str, tuple]] = []
        singles: list[tuple[str, float, int, float]] = []
        for term, (v, kind, arg) in entries.items():
            canon_tokens = _WORD_ONLY.findall(normalise(term))
            if len(canon_tokens) > 1:
                own_negation = any(t in _NEGATORS or t.endswith("n't") or t.startswith("n'") for t in canon_tokens)
                entry = (v, kind, arg, term, own_negation, 1.0, False)
                mwe.setdefault(canon_tokens[0], []).append((tuple(canon_tokens[1:]), entry))
            else:
                singles.append((term, v, kind, arg))
        for term, v, kind, arg in singles:
            canon = normalise(term)
            entry = (v, kind, arg, canon, False, 1.0, canon in mwe)
            lex[term] = entry
            if canon != term:
                folded.append((canon, entry))
        for key, entry in folded:
            if key not in _NO_FOLD:
                lex.setdefault(key, entry)
        for term, v in emoji.items():
            lex.setdefault(term, (v, K_EMO, 1.0, term, False, 1.0, False))
        for cands in mwe.values():
            cands.sort(key=lambda c: -len(c[0]))
        self.lex = lex
        self.base = dict(lex)
        self.mwe = mwe


class _State:
    __slots__ = ("emoticons", "langs", "token")

    def __init__(self) -> None:
        emoji = read_lexicon("sentiment_emoji.tsv")
        self.langs = {code: _Lang(code, read_lexicon(f"sentiment_{code}.tsv"), emoji) for code in ("fr", "en")}
        # Emoticons that start with a letter ("xD") are found as words; the others are tried only where
        # one of their first characters stands, so most positions cost a single character-class test.
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
        self.token = re.compile(f"{_WORD_RE}|{emoticons}|{_EMOJI_RE}|{_PUNCT_RE}")


_state: _State | None = None
_state_lock = threading.Lock()


def _get_state() -> _State:
    global _state
    if _state is None:
        with _state_lock:
            if _state is None:
                _state = _State()
    return _state


def _unknown(low: str) -> tuple:
    kind = K_WORD if low[:1].isalpha() else K_EMO
    return (0.0, kind, 1.0, normalise(low), False, 1.0, False)


def _is_sentiment(entry: tuple | None) -> bool:
    return entry is not None and entry[_KIND] == K_WORD and entry[_VAL] != 0.0


def _resolve(low: str, lang: _Lang) -> tuple:
    """An entry for a token not found as-is; cached in ``lang.lex``."""
    entry = _resolve_uncached(low, lang)
    starts = entry[_CANON] in lang.mwe
    if entry[_KIND] == K_WORD and entry[_VAL] == 0.0 and not entry[_PRENEG] and not starts:
        entry = _BORING
    elif entry[_MWE] != starts:
        entry = (*entry[:6], starts)
    lex = lang.lex
    if len(lex) > len(lang.base) + _MAX_CACHE:
        lex.clear()
        lex.update(lang.base)
    lex[low] = entry
    return entry


def _lookup_plain(word: str, base: dict[str, tuple]) -> tuple | None:
    entry = base.get(word)
    if entry is None and not word.isascii():
        folded = normalise(word)
        if folded not in _NO_FOLD:
            entry = base.get(folded)
    return entry


def _resolve_uncached(low: str, lang: _Lang) -> tuple:
    base = lang.base
    canon = normalise(low)
    if low[0] in _PUNCT_START and low[-1] in _PUNCT_START:
        return (0.0, K_PUNCT, float(low.count("!")), low, "?" in low, 1.0, False)
    entry = _lookup_plain(low, base)
    if entry is not None:
        return entry
    if not low[:1].isalpha():  # emoji / emoticon: ":)))" → ":)"
        short = low
        while len(short) > 2 and short[-1] == short[-2]:
            short = short[:-1]
        entry = base.get(short)
        return entry if entry is not None else _unknown(low)
    if "'" in low:
        head, _, tail = low.partition("'")
        if lang.code == "fr":
            if head in _ELISION and tail:
                sub = _resolve_word(tail, lang)
                if head == "n":
                    return (sub[_VAL], sub[_KIND], sub[_ARG], canon, True, sub[_EMPH], False)
                return (sub[_VAL], sub[_KIND], sub[_ARG], canon, sub[_PRENEG], sub[_EMPH], False)
        else:
            if low.endswith("n't"):
                return (0.0, K_NEG, 0.0, canon, False, 1.0, False)
            sub = _resolve_word(head, lang)
            return (sub[_VAL], sub[_KIND], sub[_ARG], canon, sub[_PRENEG], sub[_EMPH], False)
        sub = _resolve_word(tail, lang)
        return (sub[_VAL], sub[_KIND], sub[_ARG], canon, sub[_PRENEG], sub[_EMPH], False)
    sub = _resolve_word(low, lang)
    if sub[_EMPH] != 1.0:  # "trooop" is "trop", and starts what "trop" starts
        return sub
    return (sub[_VAL], sub[_KIND], sub[_ARG], canon, sub[_PRENEG], sub[_EMPH], False)


def _resolve_word(word: str, lang: _Lang) -> tuple:
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
                return (entry[_VAL], entry[_KIND], entry[_ARG], entry[_CANON], entry[_PRENEG], 1.25, False)
    entry = _inflected(word, lang)
    if entry is not None:
        return entry
    return _unknown(word)


def _inflected(word: str, lang: _Lang) -> tuple | None:
    """A light stemmer, used only to find a lexicon word (never a function word)."""
    if len(word) < 4:
        return None
    candidates: list[str]
    if lang.code == "fr":
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
    else:
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
    for cand in candidates:
        if len(cand) >= 3:
            entry = _lookup_plain(cand, lang.base)
            if _is_sentiment(entry):
                return entry
    return None


class _Scan:
    """What one pass over a text found."""

    __slots__ = ("caps", "content", "contrast", "emoji", "excl", "hits", "negated", "question", "tokens", "vals")

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


def _clean(text: str) -> str:
    if not text.isascii():
        text = text.translate(_APOSTROPHES)
        if _COMBINING.search(text):
            text = unicodedata.normalize("NFC", text)
            if _COMBINING.search(text):  # zalgo or decomposed letters: keep the base letters
                text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
    return text


def _scan(toks: list[str], all_caps: bool, lang: _Lang, p: Params) -> _Scan:
    out = _Scan()
    vals = out.vals
    lex = lang.lex
    mwe = lang.mwe
    n = len(toks)
    boring = _BORING
    scope = p.scope
    neg_left = 0
    neg_factor = 0.0
    ne_active = False
    mult = 1.0
    mult_left = 0
    weight = 1.0
    last_i = -2  # token index of the last hit that "pas" may still flip ("j'aime pas")
    last_raw = 0.0
    ne_start = -1  # French "ne" seen: hits since vals[ne_start] wait for "pas"/"plus"/"jamais"... to be negated
    skip = 0
    n_punct = hits = negated = n_emoji = excl = caps = contrast = 0
    question = False
    for i in range(n):
        if skip:
            skip -= 1
            continue
        tok = toks[i]
        low = tok.lower()
        e = lex.get(low)
        if e is None:
            e = _resolve(low, lang)
        if e is boring:
            if neg_left:
                neg_left -= 1
            if mult_left:
                mult_left -= 1
            continue
        feature = low
        is_mwe = False
        frozen = False
        end = i
        elongated = e[_EMPH] != 1.0
        if e[_MWE]:
            for rest, ent in mwe[e[_CANON]]:
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
                    e = ent
                    skip = k
                    feature = " ".join(toks[i : i + k + 1]).lower()
                    is_mwe = True
                    frozen = ent[_PRENEG]
                    end = i + k
                    break
        kind = e[_KIND]
        if kind == K_PUNCT:
            n_punct += 1
            if e[_ARG]:
                excl += int(e[_ARG])
            if e[_PRENEG]:
                question = True
            neg_left = 0
            ne_active = False
            ne_start = -1
            mult_left = 0
            last_i = -2
            continue
        if kind == K_EMO:
            n_emoji += 1
            v = e[_VAL]
            if v:
                vals.append([feature, v * weight, True, True])
            continue
        if e[_PRENEG] and not is_mwe:  # "n'aime", "n'est": negated once "pas" (or "plus"...) confirms
            ne_active = True
            ne_start = len(vals)
            neg_left = 0
        if kind == K_WORD:
            v = e[_VAL]
        elif kind == K_INT:
            v = e[_VAL]
            peek_hit = False
            if v and i + skip + 1 < n:  # "super" alone is praise, "super cher" is an intensifier
                t2 = toks[i + skip + 1].lower()
                e2 = lex.get(t2)
                if e2 is None:
                    e2 = _resolve(t2, lang)
                kind2 = e2[_KIND]
                peek_hit = e2[_MWE] or kind2 == K_INT or (kind2 == K_WORD and e2[_VAL] != 0.0)
            if peek_hit or not v:
                mult = min(mult * e[_ARG], 3.0) if mult_left else e[_ARG]
                mult_left = 2
                continue
        elif kind == K_NEG:
            if is_mwe and last_i == i - 1:  # "j'aime pas trop", "j'aime pas du tout"
                item = vals[-1]
                factor = e[_ARG] or (p.neg_pos if last_raw > 0 else p.neg_neg)
                item[1] = last_raw * factor * weight
                item[0] = "¬" + item[0]
                negated += 1
            else:
                if ne_start >= 0:  # "je n'ai aucun..."
                    negated += _confirm_ne(vals, ne_start, p)
                    ne_start = -1
                neg_left = scope
                neg_factor = e[_ARG]
            last_i = -2
            continue
        elif kind == K_NE:
            ne_active = True
            ne_start = len(vals)
            neg_left = 0
            continue
        elif kind == K_QUE:
            if ne_start >= 0:  # "ne ... que" restricts, it does not negate
                ne_start = -1
                ne_active = False
                neg_left = 0
            continue
        elif kind in (K_PAS, K_PLUS, K_NECOND):
            if ne_active:
                if ne_start >= 0:
                    negated += _confirm_ne(vals, ne_start, p)
                    ne_start = -1
                neg_left = scope
                neg_factor = 0.0
            elif kind == K_NECOND:
                pass
            elif last_i == i - 1:  # "j'aime pas": flip the word just before
                item = vals[-1]
                item[1] = last_raw * (p.neg_pos if last_raw > 0 else p.neg_neg) * weight
                item[0] = "¬" + item[0]
                negated += 1
                last_i = -2
            elif kind == K_PLUS:
                mult = e[_ARG]
                mult_left = 2
            else:
                neg_left = scope
                neg_factor = 0.0
            continue
        elif kind == K_CONTRAST:
            for item in vals:
                item[1] *= p.before_contrast
            weight = p.after_contrast
            contrast += 1
            neg_left = 0
            ne_active = False
            ne_start = -1
            mult_left = 0
            last_i = -2
            continue
        else:
            continue
        if not v:
            if neg_left:
                neg_left -= 1
            if mult_left:
                mult_left -= 1
            continue
        # A sentiment word (or expression).
        hits += 1
        if elongated:
            v *= p.elongated
        if mult_left:
            if not (neg_left and mult > 1.0):  # "pas très bon" is not "très pas bon"
                v *= mult
            mult_left = 0
        if not all_caps and len(tok) > 1 and tok.isupper():
            v *= p.caps
            caps += 1
        if neg_left and not frozen:
            if neg_factor:
                v *= neg_factor
            else:
                v *= p.neg_pos if v > 0 else p.neg_neg
            feature = "¬" + feature
            negated += 1
            neg_left -= 1
            last_i = -2
        else:
            if neg_left:
                neg_left -= 1
            last_raw = v
            last_i = -2 if frozen else end
        vals.append([feature, v * weight, False, frozen])
    out.tokens = n
    out.content = n > n_punct
    out.hits = hits
    out.negated = negated
    out.emoji = n_emoji
    out.excl = excl
    out.question = question
    out.caps = caps
    out.contrast = contrast
    return out


def _confirm_ne(vals: list[list[Any]], start: int, p: Params) -> int:
    """Negate the hits between "ne" and its "pas": "je n'aime pas", "ce n'est vraiment pas"."""
    count = 0
    for item in vals[start:]:
        if not item[3] and not item[0].startswith("¬"):
            item[1] *= p.neg_pos if item[1] > 0 else p.neg_neg
            item[0] = "¬" + item[0]
            count += 1
    return count


def _total(scan: _Scan, p: Params) -> float:
    total = 0.0
    for item in scan.vals:
        total += item[1]
    if total and scan.excl:
        bump = p.exclamation * min(scan.excl, 4)
        bump = bump if total > 0 else -bump
        scan.vals.append(["!" * min(scan.excl, 3), bump, False, True])
        total += bump
    elif scan.question and total:
        total *= p.question
    return total


def _pick(text: str, language: str, p: Params) -> _Scan:
    state = _get_state()
    text = _clean(text)
    toks = state.token.findall(text)
    all_caps = text.isupper()
    if language in state.langs:
        return _scan(toks, all_caps, state.langs[language], p)
    fr = _scan(toks, all_caps, state.langs["fr"], p)
    en = _scan(toks, all_caps, state.langs["en"], p)
    if fr.hits != en.hits:
        return fr if fr.hits > en.hits else en
    return fr if abs(sum(v[1] for v in fr.vals)) > abs(sum(v[1] for v in en.vals)) else en


def compound(total: float, p: Params = DEFAULT_PARAMS) -> float:
    return total / math.sqrt(total * total + p.alpha)


def probabilities(c: float, p: Params = DEFAULT_PARAMS) -> tuple[float, float, float]:
    """(negative, neutral, positive) from a compound score: a softmax with a neutral band."""
    a = 1.0 / p.temperature
    z_pos = a * (c - p.pos_threshold)
    z_neg = a * (-c - p.neg_threshold)
    top = max(z_pos, z_neg, 0.0)
    e_pos = math.exp(z_pos - top)
    e_neg = math.exp(z_neg - top)
    e_neu = math.exp(-top)
    s = e_pos + e_neg + e_neu
    return e_neg / s, e_neu / s, e_pos / s


def lexicon_features(text: str, language: str, params: Params = DEFAULT_PARAMS) -> dict[str, float]:
    """The lexicon's view of a text, as numbers a learned model can use."""
    try:
        scan = _pick(text or "", language, params)
    except Exception:  # never fail a batch on one text
        scan = _Scan()
    pos = float(sum(v[1] for v in scan.vals if v[1] > 0))
    neg = float(sum(v[1] for v in scan.vals if v[1] < 0))
    total = _total(scan, params)
    return {
        "pos_sum": pos,
        "neg_sum": neg,
        "total": float(total),
        "compound": compound(total, params),
        "n_hits": float(scan.hits),
        "n_pos": float(sum(1 for v in scan.vals if v[1] > 0)),
        "n_neg": float(sum(1 for v in scan.vals if v[1] < 0)),
        "negated": float(scan.negated),
        "n_emoji": float(scan.emoji),
        "emoji_sum": float(sum(v[1] for v in scan.vals if v[2])),
        "exclamations": float(scan.excl),
        "question": float(scan.question),
        "caps_hits": float(scan.caps),
        "contrast": float(scan.contrast),
        "n_tokens": float(scan.tokens),
    }


class LexiconSentiment:
    task = "sentiment"
    model_id = MODEL_ID

    def __init__(self, params: Params = DEFAULT_PARAMS):
        self.params = params

    def score(self, batch: DocBatch, *, explain: bool = False) -> list[Result]:
        p = self.params
        out: list[Result] = []
        for doc in batch.docs:
            try:
                out.append(self._one(doc.text, doc.language, doc.skip, explain, p))
            except Exception:  # one bad document never stops the batch
                out.append(NotScored("error"))
        return out

    def _one(self, text: str, language: str, skip: str, explain: bool, p: Params) -> Result:
        if skip:
            return NotScored(skip)
        if not text:
            return NotScored("empty")
        scan = _pick(text, language, p)
        if not scan.content:
            return NotScored("empty")
        total = _total(scan, p)
        neg, neu, pos = probabilities(total / math.sqrt(total * total + p.alpha), p)
        if pos >= neu and pos >= neg:
            label, value = "positive", pos
        elif neg > neu:
            label, value = "negative", neg
        else:
            label, value = "neutral", neu
        explanation: list[Contribution] = []
        if explain and scan.vals:
            merged: dict[str, float] = {}
            for feature, w, _, _ in scan.vals:
                merged[feature] = merged.get(feature, 0.0) + w
            ranked = sorted(merged.items(), key=lambda kv: -abs(kv[1]))[:8]
            explanation = [Contribution(f, w) for f, w in ranked if w]
        return Score(label, value, {"negative": neg, "neutral": neu, "positive": pos}, MODEL_ID, explanation)
