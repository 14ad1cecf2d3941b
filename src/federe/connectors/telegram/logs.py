"""The bot token is in every Bot API address (``/bot<token>/METHOD``), and httpx logs each request's address at INFO.

``HideToken`` is installed on the ``httpx`` logger (and netsafe's, which names an address it refuses to call inside
a database transaction) when this connector is imported (the registry imports every
connector at start-up): it rewrites any ``/bot<token>/`` in a record to ``/bot…/`` before a handler sees it.
"""

from __future__ import annotations

import logging
import re

BOT_PATH = re.compile(r"/bot[0-9]{3,20}:[A-Za-z0-9_-]{20,}")
LOGGERS = ("httpx", "httpcore", "federe.core.netsafe")  # netsafe logs a call made inside a transaction


class HideToken(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if BOT_PATH.search(message):
            record.msg, record.args = BOT_PATH.sub("/bot…", message), ()
        return True


def install() -> None:
    """Once per logger, however often it is called."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, HideToken) for existing in logger.filters):
            logger.addFilter(HideToken())
