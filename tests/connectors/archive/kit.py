"""The archive importer's kit for the contract suite: an import-only network read from a file of its fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from federe.connectors.base import Connector
from federe.connectors.capabilities import Capability
from tests.connectors.contract import Kit

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Quiet:
    """A progress bar that shows nothing."""

    def advance(self, count: int = 1, note: str | None = None) -> None: ...

    def set(self, done: int, note: str | None = None) -> None: ...

    def close(self, note: str | None = None) -> None: ...


def no_progress(*args: Any, **kwargs: Any) -> Quiet:
    return Quiet()


def _import(connector: Connector) -> object:
    export = connector.open_history(str(FIXTURES / "forum.csv"), no_progress)  # type: ignore[attr-defined]
    records = list(connector.read_history(export, no_progress))  # type: ignore[attr-defined]
    assert export.members == 3 and records
    return export


@contextmanager
def _created_from_the_channels_page() -> Iterator[Callable[[], object]]:
    yield lambda: KIT.build().check()


@contextmanager
def _no_author_column() -> Iterator[Callable[[], object]]:
    yield lambda: KIT.build().open_history(str(FIXTURES / "no_author.csv"), no_progress)  # type: ignore[attr-defined]


KIT = Kit(
    "archive",
    config={},
    calls={Capability.IMPORT: _import},
    failures={"created from the channels page": _created_from_the_channels_page, "no author column": _no_author_column},
)
