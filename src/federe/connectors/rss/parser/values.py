"""Values both formats read the same way: element text, dates, plain titles, and links made absolute and
unwrapped from redirect wrappers."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET  # only for Element types; parsing is defusedxml's
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from federe.connectors.rss.parser.model import XML_BASE

_TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
_URL_ATTR = re.compile(r"""(\s(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def split_tag(tag: Any) -> tuple[str, str]:
    if not isinstance(tag, str):  # comments, processing instructions
        return "", ""
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def first_child(element: ET.Element, *tags: str) -> ET.Element | None:
    for tag in tags:
        found = element.find(tag)
        if found is not None:
            return found
    return None


def text_of(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def plain(value: str) -> str:
    """HTML or text into one line of plain text (titles)."""
    return SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()


def unwrap_redirect(url: str) -> str:
    """The real address behind a redirect wrapper (Google Alerts' google.com/url?...&url=<real>)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if parts.path == "/url" and re.fullmatch(r"(www\.)?google(\.[a-z]{2,3}){1,2}", host):
        query = parse_qs(parts.query)
        for key in ("url", "q"):
            for candidate in query.get(key, []):
                if candidate.startswith(("http://", "https://")):
                    return candidate
    return url


def absolute(url: str, base: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        return unwrap_redirect(urljoin(base, url) if base else url)
    except ValueError:
        return url


def absolutize_html(fragment: str, base: str) -> str:
    """Relative href/src attributes in an HTML fragment made absolute against the entry's base."""
    if not base or not fragment:
        return fragment

    def fix(match: re.Match[str]) -> str:
        value = html.unescape(match.group(3)).strip()
        if not value or value.startswith(("#", "mailto:", "data:", "tel:")) or re.match(r"^[a-zA-Z][\w+.-]*:", value):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{html.escape(absolute(value, base))}{match.group(2)}"

    return _URL_ATTR.sub(fix, fragment)


def base_of(element: ET.Element, parent: str) -> str:
    own = element.get(XML_BASE)
    return urljoin(parent, own.strip()) if own and parent else (own or parent)


def fingerprint(element: ET.Element) -> str:
    return SPACE.sub(" ", "".join(element.itertext())).strip()[:2000]
