"""The entry point: a document's bytes to a ``Feed``, through safe XML, with plain-words errors for what is not a
feed (an empty answer, a web page, XML of another kind)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET  # only for ParseError and Element types; parsing is defusedxml's
from html.entities import name2codepoint
from urllib.parse import urljoin

import defusedxml
import defusedxml.ElementTree as SafeET
from django.utils.translation import gettext as _

from federe.connectors.rss.parser.atom import atom
from federe.connectors.rss.parser.encoding import decode
from federe.connectors.rss.parser.model import ATOM, ATOM03, RDF, Feed, FeedError
from federe.connectors.rss.parser.rss import rss1, rss2
from federe.connectors.rss.parser.values import split_tag

_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>")
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_ALTERNATE = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*("([^"]*)"|'([^']*)')""")


def parse_xml(text: str) -> ET.Element:
    text = _FORBIDDEN_CHARS.sub("", _PROLOG.sub("", text.lstrip("\ufeff"), count=1)).lstrip()
    data = text.encode("utf-8")
    try:
        return SafeET.fromstring(data)
    except defusedxml.DefusedXmlException as exc:
        raise FeedError(
            _(
                "The feed declares XML entities or external references, which Fédère refuses: they can be used to"
                " attack the server (XML bombs)."
            ),
            "entities",
        ) from exc
    except ET.ParseError as exc:
        if "undefined entity" in str(exc):
            try:
                return SafeET.fromstring(_NAMED_ENTITY.sub(_html_entity, text).encode("utf-8"))
            except (ET.ParseError, defusedxml.DefusedXmlException):
                pass
        raise FeedError(
            _("The feed is not valid XML (%(detail)s): the site publishes a broken feed.") % {"detail": str(exc)[:160]},
            "invalid_xml",
        ) from exc


def _html_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES or name not in name2codepoint:
        return match.group(0)
    return f"&#{name2codepoint[name]};"


def announced_feed(page: str, base: str) -> str:
    """The feed a web page announces with <link rel="alternate" type="application/rss+xml" href="...">."""
    for tag in _ALTERNATE.findall(page[:200_000]):
        attrs = {m.group(1).lower(): html.unescape(m.group(3) or m.group(4) or "") for m in _ATTR.finditer(tag)}
        rel = attrs.get("rel", "").lower().split()
        kind = attrs.get("type", "").lower()
        if "alternate" in rel and kind in ("application/rss+xml", "application/atom+xml") and attrs.get("href"):
            return urljoin(base, attrs["href"].strip())
    return ""


def parse_feed(body: bytes, *, url: str = "", http_charset: str = "") -> Feed:
    """Parse a feed document; raise FeedError in plain words when it is not one."""
    if not body.strip():
        raise FeedError(_("The address answered with an empty document, not a feed."), "empty")
    text, encoding, notes = decode(body, http_charset)
    if _HTML_START.match(body[:2000]):
        found = announced_feed(text, url)
        if found:
            raise FeedError(
                _("This address is a web page, not a feed. The page announces a feed at %(url)s: use that address.")
                % {"url": found},
                "html",
            )
        raise FeedError(_("This address is a web page, not a feed: give the address of its RSS or Atom feed."), "html")
    root = parse_xml(text)
    namespace, name = split_tag(root.tag)
    if name == "rss" and not namespace:
        feed = rss2(root, url)
    elif name == "RDF" and namespace == RDF:
        feed = rss1(root, url)
    elif name == "feed" and namespace in (ATOM, ATOM03):
        feed = atom(root, url, namespace)
    else:
        raise FeedError(
            _("This address answers with XML that is not an RSS or Atom feed (its root element is <%(name)s>).")
            % {"name": name[:40]},
            "not_feed",
        )
    feed.encoding = encoding
    feed.notes = notes
    return feed
