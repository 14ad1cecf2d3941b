"""RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom (1.0, and 0.3) into plain entries; no network, no ORM.

* **Safe XML**: parsed with defusedxml. A document that declares entities (the XML bomb, "billion laughs") or refers
  to external ones is refused; a plain DOCTYPE (old Netscape RSS 0.91) is accepted.
* **Encodings**: a byte-order mark wins; then the encoding the XML prolog declares, then the HTTP charset, then UTF-8,
  then windows-1252. A UTF-8 document with a few invalid bytes stays UTF-8: only those bytes become U+FFFD (one bad
  byte must not turn the whole feed into mojibake). A candidate is kept only if the bytes really decode with it, so
  a latin-1 feed that claims UTF-8 is still read. A feed that claims latin-1 (or windows-1252, ascii) but is valid
  UTF-8 with non-ASCII letters is read as UTF-8: that is what its author meant, mojibake ("Ã©") is never what they
  meant. The choice is noted on the feed (``Feed.notes``).
* Leniency** where it costs nothing: control characters that XML forbids are dropped; HTML named entities
  (``&nbsp;``, ``&eacute;``), which XML does not know, are turned into characters when the strict parse fails on
  them.
* **Content**: Atom text constructs (text, html, xhtml) all become HTML; RSS descriptions are HTML already (escaped or
  CDATA). Links are made absolute against ``xml:base`` and the feed's address, and redirect wrappers such as Google
  Alerts' ``https://www.google.com/url?...&url=<real>`` are unwrapped.
"""

from __future__ import annotations

import codecs
import html
import re
import xml.etree.ElementTree as ET  # only for ParseError and Element types; parsing is defusedxml's
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import defusedxml
import defusedxml.ElementTree as SafeET
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.values import parse_utc

ATOM = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>")
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_ALTERNATE = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*("([^"]*)"|'([^']*)')""")
_URL_ATTR = re.compile(r"""(\s(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "param", "track"}
_SINGLE_BYTE = {"iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250", "iso8859-2"}


class FeedError(Exception):
    """The document cannot be read as a feed; ``message`` says why in plain words."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Entry:
    id: str = ""
    title: str = ""  # plain text
    link: str = ""
    author_name: str = ""
    author_email: str = ""
    author_uri: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    content_html: str = ""
    summary_html: str = ""
    categories: list[str] = field(default_factory=list)
    fingerprint: str = ""  # the entry's own text, to key entries that have no id and no link


@dataclass
class Feed:
    kind: str  # rss2, rss1, atom
    title: str = ""
    link: str = ""
    id: str = ""
    author_name: str = ""
    author_email: str = ""
    author_uri: str = ""
    updated: datetime | None = None
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


# -- bytes to elements ---------------------------------------------------------------------------------------------


def _codec(name: str | None) -> str:
    if not name:
        return ""
    try:
        return codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return ""


def _bom(body: bytes) -> str:
    for mark, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(mark):
            return name
    if body.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if body.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    return ""


def decode(body: bytes, http_charset: str = "") -> tuple[str, str, list[str]]:
    """The document as text, the encoding used, and notes when the declared encoding was wrong."""
    bom = _bom(body)
    if bom:
        return body.decode(bom, errors="replace"), codecs.lookup(bom).name, []
    match = _DECLARED.match(body[:400])
    declared_raw = match.group(1).decode("ascii") if match else ""
    declared = _codec(declared_raw)
    charset = _codec(http_charset)
    notes: list[str] = []
    if declared_raw and not declared:
        notes.append(_("The feed declares an unknown encoding (%(name)s).") % {"name": declared_raw[:40]})
    utf8_text: str | None
    try:
        utf8_text = body.decode("utf-8")
    except UnicodeDecodeError:
        utf8_text = None
        if (declared or charset or "utf-8") == "utf-8":
            mended = _mostly_utf8(body)
            if mended is not None:
                return mended[0], "utf-8", [*notes, mended[1]]
    candidates = [name for name in (declared, charset, "utf-8", "cp1252", _codec("latin-1")) if name]
    for name in dict.fromkeys(candidates):
        if name.startswith(("utf-16", "utf-32")):
            continue  # no byte-order mark and an ASCII prolog: the document is not in UTF-16/32
        if name in _SINGLE_BYTE and utf8_text is not None and not body.isascii():
            if declared or charset:
                notes.append(
                    _("The feed says it is %(declared)s but is UTF-8: it was read as UTF-8.")
                    % {"declared": declared_raw or http_charset}
                )
            return utf8_text, "utf-8", notes
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if (declared or charset) and name not in (declared, charset):
            notes.append(
                _("The feed says it is %(declared)s but is not: it was read as %(used)s.")
                % {"declared": declared_raw or http_charset, "used": name}
            )
        return text, name, notes
    return body.decode("latin-1"), "latin-1", notes  # never reached: latin-1 decodes every byte


def _mostly_utf8(body: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few bad bytes: the text with only those bytes replaced (U+FFFD), and a note; else None.

    "A few" means fewer bad bytes than well-formed non-ASCII characters. A latin-1 document has none of those (each
    accented letter is a bad byte), so it is left to the single-byte encodings, which read it right.
    """
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode())
    good = sum(1 for char in text if ord(char) > 127 and char != "\ufffd")
    if bad <= 0 or good <= bad:
        return None
    note = ngettext(
        "The feed has %(count)s byte that is not valid UTF-8: it was replaced by �.",
        "The feed has %(count)s bytes that are not valid UTF-8: they were replaced by �.",
        bad,
    ) % {"count": bad}
    return text, note


def _parse_xml(text: str) -> ET.Element:
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
    root = _parse_xml(text)
    namespace, name = _split(root.tag)
    if name == "rss" and not namespace:
        feed = _rss2(root, url)
    elif name == "RDF" and namespace == RDF:
        feed = _rss1(root, url)
    elif name == "feed" and namespace in (ATOM, ATOM03):
        feed = _atom(root, url, namespace)
    else:
        raise FeedError(
            _("This address answers with XML that is not an RSS or Atom feed (its root element is <%(name)s>).")
            % {"name": name[:40]},
            "not_feed",
        )
    feed.encoding = encoding
    feed.notes = notes
    return feed


# -- helpers -----------------------------------------------------------------------------------------------------


def _split(tag: Any) -> tuple[str, str]:
    if not isinstance(tag, str):  # comments, processing instructions
        return "", ""
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _child(element: ET.Element, *tags: str) -> ET.Element | None:
    for tag in tags:
        found = element.find(tag)
        if found is not None:
            return found
    return None


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def plain(value: str) -> str:
    """HTML or text into one line of plain text (titles)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()


def parse_date(value: str) -> datetime | None:
    """ISO 8601 (Atom, Dublin Core) or RFC 822 (RSS), in UTC; None when unreadable."""
    value = (value or "").strip()
    found = parse_utc(value)
    if found is not None or not value:
        return found
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


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


def _base(element: ET.Element, parent: str) -> str:
    own = element.get(XML_BASE)
    return urljoin(parent, own.strip()) if own and parent else (own or parent)


def _fingerprint(element: ET.Element) -> str:
    return _SPACE.sub(" ", "".join(element.itertext())).strip()[:2000]


# -- RSS 2.0 -----------------------------------------------------------------------------------------------------

_RSS_AUTHOR = re.compile(r"^\s*([^\s()<>]+@[^\s()<>]+)\s*(?:\((.*)\))?\s*$")


def _rss_author(value: str) -> tuple[str, str]:
    """RSS's <author> is "email (Name)"; feeds also put a bare name or a bare address."""
    match = _RSS_AUTHOR.match(value)
    if match:
        return (match.group(2) or "").strip(), match.group(1)
    return value.strip(), ""


def _rss2(root: ET.Element, url: str) -> Feed:
    channel = root.find("channel")
    if channel is None:
        raise FeedError(_("This RSS document has no <channel>: it is not a usable feed."), "not_feed")
    base = _base(channel, _base(root, url))
    name, email = _rss_author(_text(_child(channel, "managingEditor", f"{{{DC}}}creator", "author")))
    feed = Feed(
        kind="rss2",
        title=plain(_text(channel.find("title"))),
        link=absolute(_text(channel.find("link")), base),
        author_name=name,
        author_email=email,
        updated=parse_date(_text(_child(channel, "lastBuildDate", "pubDate", f"{{{DC}}}date"))),
    )
    for item in root.iter("item"):  # RSS 0.9x feeds may put items beside the channel
        feed.entries.append(_rss_item(item, base))
    return feed


def _rss_item(item: ET.Element, parent_base: str) -> Entry:
    base = _base(item, parent_base)
    guid = item.find("guid")
    guid_text = _text(guid)
    link = _text(item.find("link"))
    if not link and guid_text and (guid is None or guid.get("isPermaLink", "true").lower() != "false"):
        link = guid_text if guid_text.startswith(("http://", "https://")) else ""
    link = absolute(link, base)
    author_name, author_email = _rss_author(_text(item.find("author")))
    creator = _text(item.find(f"{{{DC}}}creator"))
    published = parse_date(_text(item.find("pubDate"))) or parse_date(_text(item.find(f"{{{DC}}}date")))
    return Entry(
        id=guid_text,
        title=plain(_text(item.find("title"))),
        link=link,
        author_name=author_name or creator,
        author_email=author_email,
        published=published,
        updated=parse_date(_text(item.find(f"{{{DC}}}modified"))),
        content_html=absolutize_html(_text(item.find(f"{{{CONTENT}}}encoded")), link or base),
        summary_html=absolutize_html(_text(item.find("description")), link or base),
        categories=[_text(c) for c in item.findall("category") if _text(c)],
        fingerprint=_fingerprint(item),
    )


# -- RSS 1.0 / RDF -------------------------------------------------------------------------------------------------


def _rss1(root: ET.Element, url: str) -> Feed:
    namespace = RSS10 if root.find(f"{{{RSS10}}}channel") is not None or root.find(f"{{{RSS10}}}item") else RSS090
    channel = root.find(f"{{{namespace}}}channel")
    base = _base(root, url)
    feed = Feed(kind="rss1")
    if channel is not None:
        feed.title = plain(_text(channel.find(f"{{{namespace}}}title")))
        feed.link = absolute(_text(channel.find(f"{{{namespace}}}link")), base)
        feed.author_name = _text(_child(channel, f"{{{DC}}}creator", f"{{{DC}}}publisher"))
        feed.updated = parse_date(_text(channel.find(f"{{{DC}}}date")))
    for item in root.iter(f"{{{namespace}}}item"):
        about = item.get(f"{{{RDF}}}about", "").strip()
        link = absolute(_text(item.find(f"{{{namespace}}}link")) or about, base)
        feed.entries.append(
            Entry(
                id=about or link,
                title=plain(_text(item.find(f"{{{namespace}}}title"))),
                link=link,
                author_name=_text(item.find(f"{{{DC}}}creator")),
                published=parse_date(_text(item.find(f"{{{DC}}}date"))),
                content_html=absolutize_html(_text(item.find(f"{{{CONTENT}}}encoded")), link or base),
                summary_html=absolutize_html(_text(item.find(f"{{{namespace}}}description")), link or base),
                categories=[_text(s) for s in item.findall(f"{{{DC}}}subject") if _text(s)],
                fingerprint=_fingerprint(item),
            )
        )
    return feed


# -- Atom ----------------------------------------------------------------------------------------------------------


def _serialize_children(element: ET.Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_serialize(child))
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts)


def _serialize(element: ET.Element) -> str:
    _ns, name = _split(element.tag)
    attrs = "".join(f' {_split(key)[1]}="{html.escape(value)}"' for key, value in element.attrib.items())
    if name.lower() in _VOID:
        return f"<{name}{attrs}>"
    return f"<{name}{attrs}>{_serialize_children(element)}</{name}>"


def _atom_text(element: ET.Element | None) -> str:
    """An Atom text construct (text, html or xhtml; Atom 0.3 MIME types and mode too) as HTML."""
    if element is None:
        return ""
    kind = (element.get("type") or "text").lower()
    if element.get("mode") == "escaped" or kind in ("html", "text/html"):
        return (element.text or "").strip()
    if kind in ("xhtml", "application/xhtml+xml") or element.get("mode") == "xml":
        children = [child for child in element if isinstance(child.tag, str)]
        if len(children) == 1 and _split(children[0].tag)[1] == "div" and not (element.text or "").strip():
            return _serialize_children(children[0]).strip()
        return _serialize_children(element).strip()
    if kind in ("text", "text/plain") or kind.startswith("text/"):
        text = "".join(element.itertext()).strip()
        return "<p>" + html.escape(text).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>" if text else ""
    return ""  # base64 or other media: nothing we can show


def _atom_title(element: ET.Element | None) -> str:
    if element is None:
        return ""
    kind = (element.get("type") or "text").lower()
    if kind in ("text", "text/plain"):
        return _SPACE.sub(" ", "".join(element.itertext())).strip()
    return plain(_atom_text(element))


def _atom_link(element: ET.Element, ns: str, base: str) -> str:
    links = element.findall(f"{{{ns}}}link")
    alternates = [link for link in links if (link.get("rel") or "alternate") == "alternate" and link.get("href")]
    html_ones = [
        link for link in alternates if (link.get("type") or "text/html") in ("text/html", "application/xhtml+xml")
    ]
    chosen = (html_ones or alternates or [None])[0]
    return absolute(chosen.get("href", ""), base) if chosen is not None else ""


def _atom_person(element: ET.Element | None, ns: str, base: str) -> tuple[str, str, str]:
    if element is None:
        return "", "", ""
    uri = _text(_child(element, f"{{{ns}}}uri", f"{{{ns}}}url"))
    return (
        _text(element.find(f"{{{ns}}}name")),
        _text(element.find(f"{{{ns}}}email")),
        absolute(uri, base) if uri else "",
    )


def _atom(root: ET.Element, url: str, ns: str) -> Feed:
    base = _base(root, url)
    name, email, uri = _atom_person(root.find(f"{{{ns}}}author"), ns, base)
    feed = Feed(
        kind="atom",
        title=_atom_title(root.find(f"{{{ns}}}title")),
        link=_atom_link(root, ns, base),
        id=_text(root.find(f"{{{ns}}}id")),
        author_name=name,
        author_email=email,
        author_uri=uri,
        updated=parse_date(_text(_child(root, f"{{{ns}}}updated", f"{{{ns}}}modified"))),
    )
    for entry in root.iter(f"{{{ns}}}entry"):
        entry_base = _base(entry, base)
        link = _atom_link(entry, ns, entry_base)
        author = entry.find(f"{{{ns}}}author")
        if author is None:
            author = entry.find(f"{{{ns}}}contributor")
        a_name, a_email, a_uri = _atom_person(author, ns, entry_base)
        content = entry.find(f"{{{ns}}}content")
        content_html = _atom_text(content)
        if content is not None and content.get("src") and not content_html:
            src = absolute(content.get("src", ""), entry_base)
            content_html = f'<p><a href="{html.escape(src)}">{html.escape(src)}</a></p>'
        published = parse_date(_text(_child(entry, f"{{{ns}}}published", f"{{{ns}}}issued", f"{{{ns}}}created")))
        feed.entries.append(
            Entry(
                id=_text(entry.find(f"{{{ns}}}id")),
                title=_atom_title(entry.find(f"{{{ns}}}title")),
                link=link,
                author_name=a_name,
                author_email=a_email,
                author_uri=a_uri,
                published=published,
                updated=parse_date(_text(_child(entry, f"{{{ns}}}updated", f"{{{ns}}}modified"))),
                content_html=absolutize_html(content_html, link or entry_base),
                summary_html=absolutize_html(_atom_text(entry.find(f"{{{ns}}}summary")), link or entry_base),
                categories=[
                    c.get("label") or c.get("term", "") for c in entry.findall(f"{{{ns}}}category") if c.get("term")
                ],
                fingerprint=_fingerprint(entry),
            )
        )
    return feed
