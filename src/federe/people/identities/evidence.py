"""Evidence that two persons are one: normalised identity values compared across channels.

Evidence between two persons comes from their identities (weights in points, documented in
docs/architecture.md):

=====================  ======  ==========================================================================
signal                 points  when
=====================  ======  ==========================================================================
``same_email``           60    two identities carry the same e-mail address (case ignored)
``same_link``            40    the same profile or website address (scheme, ``www.``, case and a trailing
                               slash ignored)
``same_handle``          30    the same handle (case, a leading ``@`` and a server part ignored: ``@alice:example.org``,
                               ``alice@example.org`` and ``alice`` are one) on two different channels
``similar_name``         20    the same name once accents, case, punctuation and word order are ignored,
                               on two different channels
``replied_to_each``      10    they replied to each other (supporting evidence only: it never makes a
                               suggestion on its own)
=====================  ======  ==========================================================================

A pair is suggested from ``MIN_TOTAL`` points. A value shared by many identities is no evidence (a common name,
a shared "info@" address): groups larger than ``MAX_GROUP`` are ignored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy, ngettext

from federe.core.text import normalise
from federe.people.models import Identity, Person, ReplyEdge

WEIGHTS = {"same_email": 60, "same_link": 40, "same_handle": 30, "similar_name": 20, "replied_to_each": 10}
SUPPORTING = {"replied_to_each"}
MIN_TOTAL = 20
MAX_GROUP = 10
MAX_GROUP_STRONG = 50  # e-mail and links are rarer to share than names
SIGNAL_TEXT = {
    "same_email": gettext_lazy("same e-mail address: %(value)s"),
    "same_link": gettext_lazy("same profile or website link: %(value)s"),
    "same_handle": gettext_lazy("same handle on two channels: %(value)s"),
    "similar_name": gettext_lazy("similar name: %(value)s"),
}
# The one signal whose value is a count.
REPLIES_TEXT = ("they replied to each other (%(value)s reply)", "they replied to each other (%(value)s replies)")


def describe(signal: dict[str, Any]) -> str:
    code, value = signal.get("code", ""), signal.get("params", {}).get("value", "")
    if code == "replied_to_each":
        return ngettext(*REPLIES_TEXT, int(value or 0)) % {"value": value}
    template = SIGNAL_TEXT.get(code)
    if template is None:
        return str(code)
    return str(template) % {"value": value}


def confidence(total: int) -> str:
    if total >= 60:
        return "high"
    if total >= 40:
        return "medium"
    return "low"


# --------------------------------------------------------------------------- normalising


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


@dataclass(frozen=True)
class _Row:
    id: int
    person_id: int
    connection_id: int
    email: str
    handle: str
    name: str
    link: str
    shown_name: str


def identity_rows(identities: Iterable[tuple]) -> list[_Row]:
    return [
        _Row(pk, person, conn, norm_email(email), norm_handle(handle), norm_name(name or handle), norm_link(url), name)
        for pk, person, conn, email, handle, name, url in identities
    ]


IDENTITY_FIELDS = ("id", "person_id", "connection_id", "email", "handle", "display_name", "profile_url")


def _pair_signals(rows: list[_Row]) -> dict[tuple[int, int], dict[str, dict[str, Any]]]:
    found: dict[tuple[int, int], dict[str, dict[str, Any]]] = defaultdict(dict)
    keys = (
        ("same_email", lambda r: r.email, False, MAX_GROUP_STRONG),
        ("same_link", lambda r: r.link, False, MAX_GROUP_STRONG),
        ("same_handle", lambda r: r.handle, True, MAX_GROUP),
        ("similar_name", lambda r: r.name, True, MAX_GROUP),
    )
    for code, key, other_channel, cap in keys:
        groups: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            value = key(row)
            if value:
                groups[value].append(row)
        for value, members in groups.items():
            if len(members) < 2 or len(members) > cap or len({m.person_id for m in members}) < 2:
                continue
            for a, b in combinations(members, 2):
                if a.person_id == b.person_id or (other_channel and a.connection_id == b.connection_id):
                    continue
                pair = (min(a.person_id, b.person_id), max(a.person_id, b.person_id))
                shown = a.shown_name if code == "similar_name" and a.shown_name else value
                found[pair].setdefault(code, {"value": shown})
    return found


def _replied_pairs(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """For candidate pairs of persons: how many replies went between them, when they went both ways."""
    wanted = set(pairs)
    persons = sorted({p for pair in wanted for p in pair})
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for start in range(0, len(persons), 1000):
        chunk = persons[start : start + 1000]
        rows = (
            ReplyEdge.objects.filter(source__person_id__in=chunk)
            .values_list("source__person_id", "target__person_id")
            .order_by()
        )
        for source, target in rows:
            pair = (min(source, target), max(source, target))
            if pair in wanted and source != target:
                counts[(source, target)] += 1
    both: dict[tuple[int, int], int] = {}
    for a, b in wanted:
        if counts.get((a, b)) and counts.get((b, a)):
            both[(a, b)] = counts[(a, b)] + counts[(b, a)]
    return both


def _signals_list(codes: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    signals: list[dict[str, Any]] = [
        {"code": code, "weight": WEIGHTS[code], "params": params}
        for code, params in sorted(codes.items(), key=lambda kv: -WEIGHTS[kv[0]])
    ]
    return signals, sum(s["weight"] for s in signals)


def evidence(rows: list[_Row]) -> dict[tuple[int, int], tuple[list[dict[str, Any]], int]]:
    """Evidence for every pair of persons among these identities that reaches MIN_TOTAL."""
    found = _pair_signals(rows)
    for pair, n in _replied_pairs(found).items():
        found[pair]["replied_to_each"] = {"value": n}
    out = {}
    for pair, codes in found.items():
        if set(codes) <= SUPPORTING:
            continue
        signals, total = _signals_list(codes)
        if total >= MIN_TOTAL:
            out[pair] = (signals, total)
    return out


def evidence_between(a: Person, b: Person) -> tuple[list[dict[str, Any]], int]:
    rows = identity_rows(Identity.objects.filter(person__in=[a, b]).values_list(*IDENTITY_FIELDS))
    found = _pair_signals(rows).get((min(a.pk, b.pk), max(a.pk, b.pk)), {})
    replied = _replied_pairs([(min(a.pk, b.pk), max(a.pk, b.pk))])
    for n in replied.values():
        found["replied_to_each"] = {"value": n}
    return _signals_list(found)
