"""The match keys of an identity: its e-mail, link, handle and name in the form the duplicate search compares.

Each key is a function of the identity's raw fields (the ``norm_*`` functions below). They are stored on the
identity (``Identity.key_*``) so that the duplicate search can group identities in SQL (``evidence.evidence_in``);
``keyed_from`` records the raw fields they were computed from (and the version of the functions), so that a row
written behind the model's back (a queryset ``update``, a bulk load) is found and keyed again before a search
(``stale_q``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat

from federe.core.text import normalise

KEY_FIELDS = ("key_email", "key_link", "key_handle", "key_name", "keyed_from")
RAW_FIELDS = ("email", "handle", "display_name", "profile_url")
_SEPARATOR = "\x1f"  # the unit separator: joins the raw fields in ``keyed_from``
# Change it when a norm_* function changes: every stored key then reads as stale and is computed again.
VERSION = "1"


def norm_email(value: str) -> str:
    value = (value or "").strip().lower()
    return value if "@" in value else ""


def norm_handle(value: str) -> str:
    """The name a person goes by, however the network writes it: ``@Alice``, ``alice``, a chat id with its server
    (``@alice:example.org``) and an address used as a handle (``alice@example.org``) are all ``alice``."""
    value = (value or "").strip().lower().lstrip("@")
    value = value.split(":", 1)[0]  # a chat id's server part
    if "@" in value:  # an address or a fediverse handle: the name before the server
        value = value.split("@", 1)[0]
    return value if len(value) >= 3 else ""


def norm_name(value: str) -> str:
    words = sorted(w for w in re.split(r"[\W_]+", normalise(value or "")) if w)
    key = " ".join(words)
    return key if len(key.replace(" ", "")) >= 4 else ""


def norm_link(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value if "://" in value else f"https://{value}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return ""
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def keyed_from(email: str, handle: str, display_name: str, profile_url: str) -> str:
    return _SEPARATOR.join((VERSION, email or "", handle or "", display_name or "", profile_url or ""))


def keys(email: str, handle: str, display_name: str, profile_url: str) -> dict[str, str]:
    """The stored keys for these raw fields (``KEY_FIELDS``)."""
    return {
        "key_email": norm_email(email),
        "key_link": norm_link(profile_url),
        "key_handle": norm_handle(handle),
        "key_name": norm_name(display_name or handle),
        "keyed_from": keyed_from(email, handle, display_name, profile_url),
    }


def fill(identity: Any) -> Any:
    """Set the identity's keys from its raw fields (before saving it, or in a bulk create or update)."""
    for name, value in keys(identity.email, identity.handle, identity.display_name, identity.profile_url).items():
        setattr(identity, name, value)
    return identity


def store(rows: Iterable[tuple[Any, ...]], model: Any = None) -> int:
    """Store the keys of these identities, given as (id, *RAW_FIELDS) rows; ``model`` is a migration's Identity.
    Returns how many were stored."""
    from federe.inbox.bulk import set_columns
    from federe.people.models import Identity

    values = {}
    for pk, *raw in rows:
        computed = keys(*raw)
        values[pk] = tuple(computed[name] for name in KEY_FIELDS)
    set_columns(model or Identity, KEY_FIELDS, values)
    return len(values)


def stale_q() -> Q:
    """The identities whose keys were not computed from their current raw fields."""
    parts: list[Any] = [Value(VERSION), Value(_SEPARATOR)]
    for name in RAW_FIELDS:
        parts += [F(name), Value(_SEPARATOR)]
    return ~Q(keyed_from=Concat(*parts[:-1], output_field=TextField()))
