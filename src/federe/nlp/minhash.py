"""MinHash signatures and LSH bands for near-duplicate text (spam waves).

Text is folded (``federe.core.text.normalise``, then digits, URLs' paths, repeated punctuation) and cut into
character 5-shingles.
``PERMUTATIONS`` universal hashes give a signature; ``BANDS`` bands of ``ROWS`` values each give keys. Two texts
that share a key are candidates; their estimated Jaccard similarity is the share of equal signature values.
With 8 bands of 4 rows, pairs above about 0.6 Jaccard similarity are found with high probability.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from federe.core.text import normalise

if TYPE_CHECKING:
    import numpy as np

PERMUTATIONS = 32
BANDS = 8
ROWS = PERMUTATIONS // BANDS
SHINGLE = 5
#: Shorter folded texts are not compared: "merci !" repeated by many people is not a wave.
MIN_CHARS = 30
_PRIME = (1 << 61) - 1
_SEED = 20261123

_URL_PATH = re.compile(r"(https?://[^\s/]+)\S*")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    text = _URL_PATH.sub(r"\1", normalise(text))
    text = _DIGITS.sub("0", text)
    return _NON_WORD.sub(" ", text).strip()


@cache
def _murmurhash() -> Callable[..., Any]:
    """scikit-learn's MurmurHash3 (stored signatures and band keys depend on it), imported at the first hash:
    importing scikit-learn takes most of a second that web workers and commands need not pay."""
    from sklearn.utils import murmurhash3_32

    return murmurhash3_32


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray, np.uint64]:
    """The universal hashes' (a, b) and their prime, drawn once from a fixed seed (stored signatures depend on
    them)."""
    import numpy as np

    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, (1 << 31) - 1, size=PERMUTATIONS, dtype=np.uint64)
    b = rng.integers(0, (1 << 31) - 1, size=PERMUTATIONS, dtype=np.uint64)
    return a, b, np.uint64(_PRIME)


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of a text, or None when it is too short to compare."""
    import numpy as np

    folded = fold(text)
    if len(folded) < MIN_CHARS:
        return None
    murmurhash3_32 = _murmurhash()
    a, b, prime = _permutations()
    shingles = {folded[i : i + SHINGLE] for i in range(len(folded) - SHINGLE + 1)}
    hashes = np.fromiter(
        (murmurhash3_32(s, seed=7, positive=True) for s in shingles), dtype=np.uint64, count=len(shingles)
    )
    # (a*x + b) mod p, for every permutation and shingle; values stay below 2**62, no overflow.
    values = (np.outer(a, hashes) + b[:, None]) % prime
    return values.min(axis=1)


def bands(sig: np.ndarray) -> list[int]:
    """One signed 63-bit key per band (the band index is part of the key)."""
    murmurhash3_32 = _murmurhash()
    keys = []
    for b in range(BANDS):
        chunk = sig[b * ROWS : (b + 1) * ROWS].tobytes()
        keys.append(murmurhash3_32(chunk, seed=b) * BANDS + b)  # fits a BIGINT, never collides across bands
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    import numpy as np

    return np.count_nonzero(a == b) / len(a)
