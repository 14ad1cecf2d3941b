"""Counting requests in a fixed window, in the database (``RateCount``): every process of an install (several web
workers, several servers) counts together, where Django's default cache is each process's own memory.

One statement per request, atomic on SQLite and PostgreSQL: ``INSERT … ON CONFLICT (key) DO UPDATE`` starts a new
window when the stored one is over, else adds one, and returns the count.

``network_block`` names the block an address belongs to (an IPv6 /64, one IPv4 address), for a limit one holder of
a whole IPv6 network cannot get around by changing addresses.
"""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from federe.core.models import RateCount


def network_block(address: str) -> str:
    """The block ``address`` is counted in: its IPv6 /64 (what one subscriber usually holds), or the IPv4 address
    itself (/32, an IPv4-mapped IPv6 address too); anything that is not an address, as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 64 if ip.version == 6 else 32
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def hit(scope: str, who: str, limit: int, window: int, now: datetime | None = None) -> bool:
    """Count one request of ``who`` (an address…, kept only as a digest) in ``scope``; True when it goes beyond
    ``limit`` requests in the current ``window`` seconds."""
    now = now or timezone.now()
    key = f"{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"
    over = now - timedelta(seconds=window)  # a window that started then or before is over
    adapt = connection.ops.adapt_datetimefield_value
    q = connection.ops.quote_name
    table, key_c, start_c, count_c = q(RateCount._meta.db_table), q("key"), q("started_at"), q("count")
    ended = f"{table}.{start_c} <= %s"
    sql = (
        f"INSERT INTO {table} ({key_c}, {start_c}, {count_c}) VALUES (%s, %s, 1)"  # noqa: S608 - names are ours
        f" ON CONFLICT ({key_c}) DO UPDATE SET"
        f" {count_c} = CASE WHEN {ended} THEN 1 ELSE {table}.{count_c} + 1 END,"
        f" {start_c} = CASE WHEN {ended} THEN %s ELSE {table}.{start_c} END"
        f" RETURNING {count_c}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, adapt(now), adapt(over), adapt(over), adapt(now)])
        count = cursor.fetchone()[0]
    if count == 1:  # a new window: the scope's windows that are over go
        RateCount.objects.filter(key__startswith=f"{scope}:", started_at__lte=over).exclude(key=key).delete()
    return count > limit
