"""Stack Exchange's kit for the contract suite: an import-only network. Its sync reads nothing, its channels
cannot be created from the channels page, and its history is read from a small dump written on the spot."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from tests.connectors.contract import Kit
from tests.connectors.stackexchange.dumpwriter import answer, question, user, write_dump


class _Quiet:
    """A progress bar that shows nothing."""

    def advance(self, count: int = 1, note: str | None = None) -> None: ...

    def set(self, done: int, note: str | None = None) -> None: ...

    def close(self, note: str | None = None) -> None: ...


def _no_progress(*args: Any, **kwargs: Any) -> _Quiet:
    return _Quiet()


def _import(connector: Connector) -> object:
    with tempfile.TemporaryDirectory() as folder:
        dump = write_dump(
            Path(folder) / "dump",
            users=[user(1, "Alice"), user(2, "Bob")],
            posts=[question(10, 1, "2024-02-01T10:00:00.000"), answer(11, 10, 2, "2024-02-01T11:00:00.000")],
        )
        export = connector.open_history(str(dump), _no_progress)  # type: ignore[attr-defined]
        records = list(connector.read_history(export, _no_progress))  # type: ignore[attr-defined]
    assert export.members == 2 and records
    return export


@contextmanager
def _created_from_the_channels_page() -> Iterator[Callable[[], object]]:
    yield lambda: KIT.build().check()


@contextmanager
def _not_a_dump() -> Iterator[Callable[[], object]]:
    with tempfile.TemporaryDirectory() as folder:
        yield lambda: KIT.build().open_history(folder, _no_progress)  # type: ignore[attr-defined]


KIT = Kit(
    "stackexchange",
    config={"site_url": "https://cooking.stackexchange.com"},
    calls={Capability.IMPORT: _import},
    failures={"created from the channels page": _created_from_the_channels_page, "not a dump": _not_a_dump},
)
