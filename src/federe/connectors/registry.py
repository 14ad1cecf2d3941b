"""Connectors register here by key; Fédère asks the registry, never a module by name.

The registry finds connectors itself, so that adding a network touches one folder:

* every subpackage of ``federe.connectors`` that has a ``connector`` module (``federe/connectors/<key>/
  connector.py``, whose class is decorated with ``@register``);
* third-party packages, through the ``federe.connectors`` entry-point group (the entry point names a module
  that registers its connector, or the connector class itself).

Discovery runs once, on first use. A broken built-in connector is a bug and fails loudly; a broken third-party
one is logged and left out, so that one bad plugin does not take every channel down.
"""

from __future__ import annotations

import logging
import pkgutil
from importlib import import_module, metadata
from importlib.util import find_spec
from typing import Any

from federe.connectors.base import Connector

ENTRY_POINT_GROUP = "federe.connectors"
logger = logging.getLogger(__name__)

_REGISTRY: dict[str, type[Connector]] = {}
_discovered = False


def register(cls: type[Connector]) -> type[Connector]:
    if cls.key in _REGISTRY and _REGISTRY[cls.key] is not cls:
        raise ValueError(f"Connector key {cls.key!r} is registered twice")
    _REGISTRY[cls.key] = cls
    return cls


def unregister(key: str) -> None:
    """Forget a connector (tests that add a throw-away network take it away again)."""
    _REGISTRY.pop(key, None)


def builtin_packages() -> list[str]:
    """The subpackages of federe.connectors that hold a connector module, by import name."""
    package = import_module("federe.connectors")
    found = []
    for module in pkgutil.iter_modules(package.__path__, prefix=f"{package.__name__}."):
        if module.ispkg and find_spec(f"{module.name}.connector") is not None:
            found.append(module.name)
    return sorted(found)


def _load_entry_point(entry: metadata.EntryPoint) -> None:
    try:
        loaded = entry.load()
    except Exception:  # a third-party plugin must not break Fédère: say so and go on without it
        logger.exception("The connector plugin %s (%s) could not be loaded", entry.name, entry.value)
        return
    if isinstance(loaded, type) and issubclass(loaded, Connector):
        register(loaded)


def discover(*, again: bool = False) -> None:
    """Import every connector package once (``again``: look again, for a package added since)."""
    global _discovered
    if _discovered and not again:
        return
    for name in builtin_packages():
        import_module(f"{name}.connector")
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        _load_entry_point(entry)
    _discovered = True


def connector_class(key: str) -> type[Connector]:
    discover()
    try:
        return _REGISTRY[key]
    except KeyError as exc:
        raise LookupError(f"No connector for network {key!r}") from exc


def available() -> list[type[Connector]]:
    discover()
    return sorted(_REGISTRY.values(), key=lambda cls: cls.key)


def build(key: str, *, config: dict[str, Any], credentials: dict[str, Any]) -> Connector:
    return connector_class(key)(config=config, credentials=credentials)
