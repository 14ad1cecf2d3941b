"""An archive file (CSV, JSON Lines or a JSON list) as history records, streamed row by row.

``open_archive`` reads the file whole once (its encoding, its columns, every row's syntax) before anything is
stored, so a broken file changes nothing; ``read_archive`` then yields the members (every author, once), a
``Checkpoint``, then the messages in the file's order, a row that cannot be read becoming a ``MalformedItem``
with its line and its reason. CSV and JSON Lines are streamed, never held whole in memory; a JSON list is read
whole, so it is refused above ``MAX_JSON_BYTES`` (JSON Lines has no such limit).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from federe.connectors.archive.columns import FIELDS, author_of, map_row, missing_columns
from federe.connectors.errors import Permanent
from federe.connectors.types import Checkpoint, HistoryExport, HistoryRecord, MalformedItem, ProgressFactory

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
MAX_JSON_BYTES = 50_000_000
Row = tuple[int, dict[str, Any] | None]  # the line (or position), and the row (None: not an object)


def archive_format(path: Path) -> str:
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise Permanent(
            _("%(file)s is not an archive Fédère reads: give a .csv, .jsonl or .json file.") % {"file": path.name}
        )
    return found


def iter_rows(path: Path, kind: str) -> Iterator[Row]:
    """The rows of the file, streamed (a JSON list is read whole); raises Permanent when the file cannot be read."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if kind == "csv":
                reader = csv.DictReader(handle)
                _check_columns(list(reader.fieldnames or []), path)
                for row in reader:
                    yield reader.line_num, {key: found for key, found in row.items() if key is not None}
            elif kind == "jsonl":
                for line, text in enumerate(handle, start=1):
                    if text.strip():
                        yield line, _object(text)
            else:
                yield from _json_list(handle.read(), path)
    except UnicodeDecodeError as exc:
        raise Permanent(_("%(file)s is not UTF-8 text: save it as UTF-8.") % {"file": path.name}) from exc
    except csv.Error as exc:
        raise Permanent(
            _("%(file)s is not readable CSV: %(error)s.") % {"file": path.name, "error": str(exc)[:200]}
        ) from exc


def _check_columns(names: list[str], path: Path) -> None:
    missing = missing_columns(names)
    if missing:
        wanted = "; ".join(f"{field}: {', '.join(FIELDS[field])}" for field in missing)
        raise Permanent(
            _("%(file)s lacks a column for: %(wanted)s (see the column mapping in docs/connectors.md).")
            % {"file": path.name, "wanted": wanted}
        )


def _object(text: str) -> dict[str, Any] | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _json_list(text: str, path: Path) -> Iterator[Row]:
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise Permanent(_("%(file)s is not valid JSON: %(error)s.") % {"file": path.name, "error": exc}) from exc
    if not isinstance(found, list):
        raise Permanent(_("%(file)s must hold a JSON list of messages.") % {"file": path.name})
    for place, row in enumerate(found, start=1):
        yield place, row if isinstance(row, dict) else None


def open_archive(location: str, progress: ProgressFactory) -> HistoryExport:
    """The archive at ``location``, read whole once; raises Permanent naming what is wrong."""
    path = Path(location).expanduser().resolve()
    if not path.is_file():
        raise Permanent(_("There is no file at %(path)s.") % {"path": path})
    kind = archive_format(path)
    if kind == "json" and path.stat().st_size > MAX_JSON_BYTES:
        raise Permanent(
            _("%(file)s is too big for a JSON list: write it as JSON Lines (.jsonl).") % {"file": path.name}
        )
    bar = progress(_("Checking %(file)s") % {"file": path.name}, None)
    rows, authors = 0, set()
    for _line, row in iter_rows(path, kind):
        rows += 1
        author = author_of(row) if row is not None else None
        if author is not None:
            authors.add(author.external_id)
        bar.advance()
    bar.close(note=ngettext("%(n)s row", "%(n)s rows", rows) % {"n": f"{rows:,}"})
    if kind != "csv" and rows and not authors:
        raise Permanent(
            _("%(file)s names no author: see the column mapping in docs/connectors.md.") % {"file": path.name}
        )
    return HistoryExport(
        location=str(path),
        default_name=f"Archive {path.stem}"[:120],
        members=len(authors),
        rows={path.name: rows},
        files={"archive": path},
        notes=(_("Format: %(kind)s.") % {"kind": kind.upper()},),
    )


def read_archive(export: HistoryExport, progress: ProgressFactory) -> Iterator[HistoryRecord]:
    """Members first, then messages (see the module's docstring)."""
    path = export.files["archive"]
    kind = archive_format(path)
    total = sum(export.rows.values())
    seen: set[str] = set()
    bar = progress(_("Members"), total)
    for _line, row in iter_rows(path, kind):
        bar.advance()
        author = author_of(row) if row is not None else None
        if author is not None and author.external_id not in seen:
            seen.add(author.external_id)
            yield author
    yield Checkpoint()
    bar.close()
    bar = progress(_("Messages"), total)
    threads: dict[str, str] = {}
    for line, row in iter_rows(path, kind):
        bar.advance()
        if row is None:
            yield MalformedItem(_("line %(line)s: not a JSON object.") % {"line": line})
        else:
            yield map_row(row, line, threads)
    yield Checkpoint()
    bar.close()
