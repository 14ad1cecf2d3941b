"""The index of spam waves' candidates: each message's LSH bands, one row each, in the database.

A new message's bands are looked up among the workspace's last ``WINDOW`` (``latest``), its own written once it has
an id (``insert``), and rows older than the window deleted by the worker (``prune``). ``nlp.waves`` decides.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from federe.core import rows as core_rows
from federe.nlp.models import WaveSignature

#: How far back a new message's near-duplicates are looked for.
WINDOW = timedelta(days=7)
#: Per LSH band, only the most recent earlier messages are compared: enough to find the wave a message joins,
#: and the cost of a page stays bounded however large a wave grows.
CANDIDATES_PER_BAND = 2


def latest(workspace_id: int, keys: list[int]) -> dict[int, list[int]]:
    """Per band, the most recent earlier messages of the last WINDOW that fell in it (newest first).

    Each band's candidates are read by walking the ``wavesig_band_newest`` index from the band's newest row and
    stopping after CANDIDATES_PER_BAND: a band shared by a hundred thousand messages costs what a band of three
    does (a window function over the band read all its rows). PostgreSQL takes the page's bands as one array and
    walks each band once (``LATERAL … LIMIT``); SQLite, without LATERAL, reads each candidate by a scalar subquery.
    """
    since = timezone.now() - WINDOW
    table = connection.ops.quote_name(WaveSignature._meta.db_table)
    earlier: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT k.band, s.message_id FROM unnest(%s::bigint[]) AS k(band) CROSS JOIN LATERAL"  # noqa: S608
                f" (SELECT s.message_id, s.id FROM {table} s WHERE s.workspace_id = %s AND s.band = k.band"
                f" AND s.created_at >= %s ORDER BY s.id DESC LIMIT {CANDIDATES_PER_BAND}) s ORDER BY k.band, s.id DESC",
                [keys, workspace_id, since],
            )
            for band, pk in cursor.fetchall():
                earlier[band].append(pk)
            return earlier
        pick = (
            "(SELECT s.message_id FROM {table} s WHERE s.workspace_id = %s AND s.band = k.band AND s.created_at >= %s"
            " ORDER BY s.id DESC LIMIT 1 OFFSET {n})"
        )
        picks = ", ".join(pick.format(table=table, n=n) for n in range(CANDIDATES_PER_BAND))
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            values = ", ".join(["(%s)"] * len(chunk))
            params: list[Any] = [*chunk, *[workspace_id, since] * CANDIDATES_PER_BAND]
            cursor.execute(
                f"WITH keys(band) AS (VALUES {values}) SELECT k.band, {picks} FROM keys k",  # noqa: S608
                params,
            )
            for band, *found in cursor.fetchall():
                if found[0] is not None:  # the band has an earlier row in the window
                    earlier[band] = [pk for pk in found if pk is not None]
    return earlier


def insert(workspace_id: int, rows: list[tuple[int, int]]) -> None:
    """Many small rows (a message's every band): COPY on PostgreSQL, multi-row INSERTs elsewhere."""
    now = timezone.now()
    columns = ("workspace_id", "band", "message_id", "created_at", "updated_at")
    rows_of = [(workspace_id, band, message_id, now, now) for band, message_id in rows]
    core_rows.insert(WaveSignature._meta.db_table, columns, rows_of)


#: Signatures read per round of ``prune``, oldest first.
PRUNE_BATCH = 5000


def prune(now: datetime | None = None) -> int:
    """Delete the band rows older than WINDOW (detection no longer reads them), oldest first, a batch at a time;
    returns how many. Rows are written with the time of their page, so ids and times rise together: each round
    reads the oldest rows by primary key and stops at the first that is still in the window."""
    cutoff = (now or timezone.now()) - WINDOW
    deleted = 0
    while True:
        oldest = list(WaveSignature.objects.order_by("pk").values_list("pk", "created_at")[:PRUNE_BATCH])
        stale = [pk for pk, created in oldest if created < cutoff]
        if stale:
            WaveSignature.objects.filter(pk__in=stale).delete()
            deleted += len(stale)
        if len(stale) < PRUNE_BATCH:
            return deleted
