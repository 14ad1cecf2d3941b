"""The one CSV writer of every export (people, share of voice, mentions…).

- A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to a spreadsheet
  (CSV injection: ``=HYPERLINK(…)`` in a community member's name). Such text cells get a leading apostrophe,
  which spreadsheets show as text and do not display. Numbers are written as they are.
- Downloads start with a byte-order mark, so that spreadsheets set to a French locale read UTF-8 and show accents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write() returns the line, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[str]:
    """The header and the rows as CSV lines, escaped; the first line starts with a BOM unless ``bom`` is False."""
    writer = csv.writer(_Line())
    first = writer.writerow([safe_cell(cell) for cell in header])
    yield (BOM + first) if bom else first
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    out = io.StringIO()
    out.writelines(csv_lines(header, rows, bom=bom))
    return out.getvalue()


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A download, streamed row by row (an export of 100,000 persons never sits in memory)."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
