"""Web addresses in a post's text and the short links' own address. Pure functions.

Links are found the way the networks find them (Bluesky's facets, Mastodon's 23-character count): ``http://`` or
``https://`` up to a space, a quote or an angle bracket, without the punctuation that ends a sentence.
A target is accepted when it is an http or https address with a host, no space or control character, and at most
``MAX_TARGET`` characters (``connectors.values.web_url``: the rule for every address from outside).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape

from django.conf import settings

from federe.connectors.values import web_url
from federe.links.models import MAX_TARGET

_LINK = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}\"'»…"
CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CODE_LENGTH = 7  # 62^7 ≈ 3.5 × 10^12 codes
_CODE = re.compile(rf"^[0-9A-Za-z]{{{CODE_LENGTH}}}$")
#: What the composer's preview shows in place of a code not drawn yet (as long as a real one).
PLACEHOLDER_CODE = "•" * CODE_LENGTH


def is_code(value: str) -> bool:
    return bool(_CODE.match(value))


def short_base() -> str:
    """The start of every short link: FEDERE_BASE_URL followed by /l/."""
    return settings.FEDERE_BASE_URL.rstrip("/") + "/l/"


def short_url(code: str) -> str:
    return short_base() + code


def valid_target(address: str) -> str:
    """The address when it may be shortened, else "": http or https only, a host, at most MAX_TARGET characters."""
    return web_url(address, limit=MAX_TARGET)


def _trimmed(found: str) -> str:
    link = found.rstrip(_TRAILING)
    return link if "(" in link else link.rstrip(")")


def links_in(text: str) -> list[str]:
    """The distinct addresses of ``text`` that can be shortened, in order (short links themselves are not)."""
    seen: dict[str, None] = {}
    base = short_base()
    for match in _LINK.finditer(text or ""):
        link = _trimmed(match.group(0))
        if valid_target(link) and not link.startswith(base):
            seen.setdefault(link, None)
    return list(seen)


def swap_text(text: str, replace: Callable[[str], str | None]) -> str:
    """``text`` with each link ``replace`` knows replaced by what it answers (None: left as it is)."""

    def one(match: re.Match[str]) -> str:
        found = match.group(0)
        link = _trimmed(found)
        new = replace(link)
        return found if new is None else new + found[len(link) :]

    return _LINK.sub(one, text or "")


def swap_html(html: str, replace: Callable[[str], str | None]) -> str:
    """The same in HTML: addresses in attributes and in text are escaped (``&amp;``), so they are read unescaped
    and written back escaped."""

    def one(link: str) -> str | None:
        new = replace(unescape(link))
        return None if new is None else escape(new)

    return swap_text(html, one)


def as_previewed(text: str) -> str:
    """``text`` as it will be sent with its links shortened, before the codes are drawn: each link becomes a short
    link of the same length (its code shown as dots), so the composer's preview and counters are right."""
    placeholder = short_url(PLACEHOLDER_CODE)
    targets = set(links_in(text))
    return swap_text(text, lambda link: placeholder if link in targets else None)
