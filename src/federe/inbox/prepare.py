"""The part of a page that needs no database, computed on the other core while this one stores.

Sanitising the HTML, cleaning the text, detecting its language, hashing its features for the classifiers and
signing it for the spam waves depend on the item alone. :func:`prepare` does that work for a list of items;
:class:`Preparer` hands part of it to a worker process (``FEDERE_INGEST_PROCESSES``, one by default on a machine
of two cores or more) and does the rest itself at the same time, so that both cores work on a page. The pipeline
(``inbox.ingest``) then reads the results instead of computing them: the order of pages, the one transaction a
page and what is stored do not change (``tests/inbox/test_prepare.py`` compares every stored column with and
without the pool).

What depends on the database stays in the pipeline: whether an author is new (a feature of the spam model, set
on the prepared rows afterwards), the workspace's own models, and everything written.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from federe.inbox.bodies import Body, body_of

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse as sp

    from federe.nlp.base import Doc, Result
    from federe.nlp.pipeline import Ready

log = logging.getLogger(__name__)

#: What the worker process needs of an item: its external id, its HTML and the language its network gave.
Raw = tuple[str, str, str]


@dataclass
class Prepared:
    """Per item of a page, by external id: its body, its text ready to score with the language found, the row of
    the classifiers' feature matrix (the author's first message not yet known: 0) and its MinHash signature."""

    bodies: dict[str, Body]
    docs: dict[str, Doc]
    languages: dict[str, Result]
    rows: dict[str, int]  # the item's row in ``features``
    features: sp.csr_matrix | None
    signatures: dict[str, np.ndarray | None]

    def for_scoring(self, keys: Sequence[str], first: set[str]) -> tuple[list[Doc], Ready]:
        """The documents of these items, in order, and what :func:`federe.nlp.pipeline.enrich` needs not compute
        again; ``first``: the items that are their author's first message here (a feature, set now)."""
        import numpy as np
        import scipy.sparse as sp

        from federe.nlp.features import META, N_HASH
        from federe.nlp.pipeline import Ready

        docs = [self.docs[key] for key in keys]
        for key, doc in zip(keys, docs, strict=True):
            doc.meta["first_message"] = key in first
        if self.features is None or not keys:
            return docs, Ready([self.languages[key] for key in keys])
        features = self.features[[self.rows[key] for key in keys]]
        marked = [i for i, key in enumerate(keys) if key in first]
        if marked:  # the column was 0 for every row: adding 1 where it holds makes the rows featurize() makes
            column = N_HASH + META.index("first_message")
            ones = sp.csr_matrix(
                (np.ones(len(marked)), (marked, [column] * len(marked))), shape=features.shape, dtype=features.dtype
            )
            features = (features + ones).tocsr()
        return docs, Ready([self.languages[key] for key in keys], features)


def raw_of(items: Sequence[Any]) -> list[Raw]:
    return [(item.external_id, item.body_html or "", item.language or "") for item in items]


def prepare(raw: Sequence[Raw]) -> Prepared:
    """The pure work for these items, in this process."""
    from federe.nlp import minhash
    from federe.nlp.base import DocBatch
    from federe.nlp.pipeline import detect_languages
    from federe.nlp.text import prepare as prepare_text

    bodies = {key: body_of(html) for key, html, _ in raw}
    docs = [prepare_text(bodies[key].text, language=language) for key, _, language in raw]
    batch = DocBatch(docs)
    languages = detect_languages(batch, keep_language=[bool(language) for _, _, language in raw])
    return Prepared(
        bodies=bodies,
        docs={key: doc for (key, _, _), doc in zip(raw, docs, strict=True)},
        languages={key: result for (key, _, _), result in zip(raw, languages, strict=True)},
        rows={key: i for i, (key, _, _) in enumerate(raw)},
        features=batch.features if docs else None,
        signatures={key: minhash.signature(bodies[key].text) for key, _, _ in raw},
    )


def merged(parts: Sequence[Prepared]) -> Prepared:
    """One Prepared from the parts of a page, rows renumbered in the parts' order."""
    import scipy.sparse as sp

    out = Prepared({}, {}, {}, {}, None, {})
    matrices = []
    offset = 0
    for part in parts:
        out.bodies.update(part.bodies)
        out.docs.update(part.docs)
        out.languages.update(part.languages)
        out.signatures.update(part.signatures)
        out.rows.update({key: row + offset for key, row in part.rows.items()})
        if part.features is not None:
            matrices.append(part.features)
            offset += part.features.shape[0]
    out.features = sp.vstack(matrices, format="csr") if matrices else None
    return out


# ------------------------------------------------------------------------------------------------ the pool


def processes() -> int:
    """Worker processes for the pure work: the setting, or one when the machine has a second core."""
    wanted = settings.FEDERE_INGEST_PROCESSES
    if wanted < 0:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return 1 if cores > 1 else 0
    return wanted


def _start_django() -> None:
    """In the worker process: settings and apps, no database connection (the work never opens one). It ends with
    its parent, even one killed outright, and leaves Ctrl-C to it (the parent shuts the pool down)."""
    import signal

    import django

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent()
    django.setup()


def _end_with_parent() -> None:
    """Linux's parent-death signal; elsewhere, a thread that notices the parent is gone."""
    import ctypes
    import signal
    import sys
    import threading
    import time

    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            pr_set_pdeathsig = 1
            asked = ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM) == 0
        except (OSError, AttributeError):
            asked = False
        if os.getppid() != parent:  # the parent died before the signal was asked for
            os._exit(0)
        if asked:
            return  # the kernel ends this process with its parent: no thread needed

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="federe-parent-watch").start()


class Preparer:
    """A pool of worker processes, started at the first page and kept for the life of this process."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._size = 0
        self._unavailable = False  # the pool could not start here: this process does the work itself

    def _executor(self) -> ProcessPoolExecutor | None:
        size = 0 if self._unavailable else processes()
        if size != self._size:
            self.close()
            self._size = size
        if size and self._pool is None:
            try:
                # spawn: a fresh interpreter, never a copy of this one's open database connection or threads.
                self._pool = ProcessPoolExecutor(
                    max_workers=size, mp_context=multiprocessing.get_context("spawn"), initializer=_start_django
                )
            except Exception:
                self._give_up()
        return self._pool

    def _give_up(self) -> None:
        log.exception("the ingest worker processes cannot start; this process prepares every page itself")
        self._unavailable = True
        self.close()
        self._size = 0

    def _submit(self, pool: ProcessPoolExecutor, raw: list[Raw]) -> Future[Prepared] | None:
        try:
            return pool.submit(prepare, raw)
        except BrokenProcessPool:
            log.warning("the ingest worker process is gone; it is started again for the next page")
            self.close()
        except Exception:
            self._give_up()
        return None

    def prepare(self, items: Sequence[Any]) -> Prepared:
        """The page's pure work: a share to each worker process, the first share here, at the same time."""
        return self.prepare_here_or_shared(raw_of(items))

    def prepare_here_or_shared(self, raw: list[Raw]) -> Prepared:
        pool = self._executor()
        if pool is None or len(raw) < 2 * settings.FEDERE_INGEST_MIN_SHARE:
            return prepare(raw)
        shares = _split(raw, self._size + 1)
        futures = [self._submit(pool, share) for share in shares[1:]]
        parts = [prepare(shares[0])]
        for share, future in zip(shares[1:], futures, strict=True):
            parts.append(_result(future) or prepare(share))
        return merged(parts)

    def submit(self, items: Sequence[Any]) -> Pending:
        """Start the whole page's pure work in a worker process and return at once: the sync submits the next page
        before it stores this one, so that the two run at the same time. Without a pool, the work is done when
        asked for."""
        from federe.inbox.store import screen_items

        raw = raw_of(screen_items(items)[0])  # what the pipeline's first step will keep
        pool = self._executor()
        if pool is None or len(raw) < settings.FEDERE_INGEST_MIN_SHARE:
            return Pending(raw, None)
        return Pending(raw, self._submit(pool, raw))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class Pending:
    """A page's pure work under way in a worker process, or to be done here when asked for."""

    def __init__(self, raw: list[Raw], future: Future[Prepared] | None) -> None:
        self._raw = raw
        self._future = future
        self._done: Prepared | None = None

    def result(self, items: Sequence[Any]) -> Prepared:
        """The work for ``items`` (the page as the pipeline screened it: a subset of what was submitted)."""
        if self._done is None:
            self._done = _result(self._future) or prepare(self._raw)
        wanted = {item.external_id for item in items}
        if not wanted <= self._done.bodies.keys():
            return preparer.prepare(items)  # not what was submitted (a test swapping pages): the work again
        return self._done


def _result(future: Future[Prepared] | None) -> Prepared | None:
    """What the worker process computed, or None when it did not (the caller then does the work itself, and a
    failure of the work itself is raised there, where the page's errors are handled)."""
    if future is None:
        return None
    try:
        return future.result()
    except BrokenProcessPool:
        log.warning("the ingest worker process died; its work is done here")
        preparer.close()
    except Exception:
        log.exception("the ingest worker process failed; its work is done here")
    return None


def _split(raw: list[Raw], n: int) -> list[list[Raw]]:
    size = -(-len(raw) // n)
    return [raw[i : i + size] for i in range(0, len(raw), size)]


#: One pool per process (the worker's, the web's for a manual sync, a test's).
preparer = Preparer()
