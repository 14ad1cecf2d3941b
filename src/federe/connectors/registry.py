"""Connectors register here by key; Fédère asks the registry, never a module by name."""

from __future__ import annotations

from typing import Any

from federe.connectors.base import Connector

_REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    if cls.key in _REGISTRY and _REGISTRY[cls.key] is not cls:
        raise ValueError(f"Connector key {cls.key!r} is registered twice")
    _REGISTRY[cls.key] = cls
    return cls


def _load_builtin() -> None:
    from federe.connectors.dummy import connector  # noqa: F401
    from federe.connectors.mastodon import connector as _mastodon  # noqa: F401
    from federe.connectors.rss import connector as _rss  # noqa: F401
    from federe.connectors.stackexchange import connector as _stackexchange  # noqa: F401
    from federe.connectors.wordpress import connector as _wordpress  # noqa: F401


def connector_class(key: str) -> type[Connector]:
    _load_builtin()
    try:
        return _REGISTRY[key]
    except KeyError as exc:
        raise LookupError(f"No connector for network {key!r}") from exc


def available() -> list[type[Connector]]:
    _load_builtin()
    return sorted(_REGISTRY.values(), key=lambda cls: cls.key)


def build(key: str, *, config: dict[str, Any], credentials: dict[str, Any]) -> Connector:
    return connector_class(key)(config=config, credentials=credentials)
