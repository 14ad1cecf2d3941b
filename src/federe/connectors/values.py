"""Reading what networks and users hand to connectors: options, dates and web addresses, one way for all.

Pure functions that never raise: an unreadable value becomes the default, ``None`` or ``""``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.errors import Permanent

MAX_URL = 500  # the width of URL columns in the database
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f\\<>\"'`]")


def int_setting(config: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    """A connector option as an int between ``low`` and ``high``; the default when it is unreadable."""
    try:
        value = int(config.get(key, default))
    except (TypeError, ValueError, OverflowError):
        value = default
    return min(max(value, low), high)


# Our own reply found on a network by its text is an earlier attempt's only if posted since the first attempt
# began, give or take the network's clock.
CLOCK_SKEW = timedelta(minutes=5)


def posted_since(posted: Any, retry_since: datetime | None) -> bool:
    """Whether a comment of ours posted at ``posted`` (the network's date) may be an earlier attempt of a reply
    retried since ``retry_since`` (``OutgoingReply.retry_since``); never on a first attempt."""
    when = parse_utc(posted)
    return retry_since is not None and when is not None and when >= retry_since - CLOCK_SKEW


def parse_utc(value: Any) -> datetime | None:
    """A date in UTC, the one date reader of every connector: ISO 8601 ("2026-11-23T12:31:19", "…Z",
    "…+02:00": APIs, Atom, Dublin Core) or RFC 822 ("Mon, 23 Nov 2026 12:31:19 GMT": RSS); without an offset, UTC.

    None for anything else, and for WordPress's "never" (0000-00-00T00:00:00).
    """
    if not isinstance(value, str) or not value.strip() or value.startswith("0000"):
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def web_url(value: Any, limit: int = MAX_URL) -> str:
    """``value`` when it is an http or https address with a host that fits in ``limit`` characters, else "".

    Addresses from networks end up as links in a staff member's browser: ``javascript:``, ``data:`` and every
    other scheme are dropped here, in the mapping, so that they are never stored.
    """
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if not url or len(url) > limit or _UNSAFE_IN_URL.search(url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    return url


def sendable_text(text: str, *, limit: int, network: str) -> str:
    """The text of a message to send, refused in words when it is empty or longer than the network takes."""
    if not text.strip():
        raise Permanent(_("The message is empty."))
    if len(text) > limit:
        raise Permanent(
            ngettext(
                "This message has %(count)s character; the limit is %(limit)s on %(network)s.",
                "This message has %(count)s characters; the limit is %(limit)s on %(network)s.",
                len(text),
            )
            % {"count": len(text), "limit": limit, "network": network}
        )
    return text
