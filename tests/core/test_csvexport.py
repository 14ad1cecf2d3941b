"""The CSV writer of every export: formulas are neutralised, downloads carry a byte-order mark."""

from __future__ import annotations

import csv
import io

import pytest

from federe.core.csvexport import BOM, csv_lines, csv_response, csv_text, safe_cell


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Zoé", "Zoé"),
        ("a=b", "a=b"),
        (-5, -5),
        (1.5, 1.5),
        ("", ""),
        (None, None),
    ],
)
def test_safe_cell(cell, expected):
    assert safe_cell(cell) == expected


def test_csv_text_starts_with_a_bom_and_reads_back():
    text = csv_text(["name", "score"], [["=cmd|' /C calc'!A0", 3], ['Zoé, "la" reine', -2]])
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows == [["name", "score"], ["'=cmd|' /C calc'!A0", "3"], ['Zoé, "la" reine', "-2"]]


def test_without_bom_for_pipes():
    assert not csv_text(["a"], [], bom=False).startswith(BOM)


def test_lines_are_streamed_one_by_one():
    lines = csv_lines(["a"], ([str(i)] for i in range(3)))
    assert next(lines) == BOM + "a\r\n"
    assert list(lines) == ["0\r\n", "1\r\n", "2\r\n"]


def test_response_is_an_attachment_in_utf8():
    response = csv_response("x.csv", ["a"], [["é"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert b"".join(response.streaming_content).decode("utf-8") == BOM + "a\r\né\r\n"
