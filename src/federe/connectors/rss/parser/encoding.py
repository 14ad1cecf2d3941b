"""Bytes to text: which encoding a feed is really in, whatever it claims (see the package's docstring)."""

from __future__ import annotations

import codecs
import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_SINGLE_BYTE = {"iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250", "iso8859-2"}


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
