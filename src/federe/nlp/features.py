"""One feature space shared by every linear model: hashed text n-grams plus a few message features.

- Word 1–2 grams and character 3–5 grams inside word boundaries, accents folded, lower-cased, hashed into
  ``N_HASH`` columns (no vocabulary to ship), ``log1p`` counts, L2-normalised.
- Then ``META`` columns about the message rather than its words: links, capitals, repetition, the author's
  first message here, and so on.

A batch is featurised once (:attr:`federe.nlp.base.DocBatch.features`) and every model reads the same matrix.
Explanations map columns back to the words of one message (:func:`explain`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from federe.nlp.base import Contribution, Doc

if TYPE_CHECKING:  # numpy, scipy and scikit-learn are imported by the functions that use them: see _vectorizers
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import HashingVectorizer

N_HASH = 2**20
META = (
    "link",
    "links_many",
    "capitals",
    "exclamations",
    "digits",
    "repeated_letters",
    "repeated_words",
    "first_message",
    "very_short",
    "no_letters",
    "contact_details",
    "long_text",
)
N_FEATURES = N_HASH + len(META)

_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|fr|ly|io|me|info|biz|xyz|ru)\b", re.I)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.\w{2,}|(?:\+?\d[\s.-]?){9,}")
_REPEAT = re.compile(r"(\w)\1{3,}")
_WORDS = re.compile(r"\w+")


@cache
def _vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    """Built at the first featurised batch. scikit-learn is imported here, not with the module: it takes most of a
    second, which web workers, commands and the ingest module's import need not pay."""
    from sklearn.feature_extraction.text import HashingVectorizer

    common = {"n_features": N_HASH, "alternate_sign": False, "norm": None, "strip_accents": "unicode"}
    return (
        HashingVectorizer(ngram_range=(1, 2), **common),
        HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common),
    )


def meta_row(doc: Doc) -> list[float]:
    text = doc.text
    n = len(text) or 1
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text)) if letters >= 8 else 0
    words = _WORDS.findall(text.lower())
    links = len(_URL.findall(text))
    return [
        1.0 if links else 0.0,  # the checks below are ordered as META
        1.0 if links > 2 else 0.0,
        upper / letters if letters >= 8 else 0.0,
        min(text.count("!") / 3, 1.0),
        sum(map(str.isdigit, text)) / n,
        1.0 if _REPEAT.search(text) else 0.0,
        1.0 - len(set(words)) / len(words) if len(words) >= 6 else 0.0,
        1.0 if doc.meta.get("first_message") else 0.0,
        1.0 if n < 20 else 0.0,
        1.0 if not letters else 0.0,
        1.0 if _CONTACT.search(text) else 0.0,
        1.0 if n > 300 else 0.0,
    ]


def featurize(docs: Sequence[Doc]) -> sp.csr_matrix:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    words, chars = _vectorizers()
    texts = [d.text for d in docs]
    x = words.transform(texts) + chars.transform(texts)
    x = x.tocsr()
    np.log1p(x.data, out=x.data)
    x = normalize(x, copy=False)
    meta = sp.csr_matrix(np.array([meta_row(d) for d in docs], dtype=np.float64).reshape(len(docs), len(META)))
    return sp.hstack([x, meta], format="csr")


def _column(term: str) -> int:
    from sklearn.utils import murmurhash3_32

    return abs(murmurhash3_32(term, seed=0)) % N_HASH


def explain(doc: Doc, row: sp.csr_matrix, coef: np.ndarray, *, top: int = 8) -> list[Contribution]:
    """Signed contributions (weight × value) of one message's words and message features to a linear score.

    Character n-grams are credited to the word they come from, so the reader sees words, not fragments.
    """
    from sklearn.feature_extraction.text import strip_accents_unicode

    values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
    words_vec, chars_vec = _vectorizers()
    per_feature: dict[str, float] = defaultdict(float)
    counted: set[int] = set()
    word_analyzer = words_vec.build_analyzer()
    char_analyzer = chars_vec.build_analyzer()
    shown = {strip_accents_unicode(w): w for w in _WORDS.findall(doc.text.lower())}
    for term in set(word_analyzer(doc.text)):
        col = _column(term)
        if col in values and col not in counted:
            counted.add(col)
            name = " ".join(shown.get(part, part) for part in term.split(" "))
            per_feature[name] += coef[col] * values[col]
    for word in set(_WORDS.findall(doc.text)):
        for gram in set(char_analyzer(word)):
            col = _column(gram)
            if col in values and col not in counted:
                counted.add(col)
                per_feature[word.lower()] += coef[col] * values[col]
    for i, name in enumerate(META):
        col = N_HASH + i
        if col in values:
            per_feature[f"[{name}]"] += coef[col] * values[col]
    ranked = sorted(per_feature.items(), key=lambda kv: -abs(kv[1]))
    return [Contribution(name, float(w)) for name, w in ranked[:top] if abs(w) > 1e-6]
