"""docs/connectors.md says what the code does: its table of capabilities and its copy of a connector are current."""

from __future__ import annotations

from pathlib import Path

from federe.connectors.table import capability_table, documented_table

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "connectors.md").read_text(encoding="utf-8")


def test_the_capability_table_is_current():
    assert documented_table(DOC) == capability_table(), (
        "docs/connectors.md: paste the output of FEDERE_ENV=test python -m federe.connectors.table"
    )


def test_the_connector_shown_is_the_real_one():
    code = (ROOT / "src" / "federe" / "connectors" / "dummy" / "connector.py").read_text(encoding="utf-8")
    assert f"```python\n{code}```" in DOC, "docs/connectors.md: copy src/federe/connectors/dummy/connector.py again"


def test_a_table_without_its_markers_is_not_current():
    assert documented_table("# no table here") == ""
