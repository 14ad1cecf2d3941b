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

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils.translation import gettext_lazy, ngettext

from federe.core import db
from federe.people.identities import keys as match_keys
from federe.people.identities.keys import norm_email, norm_handle, norm_link, norm_name
from federe.people.models import Identity, Person

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


# --------------------------------------------------------------------------- grouping
# The normalising functions (norm_email, norm_handle, norm_name, norm_link) live in identities.keys, which the
# model uses to store each identity's match keys.


class _Row(NamedTuple):
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

# (signal, the _Row attribute and stored key ``key_<attribute>`` it compares, other channels only, group cap)
_KEYS = (
    ("same_email", "email", False, MAX_GROUP_STRONG),
    ("same_link", "link", False, MAX_GROUP_STRONG),
    ("same_handle", "handle", True, MAX_GROUP),
    ("similar_name", "name", True, MAX_GROUP),
)
Found = dict[tuple[int, int], dict[str, dict[str, Any]]]


# A member of a group: (person id, channel id, display name).
_Member = tuple[int, int, str]


def _pairs_in_groups(
    found: Found, code: str, groups: Iterable[tuple[str, list[_Member]]], other_channel: bool, cap: int
) -> None:
    """Add ``code`` to every pair of persons sharing a value; the first value (in the groups' order) is shown."""
    names = code == "similar_name"
    for value, members in groups:
        if len(members) < 2 or len(members) > cap or len({m[0] for m in members}) < 2:
            continue
        for (a, a_channel, a_shown), (b, b_channel, _b_shown) in combinations(members, 2):
            if a == b or (other_channel and a_channel == b_channel):
                continue
            pair = (a, b) if a < b else (b, a)
            shown = a_shown if names and a_shown else value
            found[pair].setdefault(code, {"value": shown})


def _pair_signals(rows: list[_Row]) -> Found:
    """Pairs of persons among these rows (normalised in Python) and what they share."""
    found: Found = defaultdict(dict)
    for code, attribute, other_channel, cap in _KEYS:
        groups: dict[str, list[_Member]] = defaultdict(list)
        for row in rows:
            value = getattr(row, attribute)
            if value:
                groups[value].append((row.person_id, row.connection_id, row.shown_name))
        _pairs_in_groups(found, code, groups.items(), other_channel, cap)
    return found


def _pair_signals_in(workspace: Any) -> Found:
    """Pairs of persons of the workspace and what they share: the same as ``_pair_signals`` over every identity
    in id order, but grouped in SQL on the stored keys, so that only the members of groups that can make a pair
    (2 to ``cap`` identities, 2 persons or more, and 2 channels or more when the signal needs them) are read."""
    _key_stale(workspace)
    with transaction.atomic():
        db.roomy_sorts()  # each key is grouped over the workspace's identities (hash tables of ~24 MB here)
        return _groups_found(workspace)


def _groups_sql() -> str:
    """One statement for the four keys: for each, the values shared by 2 to ``cap`` identities of 2 persons or more
    (and 2 channels or more when the signal needs them), found by a GROUP BY, then the identities holding them.
    Each row is (the key's place in _KEYS, id, person, channel, value, display name)."""
    identity, person = Identity._meta.db_table, Person._meta.db_table
    live = (
        f"SELECT id, person_id, connection_id, display_name, key_email, key_link, key_handle, key_name "  # noqa: S608
        f"FROM {identity} "
        f"WHERE workspace_id = %(ws)s AND person_id NOT IN "
        # Merged persons are few: "not one of them" is a small hashed list, where a join would probe every person.
        f"(SELECT id FROM {person} WHERE workspace_id = %(ws)s AND merged_into_id IS NOT NULL)"
    )
    parts = []
    for n, (_code, attribute, other_channel, cap) in enumerate(_KEYS):
        column = f"key_{attribute}"
        channels = " AND MIN(connection_id) < MAX(connection_id)" if other_channel else ""
        parts.append(
            f"SELECT {n}, l.id, l.person_id, l.connection_id, l.{column}, l.display_name FROM live l JOIN "  # noqa: S608
            f"(SELECT {column} AS value FROM live WHERE {column} <> '' GROUP BY {column} "
            f"HAVING COUNT(*) BETWEEN 2 AND {int(cap)} AND MIN(person_id) < MAX(person_id){channels}) g "
            f"ON g.value = l.{column}"
        )
    return f"WITH live AS ({live}) " + " UNION ALL ".join(parts)


_GROUPS_SQL = _groups_sql()


def _groups_found(workspace: Any) -> Found:
    with connection.cursor() as cursor:
        cursor.execute(_GROUPS_SQL, {"ws": workspace.pk})
        rows = cursor.fetchall()
    # By key, then in id order (the first value of a pair is shown): sorted here rather than by the database.
    rows.sort()
    groups: list[dict[str, list[_Member]]] = [defaultdict(list) for _ in _KEYS]
    for n, _pk, person, conn, value, shown in rows:
        groups[n][value].append((person, conn, shown))
    found: Found = defaultdict(dict)
    for (code, _attribute, other_channel, cap), by_value in zip(_KEYS, groups, strict=True):
        _pairs_in_groups(found, code, by_value.items(), other_channel, cap)
    return found


def _key_stale(workspace: Any) -> None:
    """Compute again the keys of the identities written behind the model's back (see identities.keys)."""
    stale = Identity.objects.filter(workspace=workspace).filter(match_keys.stale_q())
    match_keys.store(stale.values_list("id", *match_keys.RAW_FIELDS))


_REPLIED_SQL = """
WITH pairs(a, b) AS (VALUES {values}),
sent(a, b, source) AS (
    SELECT p.a, p.b, p.a FROM pairs p
    JOIN people_identity si ON si.person_id = p.a
    JOIN people_identity ti ON ti.person_id = p.b
    JOIN people_replyedge e ON e.source_id = si.id AND e.target_id = ti.id
    UNION ALL
    SELECT p.a, p.b, p.b FROM pairs p
    JOIN people_identity si ON si.person_id = p.b
    JOIN people_identity ti ON ti.person_id = p.a
    JOIN people_replyedge e ON e.source_id = si.id AND e.target_id = ti.id
)
SELECT a, b, SUM(CASE WHEN source = a THEN 1 ELSE 0 END), SUM(CASE WHEN source = b THEN 1 ELSE 0 END)
FROM sent GROUP BY a, b
"""


def _replied_pairs(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """For candidate pairs of persons: how many replies went between them, when they went both ways.

    Only the links between the two persons of each pair are read (the index on source and target), however
    many replies either of them sent to others.
    """
    wanted = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    both: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 500):
            values = ", ".join(f"({int(a)}, {int(b)})" for a, b in wanted[start : start + 500])
            cursor.execute(_REPLIED_SQL.format(values=values))
            for a, b, forth, back in cursor.fetchall():
                if forth and back:
                    both[(a, b)] = int(forth) + int(back)
    return both


def _signals_list(codes: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    signals: list[dict[str, Any]] = [
        {"code": code, "weight": WEIGHTS[code], "params": params}
        for code, params in sorted(codes.items(), key=lambda kv: -WEIGHTS[kv[0]])
    ]
    return signals, sum(s["weight"] for s in signals)


Evidence = dict[tuple[int, int], tuple[list[dict[str, Any]], int]]


def evidence_in(workspace: Any) -> Evidence:
    """Evidence for every pair of persons of the workspace (merged persons left out) that reaches MIN_TOTAL."""
    return _evidence(_pair_signals_in(workspace))


def evidence(rows: list[_Row]) -> Evidence:
    """Evidence for every pair of persons among these identities that reaches MIN_TOTAL (grouped in Python)."""
    return _evidence(_pair_signals(rows))


def _evidence(found: Found) -> Evidence:
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
