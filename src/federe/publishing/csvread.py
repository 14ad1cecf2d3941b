"""Reading a CSV file of posts, before anything is checked against the workspace: any bytes in, rows of text (or
one refusal in words) out. Pure: no database.

- **Encoding.** UTF-8, with or without a byte-order mark. A file that is not UTF-8 is read as Windows-1252 (what
  Excel writes for "CSV (semicolon separated)" in French), and the report says so, so that accents can be checked.
  A file with NUL bytes, or bytes that are neither, is refused: it is not a text file.
- **Separator.** Comma, semicolon (French Excel) or tab, taken from the header line (the most frequent of the three
  outside quotes).
- **Columns** (first line, any order, case and accents ignored, English or French names): ``text``, ``channels``
  (names or ids, several separated by ``|``), ``scheduled_at`` (the workspace's local time, or ``queue``),
  ``title``, ``content_warning``, ``image_url``. Other columns are ignored and listed in the report.
- **Limits.** ``MAX_BYTES`` per file, ``MAX_ROWS`` rows, ``MAX_CELL`` characters per cell: past them, the file is
  refused in words (never a half-read file).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 1024 * 1024
MAX_ROWS = 500
MAX_CELL = 100_000
SEPARATORS = (",", ";", "\t")

#: Column → the names it is recognised by (compared without case, accents, spaces or dashes).
COLUMNS = {
    "text": ("text", "texte", "body", "message"),
    "channels": ("channels", "channel", "canaux", "canal"),
    "scheduled_at": ("scheduled_at", "scheduledat", "date", "when", "quand", "publication", "datedepublication"),
    "title": ("title", "titre"),
    "content_warning": ("content_warning", "contentwarning", "cw", "avertissement"),
    "image_url": ("image_url", "imageurl", "image"),
}
REQUIRED = ("text", "channels")


class Unreadable(Exception):
    """The file as a whole cannot be read; its message says why, in words."""


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: dict[str, str]


@dataclass
class Sheet:
    rows: list[Row]
    notes: list[str] = field(default_factory=list)  # about the whole file, not blocking


def max_size() -> str:
    """The largest file taken, in the reader's words (1.0 MB, 1,0 Mo)."""
    return str(filesizeformat(MAX_BYTES))


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in folded if c.isalnum() or c == "_").replace("_", "")


def aliases(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each way of naming a column (folded) → the column."""
    return {_key(alias): column for column, names in columns.items() for alias in names}


_ALIASES = aliases(COLUMNS)


def decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text and the notes about how it was read."""
    if not data.strip():
        raise Unreadable(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise Unreadable(_("The file is larger than %(size)s: split it in several files.") % {"size": max_size()})
    if b"\x00" in data:
        raise Unreadable(_("This is not a text file: save the spreadsheet as CSV."))
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise Unreadable(_("This is not a text file: save the spreadsheet as CSV (UTF-8).")) from None
    return text, [_("The file is not UTF-8: it was read as Windows-1252. Check the accents below.")]


def separator(header_line: str) -> str:
    counts = {sep: 0 for sep in SEPARATORS}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read(
    data: bytes,
    columns: Mapping[str, tuple[str, ...]] | None = None,
    required: tuple[str, ...] = REQUIRED,
    no_rows: str = "",
) -> Sheet:
    """The rows of the file, or ``Unreadable``. Another file than posts' (budget spending…) passes its own
    ``columns`` (column → names), ``required`` columns and ``no_rows`` refusal; the rest is the same."""
    text, notes = decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(first_line))
    known = _ALIASES if columns is None else aliases(columns)
    try:
        header = next(reader, [])
        named = _columns(header, notes, known, required)
        rows = _rows(reader, named)
    except csv.Error as exc:
        raise Unreadable(
            _("The file could not be read as CSV near line %(line)d.") % {"line": reader.line_num}
        ) from exc
    if not rows:
        raise Unreadable(no_rows or _("The file has a header but no row of posts."))
    return Sheet(rows, notes)


def _columns(header: list[str], notes: list[str], known: dict[str, str], required: tuple[str, ...]) -> list[str | None]:
    columns = [known.get(_key(name)) for name in header]
    missing = [name for name in required if name not in columns]
    if missing:
        raise Unreadable(
            _("The first line must name the columns; %(missing)s is missing (see the sample file).")
            % {"missing": ", ".join(missing)}
        )
    ignored = [name.strip()[:40] for name, column in zip(header, columns, strict=True) if column is None]
    if ignored:
        notes.append(
            ngettext("This column is ignored: %(names)s.", "These columns are ignored: %(names)s.", len(ignored))
            % {"names": ", ".join(ignored)}
        )
    return columns


def _rows(reader: Iterator[list[str]], columns: list[str | None]) -> list[Row]:
    rows: list[Row] = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= MAX_ROWS:
            raise Unreadable(
                ngettext(
                    "The file has more than %(max)d row: split it in several files.",
                    "The file has more than %(max)d rows: split it in several files.",
                    MAX_ROWS,
                )
                % {"max": MAX_ROWS}
            )
        if any(len(cell) > MAX_CELL for cell in record):
            raise Unreadable(
                ngettext(
                    "Row %(row)d has a cell longer than %(max)d character.",
                    "Row %(row)d has a cell longer than %(max)d characters.",
                    MAX_CELL,
                )
                % {"row": number, "max": MAX_CELL}
            )
        cells = {column: cell.strip() for column, cell in zip(columns, record, strict=False) if column}
        rows.append(Row(number, cells))
    return rows
