"""Atom (1.0, and 0.3) documents into a ``Feed``: every text construct (text, html, xhtml) becomes HTML."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET  # only for Element types; parsing is defusedxml's

from federe.connectors.rss.parser.model import Entry, Feed
from federe.connectors.rss.parser.values import (
    SPACE,
    absolute,
    absolutize_html,
    base_of,
    fingerprint,
    first_child,
    plain,
    split_tag,
    text_of,
)
from federe.connectors.values import parse_utc

_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "param", "track"}


def _serialize_children(element: ET.Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_serialize(child))
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts)


def _serialize(element: ET.Element) -> str:
    _ns, name = split_tag(element.tag)
    attrs = "".join(f' {split_tag(key)[1]}="{html.escape(value)}"' for key, value in element.attrib.items())
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
        if len(children) == 1 and split_tag(children[0].tag)[1] == "div" and not (element.text or "").strip():
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
        return SPACE.sub(" ", "".join(element.itertext())).strip()
    return plain(_atom_text(element))


def _atom_link(element: ET.Element, ns: str, base: str) -> str:
    links = element.findall(f"{{{ns}}}link")
    alternates = [link for link in links if (link.get("rel") or "alternate") == "alternate" and link.get("href")]
    html_ones = [
        link for link in alternates if (link.get("type") or "text/html") in ("text/html", "application/xhtml+xml")
    ]
    chosen = html_ones or alternates
    return absolute(chosen[0].get("href", ""), base) if chosen else ""


def _atom_person(element: ET.Element | None, ns: str, base: str) -> tuple[str, str, str]:
    if element is None:
        return "", "", ""
    uri = text_of(first_child(element, f"{{{ns}}}uri", f"{{{ns}}}url"))
    return (
        text_of(element.find(f"{{{ns}}}name")),
        text_of(element.find(f"{{{ns}}}email")),
        absolute(uri, base) if uri else "",
    )


def atom(root: ET.Element, url: str, ns: str) -> Feed:
    base = base_of(root, url)
    name, email, uri = _atom_person(root.find(f"{{{ns}}}author"), ns, base)
    feed = Feed(
        kind="atom",
        title=_atom_title(root.find(f"{{{ns}}}title")),
        link=_atom_link(root, ns, base),
        id=text_of(root.find(f"{{{ns}}}id")),
        author_name=name,
        author_email=email,
        author_uri=uri,
        updated=parse_utc(text_of(first_child(root, f"{{{ns}}}updated", f"{{{ns}}}modified"))),
    )
    for entry in root.iter(f"{{{ns}}}entry"):
        entry_base = base_of(entry, base)
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
        published = parse_utc(text_of(first_child(entry, f"{{{ns}}}published", f"{{{ns}}}issued", f"{{{ns}}}created")))
        feed.entries.append(
            Entry(
                id=text_of(entry.find(f"{{{ns}}}id")),
                title=_atom_title(entry.find(f"{{{ns}}}title")),
                link=link,
                author_name=a_name,
                author_email=a_email,
                author_uri=a_uri,
                published=published,
                updated=parse_utc(text_of(first_child(entry, f"{{{ns}}}updated", f"{{{ns}}}modified"))),
                content_html=absolutize_html(content_html, link or entry_base),
                summary_html=absolutize_html(_atom_text(entry.find(f"{{{ns}}}summary")), link or entry_base),
                categories=[
                    c.get("label") or c.get("term") or "" for c in entry.findall(f"{{{ns}}}category") if c.get("term")
                ],
                fingerprint=fingerprint(entry),
            )
        )
    return feed
